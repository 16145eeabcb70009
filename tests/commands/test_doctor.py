"""`plat doctor` end to end: clean services, version lag, exemptions, --fix, JSON, SARIF, exit codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from platform_cli import git
from platform_cli.checks.registry import all_rules
from platform_cli.checks.tools import Tools
from platform_cli.cli import app
from platform_cli.cli.sarif import to_sarif
from platform_cli.commands.doctor import apply_fix, fix_plan
from platform_cli.config import Settings
from platform_cli.errors import UsageError
from tests.checks.support import TODAY, TOOLS, edit, golden_settings, ids, make_service, needs_helm, run_doctor, service  # noqa: F401 - fixtures
from tests.conftest import REPO_ROOT

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "checks" / "data" / "sarif-schema-2.1.0.json"
CHECK_JSONSCHEMA = REPO_ROOT / ".tools" / "bin" / "check-jsonschema"
DEPLOY = "chart/templates/deployment.yaml"
NOT_GITHUB = "actions-settings"  # skipped, not applicable: the local forge runs no GitHub Actions


def test_fresh_service_is_gold_with_no_findings(service, golden_settings):
    report = run_doctor(service, golden_settings)
    assert report.findings == () and report.exempted == ()
    assert report.level == ("gold" if TOOLS.helm else "none") and report.score == 100
    assert report.version_in_use == "v0.1.0" and report.versions_behind == 0
    if TOOLS.helm:
        assert [(s.family, s.unverified) for s in report.skipped] == [(NOT_GITHUB, ())]  # local forge: no Actions
        assert len(report.rules_run) >= 25


@needs_helm
def test_fresh_http_api_service_is_clean(tmp_path):
    settings = Settings(home=tmp_path / "plathome", template_source=REPO_ROOT, org="acme")
    service = make_service(settings, tmp_path, "payments", template="http-api")
    report = run_doctor(service, settings)
    assert [(f.rule_id, f.file, f.line, f.message) for f in report.findings] == []
    assert report.level == "gold" and [(s.family, s.unverified) for s in report.skipped] == [(NOT_GITHUB, ())]
    staging = "terraform/environments/staging/main.tf"
    edit(service, staging, "cost-center", "# cost-center", commit=False)
    edit(service, "chart/values.yaml", "autoscaling:\n  enabled: true", "autoscaling:\n  enabled: false", commit=False)
    git.commit_all(service, "seed defects")
    seeded = {f.rule_id: f for f in run_doctor(service, settings).findings}
    assert seeded["PLAT-TF-002"].file == staging and "cost-center" in seeded["PLAT-TF-002"].message
    assert seeded["PLAT-DRIFT-001"].file == staging  # terraform/**/*.tf is platform-owned
    assert seeded["PLAT-K8S-007"].file == "chart/templates/deployment.yaml"


def test_without_helm_the_chart_checks_are_skipped_and_said(service, golden_settings):
    report = run_doctor(service, golden_settings, tools=Tools(helm=None))
    skipped = {s.family: s for s in report.skipped}
    assert set(skipped) == {"kubernetes-workloads", "kubernetes-cluster", NOT_GITHUB}
    assert "helm not found" in skipped["kubernetes-workloads"].reason
    assert "PLAT-K8S-001" in skipped["kubernetes-workloads"].rules
    assert report.findings == () and report.level == "none", "bronze needs the chart checks to have run"
    assert report.to_json()["skipped"][0]["verified"] is False
    assert "install helm 3.8+ (brew install helm" in skipped["kubernetes-workloads"].reason  # the way out
    result = CliRunner().invoke(app, ["doctor", str(service)], env=_env(golden_settings, PATH="/nonexistent"))
    # the CLI discovers helm itself (.tools/bin first), so only check the wording when it is absent
    if TOOLS.helm is None:
        assert "helm not found" in result.output


def test_a_service_without_a_chart_is_not_unverified_for_want_of_helm(service, golden_settings):
    import shutil

    shutil.rmtree(service / "chart")
    git.commit_all(service, "no chart")
    report = run_doctor(service, golden_settings, tools=Tools(helm=None))
    assert {s.family for s in report.skipped} == {"kubernetes-workloads", "kubernetes-cluster", NOT_GITHUB}
    assert all(not s.unverified for s in report.skipped)
    assert report.level == "bronze"  # the deleted chart is drift (silver), nothing bronze is unverified


def test_version_lag_says_which_upgrade_fixes_it(service, golden_settings):
    src = golden_settings.template_source
    (src / "templates" / "VERSION").write_text("0.3.0\n")
    store = golden_settings.home / "templates" / "mini"
    git.run(["tag", "v0.2.0"], store)
    report = run_doctor(service, golden_settings)
    lag = next(f for f in report.findings if f.rule_id == "PLAT-VER-001")
    assert report.versions_behind == 2 and lag.severity == "medium"
    assert lag.remediation == "plat upgrade --to 0.3.0"
    assert (lag.file, lag.line) == (".copier-answers.yml", _line(service / ".copier-answers.yml", "_commit:"))
    assert report.level == "silver"


@needs_helm
def test_policy_finding_in_platform_file_of_old_version_points_at_upgrade(service, golden_settings):
    (golden_settings.template_source / "templates" / "VERSION").write_text("0.2.0\n")
    edit(service, "chart/values.yaml", "replicaCount: 2", "replicaCount: 2\nextra: 1")  # shared: no drift
    edit(service, "chart/values.yaml", "  enabled: true", "  enabled: false")
    report = run_doctor(service, golden_settings)
    hpa = next(f for f in report.findings if f.rule_id == "PLAT-K8S-007")
    assert hpa.remediation.startswith("plat upgrade --to 0.2.0")


def _exemptions(service: Path, body: str) -> None:
    (service / ".plat").mkdir(exist_ok=True)
    (service / ".plat" / "exemptions.yml").write_text(body)


def test_exemption_with_future_expiry_exempts(service, golden_settings):
    (service / "slo.yaml").unlink()
    _exemptions(
        service,
        "exemptions:\n  - id: PLAT-SLO-001\n    reason: batch tool, no users\n"
        "    owner: team-a\n    expires: 2026-12-31\n",
    )
    report = run_doctor(service, golden_settings)
    assert report.findings == ()
    ((finding, exemption),) = report.exempted
    assert finding.rule_id == "PLAT-SLO-001" and exemption.owner == "team-a"
    assert exemption.expires == dt.date(2026, 12, 31)
    assert report.level == "gold"


def test_expired_exemption_turns_back_into_findings(service, golden_settings):
    (service / "slo.yaml").unlink()
    _exemptions(
        service,
        "exemptions:\n  - id: PLAT-SLO-001\n    reason: batch tool\n    owner: team-a\n    expires: 2026-05-31\n",
    )
    report = run_doctor(service, golden_settings, clock=lambda: TODAY)
    assert sorted(ids(report)) == ["PLAT-EXEMPT-001", "PLAT-SLO-001"]
    expired = next(f for f in report.findings if f.rule_id == "PLAT-EXEMPT-001")
    assert "expired on 2026-05-31" in expired.message
    assert (expired.file, expired.line) == (".plat/exemptions.yml", 2)
    still_valid = run_doctor(service, golden_settings, clock=lambda: dt.date(2026, 5, 31))
    assert still_valid.findings == ()


def test_exemption_without_expiry_is_not_applied(service, golden_settings):
    (service / "slo.yaml").unlink()
    _exemptions(service, "exemptions:\n  - id: PLAT-SLO-001\n    reason: forever\n    owner: team-a\n")
    report = run_doctor(service, golden_settings)
    assert sorted(ids(report)) == ["PLAT-EXEMPT-002", "PLAT-SLO-001"]
    assert "lacks expires" in next(f.message for f in report.findings if f.rule_id == "PLAT-EXEMPT-002")


def test_exemption_scoped_to_a_file(service, golden_settings):
    (service / "slo.yaml").unlink()
    _exemptions(
        service, "exemptions:\n  - {id: PLAT-SLO-001, reason: r, owner: o, expires: 2027-01-01, file: other.yaml}\n"
    )
    assert ids(run_doctor(service, golden_settings)) == ["PLAT-SLO-001"]


def test_bad_exemptions_file_is_an_error(service, golden_settings):
    _exemptions(service, "exemptions: [unclosed\n")
    with pytest.raises(UsageError, match="not valid YAML"):
        run_doctor(service, golden_settings)


def test_not_a_service_is_an_error_with_a_hint(tmp_path, golden_settings):
    git.init(tmp_path / "plain")
    with pytest.raises(UsageError, match="not a golden-path service") as info:
        run_doctor(tmp_path / "plain", golden_settings)
    assert info.value.hint


def test_fix_restores_platform_files_only_after_showing_the_diff(service, golden_settings):
    edit(service, DEPLOY, "imagePullPolicy: Always", "imagePullPolicy: IfNotPresent", commit=False)
    edit(service, "chart/values.yaml", "replicaCount: 2", "replicaCount: 3", commit=False)
    (service / "chart/templates/pdb.yaml").unlink()
    git.commit_all(service, "local changes")
    plan = fix_plan(service, golden_settings)
    assert plan.paths == ("chart/templates/deployment.yaml", "chart/templates/pdb.yaml")
    # what the fix does, yours → golden: your line goes, the golden one comes back, the file is re-added
    assert "-          imagePullPolicy: IfNotPresent" in plan.diff and "+          imagePullPolicy: Always" in plan.diff
    assert "new file" in plan.diff and "--- yours/chart/templates/deployment.yaml" in plan.diff
    assert apply_fix(plan) == plan.paths
    assert "imagePullPolicy: Always" in (service / DEPLOY).read_text()
    assert (service / "chart/templates/pdb.yaml").is_file()
    assert "replicaCount: 3" in (service / "chart/values.yaml").read_text()  # shared: untouched
    assert run_doctor(service, golden_settings).findings == ()


def test_fix_refuses_a_dirty_worktree(service, golden_settings):
    edit(service, DEPLOY, "imagePullPolicy: Always", "imagePullPolicy: Never", commit=False)
    with pytest.raises(UsageError, match="uncommitted changes") as info:
        fix_plan(service, golden_settings)
    assert "commit or stash" in info.value.hint
    assert "Never" in (service / DEPLOY).read_text()


def test_cli_fix_dry_run_shows_diff_and_changes_nothing(service, golden_settings):
    edit(service, DEPLOY, "imagePullPolicy: Always", "imagePullPolicy: Never")
    result = CliRunner().invoke(app, ["doctor", str(service), "--fix", "--dry-run"], env=_env(golden_settings))
    assert result.exit_code == 0, result.output
    assert (
        "-          imagePullPolicy: Never" in result.output and "+          imagePullPolicy: Always" in result.output
    )
    assert "would restore" in result.output
    assert "Never" in (service / DEPLOY).read_text()


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {"PLAT_TEMPLATE_SOURCE": str(settings.template_source), "PLAT_HOME": str(settings.home), **extra}


def test_cli_exit_codes_and_fail_on(service, golden_settings):
    runner, env = CliRunner(), _env(golden_settings)
    clean = runner.invoke(app, ["doctor", str(service)], env=env)
    assert clean.exit_code == 0, clean.output
    assert "level gold" in clean.output and "score 100/100" in clean.output
    (service / "slo.yaml").unlink()  # a medium finding
    assert runner.invoke(app, ["doctor", str(service)], env=env).exit_code == 0
    medium = runner.invoke(app, ["doctor", str(service), "--fail-on", "medium"], env=env)
    assert medium.exit_code == 4 and "PLAT-SLO-001" in medium.output
    assert runner.invoke(app, ["doctor", str(service), "--fail-on", "severe"], env=env).exit_code == 2
    assert runner.invoke(app, ["doctor", str(service / "nope")], env=env).exit_code == 1


def test_cli_json_document(service, golden_settings):
    (service / "catalog-info.yaml").unlink()
    result = CliRunner().invoke(
        app, ["doctor", str(service), "--json", "--fail-on", "medium"], env=_env(golden_settings)
    )
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    assert data["level"] == "none" and data["failing"] == 1 and data["fail_on"] == "medium"
    (finding,) = data["findings"]
    assert finding == {
        "id": "PLAT-CAT-001",
        "title": "Catalog entry present and valid",
        "message": "no catalog-info.yaml: the service is not in the catalog",
        "severity": "medium",
        "level": "bronze",
        "file": "catalog-info.yaml",
        "line": 1,
        "source": "plat",
        "remediation": finding["remediation"],
    }
    assert {"service", "template", "version", "score", "rules_run", "skipped", "exempted"} <= set(data)


def _sarif_for(service: Path, settings: Settings) -> dict:
    (service / "slo.yaml").unlink()
    edit(service, ".github/workflows/ci.yml", "permissions: {}", "permissions: write-all", commit=False)
    _exemptions(service, "exemptions:\n  - {id: PLAT-SLO-001, reason: r, owner: o, expires: 2027-01-01}\n")
    result = CliRunner().invoke(app, ["doctor", str(service), "--sarif"], env=_env(settings))
    assert result.exit_code == 4, result.output
    return json.loads(result.stdout)


def test_sarif_structure(service, golden_settings):
    sarif = _sarif_for(service, golden_settings)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]["physicalLocation"]
        assert not Path(location["artifactLocation"]["uri"]).is_absolute()
        assert location["region"]["startLine"] >= 1
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["PLAT-GHA-002"]["level"] == "error"
    assert by_rule["PLAT-SLO-001"]["suppressions"][0]["kind"] == "external"


@pytest.mark.skipif(not CHECK_JSONSCHEMA.exists(), reason="check-jsonschema not installed (scripts/install-test-tools)")
def test_sarif_validates_against_the_sarif_2_1_0_schema(service, golden_settings, tmp_path):
    path = tmp_path / "doctor.sarif"
    path.write_text(json.dumps(_sarif_for(service, golden_settings)))
    proc = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(SARIF_SCHEMA), str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sarif_of_a_clean_report_is_valid_too(service, golden_settings):
    sarif = to_sarif(run_doctor(service, golden_settings), all_rules())
    assert sarif["runs"][0]["results"] == [] and sarif["runs"][0]["tool"]["driver"]["rules"]


@pytest.mark.slow
@pytest.mark.skipif(
    not (TOOLS.checkov and TOOLS.zizmor and TOOLS.promtool and TOOLS.helm),
    reason="--deep needs checkov, zizmor, promtool and helm (scripts/install-test-tools)",
)
def test_deep_folds_in_the_scanners(service, golden_settings):
    clean = run_doctor(service, golden_settings, tools=TOOLS, deep=True)
    assert clean.findings == () and {"PLAT-DEEP-CHECKOV", "PLAT-DEEP-ZIZMOR", "PLAT-DEEP-PROMTOOL"} <= {
        r.id for r in clean.rules_run
    }
    edit(service, ".github/workflows/ci.yml", "on: push", "on: push\n# seeded\n", commit=False)
    (service / ".github/workflows/lint.yml").write_text(
        "on: push\npermissions: {}\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: echo ${{ github.event.head_commit.message }}\n"
    )
    edit(service, "chart/templates/prometheusrule.yaml", "expr: sum(", "expr: sum((", commit=False)
    report = run_doctor(service, golden_settings, tools=TOOLS, deep=True)
    sources = {f.source for f in report.findings}
    assert {"zizmor", "promtool"} <= sources, [(f.rule_id, f.source) for f in report.findings]
    zizmor = [f for f in report.findings if f.source == "zizmor"]
    assert all(f.file == ".github/workflows/lint.yml" and f.line > 1 for f in zizmor)


def _line(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_human_report_groups_by_level_and_says_what_was_skipped(service, golden_settings):
    import io

    from platform_cli.cli.doctor import render
    from platform_cli.console import Console

    (service / "catalog-info.yaml").unlink()
    (service / "slo.yaml").write_text("version: prometheus/v1\nservice: payments\nslos: []\n")
    report = run_doctor(service, golden_settings, tools=Tools(helm=None))
    out = io.StringIO()
    render(Console(stdout=out), report, "high")
    text = out.getvalue()
    assert "bronze (1)" in text and "gold (1)" in text and "silver" not in text
    assert "skipped kubernetes-workloads" in text and "helm not found" in text
    assert "level none" in text and "2 finding(s), 0 at or above high" in text


def test_diff_shows_platform_drift_only(service, golden_settings):
    edit(service, DEPLOY, "imagePullPolicy: Always", "imagePullPolicy: Never", commit=False)
    edit(service, "chart/values.yaml", "replicaCount: 2", "replicaCount: 5", commit=False)
    report = run_doctor(service, golden_settings, with_diff=True)
    assert "+          imagePullPolicy: Never" in report.diff and "replicaCount" not in report.diff
    assert "--- golden/chart/templates/deployment.yaml" in report.diff  # drift: golden → yours
    assert run_doctor(service, golden_settings).diff == ""


def test_a_fresh_clone_uses_the_remote_baseline(service, golden_settings, tmp_path):
    clone = tmp_path / "ci-checkout"
    git.clone(git.run(["remote", "get-url", "origin"], service), clone)
    assert not git.ref_exists(clone, "refs/heads/plat/template")
    assert run_doctor(clone, golden_settings).findings == ()
    (clone / "chart/templates/pdb.yaml").unlink()
    assert "PLAT-DRIFT-002" in ids(run_doctor(clone / "chart", golden_settings))  # from a subdirectory too


def test_slo_rules_out_of_date_with_the_slo_file(tmp_path):
    settings = Settings(home=tmp_path / "plathome", template_source=REPO_ROOT, org="acme")
    service = make_service(settings, tmp_path, "payments", template="http-api")
    edit(service, "slo.yaml", "objective: 99.9", "objective: 99.5")
    stale = [f for f in run_doctor(service, settings).findings if f.rule_id == "PLAT-SLO-003"]
    assert sorted(f.file for f in stale) == ["chart/files/slo-rules.test.yaml", "chart/files/slo-rules.yaml"]
    assert "plat slo generate" in stale[0].remediation


def test_an_unknown_latest_version_is_never_up_to_date_and_holds_the_level(service, golden_settings, tmp_path):
    elsewhere = dataclasses.replace(golden_settings, template_source=tmp_path / "no-templates-here")
    report = run_doctor(service, elsewhere)
    assert report.latest_version is None and report.level != "gold"
    [version] = [s for s in report.skipped if s.family == "version"]
    assert version.unverified and "latest version unknown" in version.reason
    result = CliRunner().invoke(app, ["doctor", str(service)], env=_env(elsewhere))
    assert "latest unknown, lag unknown" in result.output and "up to date" not in result.output
