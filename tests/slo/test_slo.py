"""SLO rules: generated from each template's slo.yaml, checked and unit-tested by promtool."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_cli.commands import slo as slo_cmd
from platform_cli.errors import UsageError
from platform_cli.slo import files as slo_files
from platform_cli.slo import rules, unit
from platform_cli.slo import spec as spec_mod
from tests.templates.tools import find

HTTP_SLO: dict[str, Any] = {
    "version": "prometheus/v1",
    "service": "payments",
    "labels": {"owner": "team-a"},
    "slos": [
        {
            "name": "requests-availability",
            "objective": 99.9,
            "sli": {
                "events": {
                    "error_query": 'sum(rate(http_requests_total{job="payments",code=~"5.."}[{{.window}}]))',
                    "total_query": 'sum(rate(http_requests_total{job="payments"}[{{.window}}]))',
                }
            },
            "alerting": {
                "name": "PaymentsHighErrorRate",
                "labels": {"category": "availability"},
                "annotations": {"summary": "High error rate"},
                "page_alert": {"labels": {"severity": "critical"}},
                "ticket_alert": {"labels": {"severity": "warning"}},
            },
        }
    ],
}


def promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([find("promtool"), *args], cwd=cwd, capture_output=True, text=True, check=False)


def write_rules(tmp_path: Path, spec: spec_mod.Spec, cases: list[dict] | None = None) -> Path:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules.rule_groups(spec), sort_keys=False))
    tests = unit.test_file(spec, "rules.yaml")
    if cases is not None:
        tests["tests"] = cases
    (tmp_path / "rules.test.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    return tmp_path


def test_burn_rate_factors_derive_from_the_period():
    assert [w.factor(30) for w in rules.BURN_WINDOWS] == [14.4, 6.0, 3.0, 1.0]
    assert [w.factor(28) for w in rules.BURN_WINDOWS] == [
        13.44,
        5.6000000000000005,
        2.8000000000000003,
        0.9333333333333333,
    ]  # as Sloth prints them


@pytest.mark.parametrize("ratio, firing", [(0.10, ("page", "ticket")), (0.005, ("ticket",)), (0.0, ())])
def test_issue_thresholds_at_99_9(tmp_path, ratio, firing):
    """99.9%: 10% errors page and ticket; 0.5% only tickets; 0% is silent — proven by promtool."""
    spec = spec_mod.parse(HTTP_SLO)
    case = unit.case(spec.slos[0], "issue threshold", ratio, firing)
    out = promtool("test", "rules", "rules.test.yaml", cwd=write_rules(tmp_path, spec, [case]))
    assert out.returncode == 0, out.stdout + out.stderr
    labels = [a["exp_labels"] for a in case["alert_rule_test"][0]["exp_alerts"]]
    assert {"page": "critical", "ticket": "warning"}.keys() >= {label["sloth_severity"] for label in labels}
    assert all(
        label["severity"] == {"page": "critical", "ticket": "warning"}[label["sloth_severity"]] for label in labels
    )


def test_a_wrong_expectation_fails_promtool(tmp_path):
    """The generated cases can fail: claiming a page at 0.5% errors must be refuted."""
    spec = spec_mod.parse(HTTP_SLO)
    wrong = unit.case(spec.slos[0], "wrong", 0.005, ("page", "ticket"))
    assert promtool("test", "rules", "rules.test.yaml", cwd=write_rules(tmp_path, spec, [wrong])).returncode != 0


def test_spec_labels_reach_the_alerts():
    alerts = [r for g in rules.rule_groups(spec_mod.parse(HTTP_SLO))["groups"] for r in g["rules"] if "alert" in r]
    assert [(a["labels"]["severity"], a["labels"]["sloth_severity"], a["labels"]["category"]) for a in alerts] == [
        ("critical", "page", "availability"),
        ("warning", "ticket", "availability"),
    ]


@pytest.mark.parametrize(
    "broken, message",
    [
        ({"version": "v2"}, "prometheus/v1"),
        ({"slos": []}, "no SLOs"),
        ({"slos": [{"name": "ab", "objective": 120, "sli": {}}]}, "percentage"),
        (
            {"slos": [{"name": "ab", "objective": 99, "sli": {"events": {"error_query": "x", "total_query": "y"}}}]},
            "{{.window}}",
        ),
    ],
)
def test_bad_specs_are_rejected_with_a_hint(broken, message):
    with pytest.raises(UsageError, match=message) as info:
        spec_mod.parse({**HTTP_SLO, **broken})
    assert info.value.hint


def test_every_template_slo_file_generates_rules_promtool_accepts(real_services):
    for kind, repo in real_services.items():
        result = slo_files.generate(repo, write=False)
        assert result.stale == (), f"{kind}: the rendered rules are not what slo.yaml gives: {result.stale}"
        files = repo / "chart" / "files"
        check = promtool("check", "rules", "slo-rules.yaml", cwd=files)
        assert check.returncode == 0 and "SUCCESS" in check.stdout, check.stdout + check.stderr
        test = promtool("test", "rules", "slo-rules.test.yaml", cwd=files)
        assert test.returncode == 0, test.stdout + test.stderr
        assert len(yaml.safe_load((files / "slo-rules.test.yaml").read_text())["tests"]) == 8


def test_generate_check_reports_a_stale_file(real_services, tmp_path):
    import shutil

    repo = tmp_path / "svc"
    shutil.copytree(real_services["http-api"], repo)
    slo_file = repo / "slo.yaml"
    slo_file.write_text(slo_file.read_text().replace("objective: 99.9", "objective: 99.5"))
    assert slo_cmd.generate(repo, check=True).stale == (slo_files.RULES_FILE, slo_files.TESTS_FILE)
    slo_cmd.generate(repo)
    assert slo_cmd.generate(repo, check=True).stale == ()
