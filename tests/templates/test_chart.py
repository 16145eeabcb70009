"""The Helm chart of every render: helm lint, kinds, kubernetes-validate, checkov, the SLO rules."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from . import tools
from .conftest import TEST_DIGEST
from .matrix import CASE_IDS, CASES, CRD_KINDS, ENVIRONMENTS, EXPECTED_KINDS

ENVS = ("default", *ENVIRONMENTS)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_helm_lint_strict(case, renders):
    chart = renders[case.id] / "chart"
    for env in ENVS:
        args = ["lint", "--strict", str(chart), "--namespace", "x", "--set", f"image.digest={TEST_DIGEST}"]
        if env != "default":
            args += ["-f", str(chart / f"values-{env}.yaml")]
        tools.run("helm", args, check=True)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_chart_refuses_to_render_without_a_digest(case, renders):
    proc = tools.run("helm", ["template", "release", str(renders[case.id] / "chart"), "--namespace", "x"])
    assert proc.returncode != 0
    assert "image.digest" in proc.stderr


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_helm_template_renders_every_expected_kind(case, manifests):
    for env in ENVS:
        docs = manifests[(case.id, env)].docs
        kinds = {d["kind"] for d in docs}
        assert kinds == EXPECTED_KINDS[case.template], env
        for doc in docs:
            meta = doc["metadata"]
            assert meta["namespace"] == "x", f"{doc['kind']}/{meta['name']} not in the release namespace"
            if meta["name"] != "default-deny-all":
                assert meta["labels"]["app.kubernetes.io/name"] == case.service
        assert (
            sum(
                1
                for d in docs
                if d["kind"] == "NetworkPolicy"
                and d["spec"]["podSelector"] == {}
                and set(d["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            )
            == 1
        ), "one namespace default-deny"


def workload_pod(doc: dict) -> dict:
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]
    return doc["spec"]["template"]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_workload_follows_the_golden_path(case, manifests):
    docs = manifests[(case.id, "production")].docs
    workload = next(d for d in docs if d["kind"] in ("Deployment", "CronJob"))
    pod = workload_pod(workload)
    spec = pod["spec"]
    assert spec["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] == case.service
    assert spec["securityContext"]["runAsUser"] >= 10000 and spec["securityContext"]["fsGroup"] >= 10000
    (container,) = spec["containers"]
    assert container["image"].endswith("@" + TEST_DIGEST) and container["imagePullPolicy"] == "Always"
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory", "ephemeral-storage"}
    assert not any("valueFrom" in e and "secretKeyRef" in e["valueFrom"] for e in container.get("env", []))
    tmp = next(v for v in spec["volumes"] if v["name"] == "tmp")
    assert tmp["emptyDir"]["sizeLimit"]
    pod_labels = pod["metadata"]["labels"]
    if workload["kind"] == "Deployment":
        assert "replicas" not in workload["spec"], "the HPA owns replicas"
        assert workload["spec"]["strategy"]["type"] == "RollingUpdate"
        assert container["readinessProbe"] != container["livenessProbe"] and container["startupProbe"]
        assert {p["name"] for p in container["ports"]} == {"http"}
        assert spec["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
        hpa = next(d for d in docs if d["kind"] == "HorizontalPodAutoscaler")
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["minReplicas"] >= 2 and hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
        pdb = next(d for d in docs if d["kind"] == "PodDisruptionBudget")
        assert pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"
        selector = workload["spec"]["selector"]["matchLabels"]
        assert all(pod_labels[k] == v for k, v in selector.items())
    else:
        s = workload["spec"]
        assert s["concurrencyPolicy"] == "Forbid" and s["startingDeadlineSeconds"] > 0
        assert s["jobTemplate"]["spec"]["backoffLimit"] >= 0 and s["jobTemplate"]["spec"]["activeDeadlineSeconds"] > 0
        assert "ttlSecondsAfterFinished" not in s["jobTemplate"]["spec"]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_kubernetes_validate_strict(case, manifests):
    for env in ENVS:
        manifest = manifests[(case.id, env)]
        proc = tools.run("kubernetes-validate", ["--strict", str(manifest.path)])
        assert proc.returncode == 0, proc.stdout + proc.stderr
        output = (proc.stdout + proc.stderr).splitlines()
        assert not [line for line in output if line.startswith("ERROR")], output
        unknown = [line for line in output if "Couldn't find schema" in line]
        assert all(any(f"kind {k} " in line for k in CRD_KINDS) for line in unknown), unknown
        passed = [line for line in output if " passed for resource " in line]
        assert len(passed) == sum(1 for d in manifest.docs if d["kind"] not in CRD_KINDS)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_checkov_kubernetes_zero_findings(case, manifests, checkov_kubernetes):
    for env in ENVS:
        manifest = manifests[(case.id, env)]
        results = checkov_kubernetes.file(manifest.path)
        failed = [f"{r.check_id} {r.resource}" for r in results if r.result == "FAILED"]
        assert not failed, f"{case.id} ({env}): {failed}"
        # checkov silently scans nothing when it cannot read the input: check what it saw.
        scanned = {r.resource.split(".")[0] for r in results}
        workload = "CronJob" if case.template == "cronjob" else "Deployment"
        # (checkov splits a Deployment's pod template out as a Pod; a CronJob's it checks in place.)
        expected = {workload, "ServiceAccount"} | ({"Service", "Pod"} if workload == "Deployment" else set())
        assert expected <= scanned, f"checkov did not scan {expected - scanned}"
        if workload == "Deployment":
            assert any(r.check_id == "CKV2_K8S_6" and r.result == "PASSED" for r in results), (
                "NetworkPolicy check did not run"
            )
        skipped = [r for r in results if r.result == "SKIPPED"]
        assert not skipped, f"undocumented skips: {skipped}"


def test_checkov_kubernetes_scanned_every_rendered_object(manifests, checkov_kubernetes):
    assert not checkov_kubernetes.parsing_errors
    # checkov counts every rendered object, plus the pod template it splits out of each Deployment.
    deployments = sum(1 for m in manifests.values() for d in m.docs if d["kind"] == "Deployment")
    assert checkov_kubernetes.resource_count == sum(len(m.docs) for m in manifests.values()) + deployments


def prometheus_rule(manifest) -> dict:
    return next(d for d in manifest.docs if d["kind"] == "PrometheusRule")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_promtool_check_rules(case, manifests, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(prometheus_rule(manifests[(case.id, "default")])["spec"]))
    proc = tools.run("promtool", ["check", "rules", str(rules)])
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_prometheus_rule_embeds_the_rules_generated_from_slo_yaml(case, renders, manifests):
    root = renders[case.id]
    slo = yaml.safe_load((root / "slo.yaml").read_text())
    assert slo["version"] == "prometheus/v1" and slo["service"] == case.service
    generated = yaml.safe_load((root / "chart" / "files" / "slo-rules.yaml").read_text())
    for env in ENVS:
        assert prometheus_rule(manifests[(case.id, env)])["spec"] == generated
    groups = {g["name"]: g["rules"] for g in generated["groups"]}
    for s in slo["slos"]:
        sid = f"{case.service}-{s['name']}"
        windows = {r["labels"]["sloth_window"]: r["expr"] for r in groups[f"sloth-slo-sli-recordings-{sid}"]}
        assert set(windows) == {"5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"}
        assert s["sli"]["events"]["error_query"].replace("{{.window}}", "1h") in windows["1h"]
        alerts = groups[f"sloth-slo-alerts-{sid}"]
        assert {a["labels"]["sloth_severity"] for a in alerts} == {"page", "ticket"}
        assert all(a["alert"] == s["alerting"]["name"] for a in alerts)
        page = next(a for a in alerts if a["labels"]["sloth_severity"] == "page")["expr"]
        ticket = next(a for a in alerts if a["labels"]["sloth_severity"] == "ticket")["expr"]
        assert "(14.4 * " in page and "(6 * " in page and "ratio_rate5m" in page and "ratio_rate6h" in page
        assert "(3 * " in ticket and "(1 * " in ticket and "ratio_rate1d" in ticket and "ratio_rate3d" in ticket
        assert all(a["annotations"]["runbook_url"].endswith(f"docs/runbook.md#{s['name']}") for a in alerts)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_promtool_runs_the_generated_rule_tests(case, renders):
    files = renders[case.id] / "chart" / "files"
    proc = tools.run("promtool", ["test", "rules", "slo-rules.test.yaml"], cwd=files, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_promtool_runs_the_sli_tests_fed_with_raw_app_metrics(case, renders):
    """chart/files/slo-sli.test.yaml: healthy, failing and idle traffic (and a stuck worker) as the app's
    own metrics, through the generated recording rules to the alerts."""
    files = renders[case.id] / "chart" / "files"
    tests = yaml.safe_load((files / "slo-sli.test.yaml").read_text())["tests"]
    names = " / ".join(t["name"] for t in tests)
    assert all(word in names for word in ("healthy", "failing", "idle")), names
    proc = tools.run("promtool", ["test", "rules", "slo-sli.test.yaml"], cwd=files, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_sli_tests_feed_metrics_the_app_exports(case, renders):
    """Every raw series the SLI tests feed (bar `up`) is a metric the app skeleton registers."""
    root = renders[case.id]
    source = "\n".join(p.read_text() for p in (root / "app").glob("*.py"))
    exported = set(re.findall(r'"([a-z_]+(?:_total|_seconds|_success|_items))"', source))
    exported |= {f"{name}_{suffix}" for name in exported for suffix in ("bucket", "count", "sum")}
    tests = yaml.safe_load((root / "chart" / "files" / "slo-sli.test.yaml").read_text())["tests"]
    fed = {s["series"].split("{")[0] for t in tests for s in t["input_series"]} - {"up"}
    assert fed and fed <= exported, fed - exported
    queried = set(re.findall(r"([a-z_]+)\{", (root / "slo.yaml").read_text()))
    assert queried and queried <= fed, queried - fed  # every metric an SLO queries is fed by the tests


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_chart_refuses_to_render_without_generated_rules(case, renders, tmp_path):
    chart = tmp_path / "chart"
    shutil.copytree(renders[case.id] / "chart", chart)
    (chart / "files" / "slo-rules.yaml").unlink()
    proc = tools.run(
        "helm", ["template", "release", str(chart), "--namespace", "x", "--set", f"image.digest={TEST_DIGEST}"]
    )
    assert proc.returncode != 0 and "plat slo generate" in proc.stderr


# Raw series that burn every SLO's budget (all failures, stale successes), per template.
FAILING_SERIES = {
    "http-api": [
        ('http_requests_total{job="%s",code="500",method="GET",route="/"}', "0+60x200"),
        ('http_request_duration_seconds_count{job="%s",method="GET",route="/"}', "0+60x200"),
        ('http_request_duration_seconds_bucket{job="%s",method="GET",route="/",le="0.3"}', "0+0x200"),
    ],
    "worker": [
        ('worker_jobs_processed_total{job="%s"}', "0+60x200"),
        ('worker_jobs_failed_total{job="%s"}', "0+60x200"),
        ('worker_last_success_timestamp_seconds{job="%s"}', "-1000000+0x200"),
        ('worker_oldest_waiting_job_age_seconds{job="%s"}', "100000+60x200"),
    ],
    "cronjob": [
        ('cronjob_last_run_success{job="%s"}', "0+0x200"),
        ('cronjob_last_success_timestamp_seconds{job="%s"}', "-1000000+0x200"),
    ],
}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_promtool_unit_test_burn_rate_alerts_fire(case, manifests, renders, tmp_path):
    """Every SLO pages (and tickets) when the app's real metrics say everything fails."""
    rule = prometheus_rule(manifests[(case.id, "default")])
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rule["spec"]))
    slo = yaml.safe_load((renders[case.id] / "slo.yaml").read_text())
    eval_minutes = 70
    annotations = {  # as promtool shows them: Sloth's title and summary name the service and SLO by label
        (a["alert"], a["labels"]["sloth_severity"]): {
            k: v.replace("{{$labels.sloth_service}}", case.service).replace(
                "{{$labels.sloth_slo}}", re.search(r'sloth_slo="([^"]+)"', a["expr"]).group(1)
            )
            for k, v in a["annotations"].items()
        }
        for g in rule["spec"]["groups"]
        for a in g["rules"]
        if "alert" in a
    }
    alert_tests = []
    for s in slo["slos"]:
        alerting = s["alerting"]
        base = {
            **slo.get("labels", {}),
            **s.get("labels", {}),
            "sloth_id": f"{case.service}-{s['name']}",
            "sloth_service": case.service,
            "sloth_slo": s["name"],
            **alerting.get("labels", {}),
        }
        alert_tests.append(
            {
                "eval_time": f"{eval_minutes}m",
                "alertname": alerting["name"],
                "exp_alerts": [
                    {
                        "exp_labels": {**base, **alerting[f"{sev}_alert"].get("labels", {}), "sloth_severity": sev},
                        "exp_annotations": annotations[(alerting["name"], sev)],
                    }
                    for sev in ("page", "ticket")
                ],
            }
        )
    samples = eval_minutes + 10
    series = [
        {"series": name % case.service, "values": values.replace("x200", f"x{samples}")}
        for name, values in FAILING_SERIES[case.template]
    ]
    test = {
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": series, "alert_rule_test": alert_tests}],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test, sort_keys=False))
    proc = tools.run("promtool", ["test", "rules", "test.yaml"], cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_schema_is_valid_json_schema(case, renders):
    schema = json.loads((renders[case.id] / "chart" / "values.schema.json").read_text())
    values = yaml.safe_load((renders[case.id] / "chart" / "values.yaml").read_text())
    assert set(schema["required"]) <= set(values)
    assert set(values) <= set(schema["properties"])


@pytest.mark.parametrize("case", [c for c in CASES if c.answer_set == "defaults"], ids=lambda c: c.id)
def test_external_secrets_are_mounted_as_files(case, renders, tmp_path):
    values = tmp_path / "secrets.yaml"
    values.write_text(
        yaml.safe_dump(
            {
                "externalSecrets": [
                    {"name": "api-keys", "data": [{"secretKey": "token", "remoteKey": f"{case.service}/api-token"}]}
                ]
            }
        )
    )
    proc = tools.run(
        "helm",
        [
            "template",
            "release",
            str(renders[case.id] / "chart"),
            "--namespace",
            "x",
            "--set",
            f"image.digest={TEST_DIGEST}",
            "-f",
            str(values),
        ],
        check=True,
    )
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
    secret = next(d for d in docs if d["kind"] == "ExternalSecret")
    assert secret["metadata"]["namespace"] == "x"
    assert secret["spec"]["target"]["name"] == f"{case.service}-api-keys"
    pod = workload_pod(next(d for d in docs if d["kind"] in ("Deployment", "CronJob")))["spec"]
    (container,) = pod["containers"]
    mount = next(m for m in container["volumeMounts"] if m["name"] == "secret-api-keys")
    assert mount["readOnly"] is True and mount["mountPath"] == "/var/run/secrets/app/api-keys"
    assert not any("secretKeyRef" in str(e) for e in container.get("env", []))
    # A secret value in values.yaml env is refused by the schema.
    bad = tools.run(
        "helm",
        [
            "template",
            "release",
            str(renders[case.id] / "chart"),
            "--namespace",
            "x",
            "--set",
            f"image.digest={TEST_DIGEST}",
            "--set",
            "env.DB_PASSWORD=hunter2",
        ],
    )
    assert bad.returncode != 0 and "DB_PASSWORD" in bad.stderr
