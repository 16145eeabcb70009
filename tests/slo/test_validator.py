"""One validator: `plat slo generate` and doctor's PLAT-SLO-002 accept exactly the same SLO files, and
say the same thing about the ones they reject."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from platform_cli.checks import slo as slo_check
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.manifests import Render
from platform_cli.commands import slo as slo_cmd
from platform_cli.errors import UsageError
from platform_cli.models import Ownership
from platform_cli.slo import files as slo_files
from platform_cli.slo import rules
from platform_cli.slo import spec as spec_mod
from tests.slo.test_slo import HTTP_SLO, promtool

RAW = {
    "raw": {
        "error_ratio_query": 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))\n'
        "/\nsum(rate(http_requests_total[{{.window}}]))"
    }
}


def with_slo(**changes) -> dict:
    data = copy.deepcopy(HTTP_SLO)
    data["slos"][0].update(changes)
    return data


CASES = {  # name: (slo.yaml content, accepted)
    "valid events": (HTTP_SLO, True),
    "raw SLI": (with_slo(sli=RAW), True),
    "alerting without labels": (with_slo(alerting={"name": "PaymentsDown"}), True),
    "objective true": (with_slo(objective=True), False),
    "objective 150": (with_slo(objective=150), False),
    "no sli": (with_slo(sli={}), False),
    "raw without window": (with_slo(sli={"raw": {"error_ratio_query": "rate(errors[5m])"}}), False),
    "plugin SLI": (with_slo(sli={"plugin": {"id": "sloth-common/availability"}}), False),
    "no name": (with_slo(name=""), False),
    "alert without name": (with_slo(alerting={"labels": {"team": "a"}}), False),
    "labels not a mapping": (with_slo(labels=["a"]), False),
    "duplicate names": ({**HTTP_SLO, "slos": HTTP_SLO["slos"] * 2}, False),
    "period_days true": ({**HTTP_SLO, "period_days": True}, False),
    "wrong version": ({**HTTP_SLO, "version": "sloth/v1"}, False),
    "no slos": ({**HTTP_SLO, "slos": []}, False),
    "a list": ([HTTP_SLO], False),
}


def repo_with(tmp_path: Path, data) -> Path:
    repo = tmp_path / "payments"
    repo.mkdir()
    (repo / "slo.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return repo


def no_render() -> Render:
    raise AssertionError("the SLO rules never need the rendered chart")


def doctor_invalid(repo: Path) -> list:
    ctx = ServiceContext(
        root=repo,
        answers={"service_name": "payments"},
        template_name="http-api",
        version_in_use="",
        latest_version=None,
        ownership=Ownership(),
        baseline=None,
        pending_render=no_render,
    )
    return [f for f in slo_check.check(ctx) if f.rule_id == slo_check.VALID.id]


def generate_error(repo: Path) -> str | None:
    try:
        slo_cmd.generate(repo, check=True)
    except UsageError as exc:
        assert exc.hint
        return exc.message
    return None


@pytest.mark.parametrize("name", CASES)
def test_generate_accepts_exactly_what_doctor_accepts(tmp_path, name):
    data, accepted = CASES[name]
    repo = repo_with(tmp_path, data)
    findings, error = doctor_invalid(repo), generate_error(repo)
    assert (error is None) == (not findings) == accepted, (error, findings)
    if not accepted:  # the same first problem, in both words
        assert findings[0].message in error and findings[0].remediation
        assert all(f.line >= 1 and f.file == "slo.yaml" for f in findings)


def test_doctor_points_at_the_slo_and_the_key(tmp_path):
    data = {**with_slo(objective=True), "period_days": 0}
    repo = repo_with(tmp_path, data)
    lines = (repo / "slo.yaml").read_text().splitlines()
    found = {f.message.split(":")[0]: f.line for f in doctor_invalid(repo)}
    assert lines[found["slos[0] (requests-availability)"] - 1].lstrip("- ").startswith("name: requests-availability")
    assert lines[found["period_days must be a whole number of days (1-90)"] - 1].startswith("period_days:")


def test_doctor_alone_knows_the_service_name(tmp_path):
    repo = repo_with(tmp_path, {**HTTP_SLO, "service": "orders"})
    assert [f.message for f in doctor_invalid(repo)] == ["service is 'orders', expected 'payments'"]
    assert generate_error(repo) is None  # the file is a valid spec; doctor checks it belongs to this repo


def test_a_raw_sli_records_its_ratio_and_promtool_passes_the_generated_tests(tmp_path):
    repo = repo_with(tmp_path, with_slo(sli=RAW))
    slo_cmd.generate(repo)
    spec = slo_files.load(repo)
    sli = rules.rule_groups(spec)["groups"][0]["rules"]
    assert sli[0]["expr"].startswith('(sum(rate(http_requests_total{code=~"5.."}[5m]))\n/\n')
    files = repo / "chart/files"
    for args in (("check", "rules", "slo-rules.yaml"), ("test", "rules", "slo-rules.test.yaml")):
        result = promtool(*args, cwd=files)
        assert result.returncode == 0, result.stdout + result.stderr


def test_problems_are_all_listed_not_just_the_first():
    found = spec_mod.problems({**with_slo(objective=True, sli={}), "period_days": 200})
    assert [p.message.split(":")[0] for p in found] == ["period_days must be a whole number of days (1-90)"] + [
        "slos[0] (requests-availability)"
    ] * 2
