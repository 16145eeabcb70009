"""Every ValidatingAdmissionPolicy admits every rendered golden-path manifest and denies each bad one.

The CEL expressions run in-process (tests/security/admission.py, cel-python). The good fixtures are
the Helm renders of every template x answer set x environment (tests/templates' matrix), plus the
pods their workloads make; the bad fixtures are those manifests with one rule broken each, and each
must be denied by exactly the policy for that rule, with that policy's message.
"""

from __future__ import annotations

import copy
import subprocess
from collections import Counter
from collections.abc import Callable

import pytest
import yaml

from platform_cli.gitops import tenancy
from tests.conftest import REPO_ROOT
from tests.templates.matrix import CASES, ENVIRONMENTS

from . import admission

POLICIES = admission.load()
ENVS = ("default", *ENVIRONMENTS)
EXPECTED = {
    "plat-require-requests-limits",
    "plat-require-probes",
    "plat-require-non-root",
    "plat-disallow-host-namespaces",
    "plat-require-image-digest",
    "plat-require-default-deny-networkpolicy",
}


def namespace_labels(service: str, team: str = "payments", env: str = "production") -> dict[str, str]:
    """The labels of the namespace plat's tenancy creates for the service (what the bindings select)."""
    t = tenancy.Tenancy(team, service, "acme", "", "", (env,))
    return tenancy.namespaces(tenancy.record(t))[tenancy.namespace_of(service, env)][0]["metadata"]["labels"]


def workload(docs) -> dict:
    return next(d for d in docs if d["kind"] in ("Deployment", "CronJob"))


def pod_of(doc: dict) -> dict:
    """The Pod a workload makes (owned by a ReplicaSet, or by a CronJob's Job)."""
    if doc["kind"] == "CronJob":
        template, owner = doc["spec"]["jobTemplate"]["spec"]["template"], "Job"
    else:
        template, owner = doc["spec"]["template"], "ReplicaSet"
    meta = {
        **template["metadata"],
        "name": "p",
        "ownerReferences": [{"kind": owner, "name": "o", "apiVersion": "v1", "uid": "u"}],
    }
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": copy.deepcopy(template["spec"])}


def test_the_policies_cover_every_golden_path_rule_and_validate_against_kubernetes_schemas():
    assert {p.name for p in POLICIES} == EXPECTED
    for p in POLICIES:
        assert p.spec["failurePolicy"] == "Fail" and p.binding["validationActions"] == ["Deny"]
        assert all(v["message"] for v in p.spec["validations"])
        assert p.binding["matchResources"]["namespaceSelector"]
    files = sorted(str(p) for p in admission.POLICIES.glob("*.yaml"))
    proc = subprocess.run(
        [str(REPO_ROOT / ".tools" / "bin" / "kubernetes-validate"), "--strict", "-k", "1.30.0", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    passed = [line for line in proc.stdout.splitlines() if " passed for resource " in line]
    assert proc.returncode == 0 and len(passed) == 2 * len(EXPECTED), proc.stdout + proc.stderr


def test_every_cel_expression_compiles():
    for p in POLICIES:
        for expression in admission.expressions(p):
            assert admission.program(expression) is not None, (p.name, expression)


def test_the_bindings_select_the_team_namespaces_only():
    for p in POLICIES:
        selector = p.binding["matchResources"]["namespaceSelector"]
        assert admission.selects(selector, namespace_labels("orders-api"))
        for system in ({}, {"kubernetes.io/metadata.name": "kube-system"}):
            assert not admission.selects(selector, system)


def test_every_rendered_manifest_passes_every_policy(manifests):
    applied: Counter[str] = Counter()
    for case in CASES:
        labels = namespace_labels(case.service, str(case.answers["owner"]))
        for env in ENVS:
            docs = list(manifests[(case.id, env)].docs)
            objects = docs + [pod_of(workload(docs))]
            for obj in objects:
                denials = admission.admit_all(POLICIES, obj, docs, labels)
                assert denials == [], f"{case.id} ({env}) {obj['kind']}: {[str(d) for d in denials]}"
                applied.update(p.name for p in POLICIES if admission.matches(p, obj, labels))
    assert set(applied) == EXPECTED  # every policy judged rendered objects: none passed by never applying
    assert applied["plat-require-probes"] >= 2 * 2 * 3 * len(ENVS)  # Deployments and their pods (http-api, worker)


def _http_api(manifests):
    docs = list(manifests[("http-api-defaults", "production")].docs)
    return docs, workload(docs)


def _cronjob(manifests):
    docs = list(manifests[("cronjob-defaults", "production")].docs)
    return docs, workload(docs)


def _container(obj: dict) -> dict:
    spec = (
        obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        if obj["kind"] == "CronJob"
        else obj["spec"]["template"]["spec"]
    )
    return spec["containers"][0]


def _pod_spec(obj: dict) -> dict:
    return (
        obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        if obj["kind"] == "CronJob"
        else obj["spec"]["template"]["spec"]
    )


def _init_container(obj: dict) -> None:
    c = copy.deepcopy(_container(obj))
    c["name"] = "init"
    del c["resources"]["limits"]
    _pod_spec(obj)["initContainers"] = [c]


def _same_probes(obj: dict) -> None:
    c = _container(obj)
    c["readinessProbe"] = copy.deepcopy(c["livenessProbe"])


def _without_default_deny(docs: list) -> list:
    return [d for d in docs if not (d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "default-deny-all")]


def _weakened_default_deny(docs: list) -> list:
    docs = copy.deepcopy(docs)
    deny = next(d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "default-deny-all")
    deny["spec"]["egress"] = [{}]  # allow all egress
    return docs


# id -> (which render, how the workload is broken, how the namespace is broken, the policy that must deny)
Mutation = Callable[[dict], None]
BAD: dict[str, tuple[str, Mutation | None, Callable[[list], list] | None, str]] = {
    "no-limits": ("http-api", lambda o: _container(o)["resources"].pop("limits"), None, "plat-require-requests-limits"),
    "no-ephemeral-storage-request": (
        "cronjob",
        lambda o: _container(o)["resources"]["requests"].pop("ephemeral-storage"),
        None,
        "plat-require-requests-limits",
    ),
    "init-container-without-limits": ("http-api", _init_container, None, "plat-require-requests-limits"),
    "no-liveness-probe": ("http-api", lambda o: _container(o).pop("livenessProbe"), None, "plat-require-probes"),
    "readiness-same-as-liveness": ("http-api", _same_probes, None, "plat-require-probes"),
    "run-as-root": (
        "http-api",
        lambda o: _pod_spec(o)["securityContext"].update(runAsUser=0),
        None,
        "plat-require-non-root",
    ),
    "run-as-non-root-false": (
        "cronjob",
        lambda o: _pod_spec(o)["securityContext"].update(runAsNonRoot=False),
        None,
        "plat-require-non-root",
    ),
    "no-seccomp": (
        "http-api",
        lambda o: _pod_spec(o)["securityContext"].pop("seccompProfile"),
        None,
        "plat-require-non-root",
    ),
    "privileged": (
        "http-api",
        lambda o: _container(o)["securityContext"].update(privileged=True),
        None,
        "plat-require-non-root",
    ),
    "privilege-escalation": (
        "cronjob",
        lambda o: _container(o)["securityContext"].update(allowPrivilegeEscalation=True),
        None,
        "plat-require-non-root",
    ),
    "capabilities-kept": (
        "http-api",
        lambda o: _container(o)["securityContext"]["capabilities"].update(drop=["NET_RAW"]),
        None,
        "plat-require-non-root",
    ),
    "host-network": (
        "http-api",
        lambda o: _pod_spec(o).update(hostNetwork=True),
        None,
        "plat-disallow-host-namespaces",
    ),
    "host-pid": ("cronjob", lambda o: _pod_spec(o).update(hostPID=True), None, "plat-disallow-host-namespaces"),
    "host-port": (
        "http-api",
        lambda o: _container(o)["ports"][0].update(hostPort=8080),
        None,
        "plat-disallow-host-namespaces",
    ),
    "host-path": (
        "cronjob",
        lambda o: _pod_spec(o)["volumes"].append({"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}),
        None,
        "plat-disallow-host-namespaces",
    ),
    "image-by-tag": (
        "http-api",
        lambda o: _container(o).update(image=_container(o)["image"].split("@")[0] + ":latest"),
        None,
        "plat-require-image-digest",
    ),
    "image-tag-and-short-digest": (
        "cronjob",
        lambda o: _container(o).update(image=_container(o)["image"].split("@")[0] + ":1.0@sha256:abc"),
        None,
        "plat-require-image-digest",
    ),
    "no-default-deny-in-namespace": (
        "http-api",
        None,
        _without_default_deny,
        "plat-require-default-deny-networkpolicy",
    ),
    "default-deny-that-allows-egress": (
        "cronjob",
        None,
        _weakened_default_deny,
        "plat-require-default-deny-networkpolicy",
    ),
}


def policy_messages(name: str) -> set[str]:
    policy = next(p for p in POLICIES if p.name == name)
    messages = {v["message"] for v in policy.spec["validations"]}
    return messages | ({admission.NO_PARAMS} if "paramKind" in policy.spec else set())


@pytest.mark.parametrize("case_id", sorted(BAD))
def test_each_bad_manifest_is_denied_by_its_policy_with_its_message(case_id, manifests):
    render, break_workload, break_namespace, policy = BAD[case_id]
    docs, obj = (_http_api if render == "http-api" else _cronjob)(manifests)
    obj = copy.deepcopy(obj)
    if break_workload:
        break_workload(obj)
    namespace = break_namespace(docs) if break_namespace else docs
    labels = namespace_labels(obj["metadata"]["labels"]["app.kubernetes.io/name"])
    for candidate in (obj, pod_of(obj)):  # the workload, and a pod made from it, are both refused
        denials = admission.admit_all(POLICIES, candidate, namespace, labels)
        if candidate["kind"] == "Pod" and policy == "plat-require-probes" and render == "cronjob":
            continue
        assert denials, f"{case_id}: {candidate['kind']} admitted"
        assert {d.policy for d in denials} == {policy}, [str(d) for d in denials]
        assert {d.message for d in denials} <= policy_messages(policy), [str(d) for d in denials]


def test_pods_of_jobs_need_no_probes_but_pods_of_replicasets_do(manifests):
    docs, cron = _cronjob(manifests)
    pod = pod_of(cron)
    labels = namespace_labels("orders-api")
    assert "livenessProbe" not in pod["spec"]["containers"][0]
    assert admission.admit_all(POLICIES, pod, docs, labels) == []
    pod["metadata"]["ownerReferences"][0]["kind"] = "ReplicaSet"
    assert {d.policy for d in admission.admit_all(POLICIES, pod, docs, labels)} == {"plat-require-probes"}


def test_outside_team_namespaces_nothing_is_judged(manifests):
    _, obj = _http_api(manifests)
    obj = copy.deepcopy(obj)
    _pod_spec(obj).update(hostNetwork=True)
    assert admission.admit_all(POLICIES, obj, [], {"kubernetes.io/metadata.name": "kube-system"}) == []


def test_kyverno_and_admission_policies_enforce_the_same_rules():
    kyverno = {
        doc["metadata"]["name"]
        for path in (REPO_ROOT / "policies" / "kyverno").glob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    }
    assert kyverno == EXPECTED
