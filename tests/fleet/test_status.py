"""`plat fleet status` on a fleet built on the local forge: each row as the service really is."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from platform_cli import git
from platform_cli.cli.app import app
from platform_cli.commands import fleet
from platform_cli.fleet import status
from platform_cli.fleet.cache import DoctorCache
from platform_cli.fleet.releases import Releases
from platform_cli.gitops import inventory
from tests.upgrade_helpers import edit

from .conftest import SERVICES, collaborators, copy_of, upgrader

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def scanned(built, tmp_path_factory):
    """A copy of the fleet with charlie's upgrade pull request open (it conflicts), scanned twice."""
    from tests.conftest import hermetic_session_env

    fc = copy_of(built, tmp_path_factory.mktemp("scanned") / "fleet")
    with hermetic_session_env(fc.root / "env"):
        charlie = fc.root / "charlie"
        fc.forge.clone("acme", "charlie", charlie)
        upgrader(fc.settings, fc.forge)(charlie, "0.2.0")
        collab = collaborators(fc.settings, fc.forge, now=lambda: NOW)
        first = fleet.status(fc.settings, fc.forge, collab)
        second = fleet.status(fc.settings, fc.forge, collab)
    return first, second


def rows(result) -> dict[str, dict]:
    return {r["service"]: r for r in result.to_json()["services"]}


def test_every_registered_service_has_one_row_merged_and_open_told_apart(scanned):
    data = rows(scanned[0])
    assert sorted(data) == list(SERVICES)
    assert {s: r["registration"]["state"] for s, r in data.items()} == {
        "alpha": "merged",
        "bravo": "merged",
        "charlie": "open",
        "delta": "open",
        "echo": "merged",
    }
    assert data["charlie"]["registration"]["pull_request"] and data["alpha"]["registration"]["pull_request"] is None
    assert all(r["owner"] == "team-a" and r["environments"] == ["staging", "production"] for r in data.values())
    assert data["alpha"]["repo"] == "acme/alpha" and data["alpha"]["deployed"] == {"staging": None, "production": None}


def test_versions_and_lag_behind_current_and_ahead(scanned):
    data = rows(scanned[0])
    got = {s: (r["version"], r["latest_version"], r["lag"]["versions"]) for s, r in data.items()}
    assert got == {
        "alpha": ("0.1.0", "0.2.0", 1),
        "bravo": ("0.1.0", "0.2.0", 1),
        "charlie": ("0.1.0", "0.2.0", 1),
        "delta": ("0.3.0", "0.2.0", -1),
        "echo": ("0.2.0", "0.2.0", 0),
    }
    assert data["echo"]["lag"]["days"] == 0 and data["delta"]["lag"]["days"] == 0
    assert data["alpha"]["lag"]["days"] == 10  # 0.2.0 came out on 2026-11-20 (its changelog says)
    assert all(r["template"] == "mini" and r["error"] is None for r in data.values())


def test_doctor_level_and_high_findings_per_service(scanned):
    data = rows(scanned[0])
    alpha, bravo = data["alpha"]["doctor"], data["bravo"]["doctor"]
    assert bravo["high_findings"] == alpha["high_findings"] + 1  # its edited platform-owned file drifted
    assert bravo["score"] < alpha["score"] and bravo["level"] in ("none", "bronze", "silver", "gold")


def test_the_open_upgrade_pull_request_and_its_conflicts(scanned):
    data = rows(scanned[0])
    pr = data["charlie"]["upgrade_pr"]
    assert pr["version"] == "0.2.0" and pr["conflicts"] is True and pr["number"] >= 1
    assert pr["age_days"] is not None and pr["age_days"] >= 0
    assert [s for s, r in data.items() if r["upgrade_pr"]] == ["charlie"]


def test_summary_counts_versions_levels_teams(scanned):
    summary = scanned[0].to_json()["summary"]
    assert summary["by_version"] == {"mini 0.1.0": 3, "mini 0.2.0": 1, "mini 0.3.0": 1}
    assert summary["by_team"] == {"team-a": 5} and sum(summary["by_level"].values()) == 5
    assert summary["behind"] == 3 and summary["open_upgrade_prs"] == 1 and summary["errors"] == 0


def test_an_unchanged_fleet_is_not_checked_again(scanned):
    first, second = (s.to_json()["scan"] for s in scanned)
    assert (first["doctor_runs"], first["doctor_cached"]) == (5, 0)
    assert (second["doctor_runs"], second["doctor_cached"]) == (0, 5)
    assert rows(scanned[0])["bravo"]["doctor"]["level"] == rows(scanned[1])["bravo"]["doctor"]["level"]


def test_a_moved_main_is_checked_again_and_filters_apply(fleet_copy):
    s, forge = fleet_copy.settings, fleet_copy.forge
    before = rows(fleet.status(s, forge, collaborators(s, forge)))["alpha"]["doctor"]["high_findings"]
    clone = fleet_copy.root / "alpha-clone"
    forge.clone("acme", "alpha", clone)
    edit(clone, "chart/templates/deployment.yaml", "# drift\n")
    again = fleet.status(s, forge, collaborators(s, forge), fleet.Selection(team="team-a"))
    assert again.to_json()["scan"] == {**again.to_json()["scan"], "doctor_runs": 1, "doctor_cached": 4}
    assert rows(again)["alpha"]["doctor"]["high_findings"] == before + 1
    assert fleet.status(s, forge, collaborators(s, forge), fleet.Selection(team="nobody")).rows == ()
    only = fleet.status(s, forge, collaborators(s, forge), fleet.Selection(template="other"))
    assert only.rows == ()


def test_a_deployed_digest_and_a_missing_repo(fleet_copy):
    s, forge = fleet_copy.settings, fleet_copy.forge
    app = forge.root / "acme" / "gitops.git"
    digest = "sha256:" + "a" * 64
    from platform_cli import git

    text = git.show(app, "main", "apps/alpha/staging.yaml")
    text = text.replace(
        "      valueFiles:",
        f"      parameters:\n      - name: image.digest\n        value: {digest}\n      valueFiles:",
    )
    forge.commit_files("acme", "gitops", "main", "main", {"apps/alpha/staging.yaml": text}, "Deploy alpha")
    forge.delete_repo("acme", "echo")
    found = {r.service: r for r in inventory.read(forge, "acme", "gitops", fleet.cache_root(s))}
    assert dict(found["alpha"].deployed) == {"staging": digest, "production": None}
    data = rows(fleet.status(s, forge, collaborators(s, forge)))
    assert "echo" in data["echo"]["error"] and data["echo"]["doctor"] is None
    assert data["alpha"]["deployed"]["staging"] == digest


def test_cli_json_is_the_documented_shape(built, monkeypatch):
    monkeypatch.setenv("PLAT_HOME", str(built.settings.home))
    monkeypatch.setenv("PLAT_ORG", "acme")
    monkeypatch.setenv("PLAT_TEMPLATE_SOURCE", str(built.settings.template_source))
    result = CliRunner().invoke(app, ["fleet", "status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "org",
        "gitops_repo",
        "generated_at",
        "filters",
        "latest",
        "services",
        "summary",
        "scan",
        "api_calls",
    }
    assert set(data["services"][0]) == {
        "service",
        "repo",
        "repo_url",
        "registration",
        "owner",
        "system",
        "environments",
        "deployed",
        "main_sha",
        "template",
        "version",
        "latest_version",
        "lag",
        "doctor",
        "upgrade_pr",
        "slo",
        "dora",
        "error",
    }
    assert data["api_calls"] == {"rest": 0, "not_modified": 0} and data["latest"] == {
        "mini": {"version": "0.2.0", "released_at": "2026-11-20T00:00:00Z"}
    }


def test_no_gitops_repo_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAT_HOME", str(tmp_path / "empty"))
    result = CliRunner().invoke(app, ["fleet", "status"])
    assert result.exit_code == 1 and "no GitOps repo" in result.stderr


def test_cli_plan_and_campaign_status(built, monkeypatch):
    monkeypatch.setenv("PLAT_HOME", str(built.settings.home))
    monkeypatch.setenv("PLAT_ORG", "acme")
    monkeypatch.setenv("PLAT_TEMPLATE_SOURCE", str(built.settings.template_source))
    plan = CliRunner().invoke(app, ["fleet", "plan", "--shards", "2", "--to", "0.2.0", "--json"])
    assert plan.exit_code == 0, plan.output
    assert json.loads(plan.stdout)["matrix"]["include"][0] == {
        "shard": "1/2",
        "services": "alpha,charlie,echo",
        "count": 3,
    }
    missing = CliRunner().invoke(app, ["fleet", "campaign", "status"])
    assert missing.exit_code == 1 and "no fleet campaign has run here" in missing.stderr
    bad = CliRunner().invoke(app, ["fleet", "upgrade", "--to", "0.2.0", "--shard", "0/2"])
    assert bad.exit_code == 1 and "--shard '0/2'" in bad.stderr


def test_api_calls_are_read_from_a_forge_that_counts_them():
    class Counting:  # as the GitHub forge: a property
        api_calls = 7

    class Split:
        def api_calls(self):
            return {"rest": 2, "not_modified": 40}

    assert fleet.api_calls(Counting()) == {"rest": 7, "not_modified": 0}
    assert fleet.api_calls(Split()) == {"rest": 2, "not_modified": 40}
    assert fleet.api_calls(object()) == {"rest": 0, "not_modified": 0}


# The doctor summary and its cache, unit-tested with a stub forge and a stub doctor.

FINDINGS = (
    {"id": "drift", "severity": "high", "message": "chart edited", "file": "chart/x.yaml", "remediation": "restore"},
    {"id": "docs", "severity": "low", "message": "no runbook", "file": "docs/runbook.md", "remediation": "write it"},
)


class _Forge:
    """A service repo `acme/alpha` whose `main` is `sha`; a clone is a bare checkout with its answers."""

    sha = "a" * 40

    def branch_sha(self, org, repo, branch):
        return self.sha

    def clone(self, org, repo, dest):
        dest.mkdir(parents=True)
        (dest / ".copier-answers.yml").write_text("_commit: v0.1.0\ntemplate_name: mini\n")

    def list_pull_requests(self, org, repo, state):
        return []


def _scanner(tmp_path, runs: list) -> status.Scanner:
    def doctor(path):
        runs.append(path)
        return status.DoctorSummary("bronze", 80, 1, FINDINGS)

    releases = lambda template: Releases(None, (), {})  # noqa: E731
    return status.Scanner(_Forge(), tmp_path, releases, doctor, "plat-1", lambda: NOW, jobs=1)


ALPHA = inventory.RegisteredService("alpha", "file:///forge/acme/alpha.git", "team-a", "", (), (), "merged")


def test_a_rows_doctor_lists_its_findings_and_the_cache_keeps_them(tmp_path):
    runs: list = []
    scanner = _scanner(tmp_path, runs)
    (first,) = scanner.scan((ALPHA,))
    (second,) = scanner.scan((ALPHA,))
    assert len(runs) == 1 and (first.cached, second.cached) == (False, True)
    for row in (first, second):
        doctor = row.to_json()["doctor"]
        assert doctor["findings"] == list(FINDINGS) and doctor["high_findings"] == 1


def test_a_cache_entry_without_findings_is_measured_again(tmp_path):
    """Written before doctor results kept their findings: unknown, so doctor runs again and the entry is
    rewritten with them (a cache without the key never shows an empty list as if nothing failed)."""
    old = {"template": "mini", "version": "0.1.0", "doctor": {"level": "bronze", "score": 80, "high_findings": 1}}
    old["error"] = None
    cache = DoctorCache(tmp_path / "doctor", "plat-1")
    cache.put("acme/alpha", _Forge.sha, old)
    runs: list = []
    (row,) = _scanner(tmp_path, runs).scan((ALPHA,))
    assert len(runs) == 1 and row.cached is False
    assert row.to_json()["doctor"]["findings"] == list(FINDINGS)
    assert cache.get("acme/alpha", _Forge.sha)["doctor"]["findings"] == list(FINDINGS)


def test_a_measurement_without_a_doctor_result_stays_cached(tmp_path):
    cache = DoctorCache(tmp_path / "doctor", "plat-1")
    cache.put("acme/alpha", _Forge.sha, {"template": None, "version": None, "doctor": None, "error": "no answers"})
    runs: list = []
    (row,) = _scanner(tmp_path, runs).scan((ALPHA,))
    assert runs == [] and row.cached is True and row.error == "no answers"


def test_the_summary_of_a_doctor_report_keeps_every_active_finding():
    class Found:
        def __init__(self, severity):
            self.severity = severity

        def to_json(self):
            return {"id": f"rule-{self.severity}", "severity": self.severity, "remediation": "fix it"}

    class Report:
        level, score = "none", 40
        every = tuple(Found(s) for s in ("info", "low", "medium", "high", "critical"))

        def failing(self, fail_on):
            order = ("info", "low", "medium", "high", "critical")
            return tuple(f for f in self.every if order.index(f.severity) >= order.index(fail_on))

    summary = status.DoctorSummary.of(Report())
    assert (summary.level, summary.score, summary.high_findings) == ("none", 40, 2)
    assert [f["id"] for f in summary.findings] == ["rule-info", "rule-low", "rule-medium", "rule-high", "rule-critical"]
    assert status.DoctorSummary.from_json(summary.to_json()) == summary


class _CountingClones:
    """The forge, counting its clones (what a GitOps read costs)."""

    def __init__(self, forge) -> None:
        self.forge, self.clones = forge, []

    def clone(self, org, repo, dest):
        self.clones.append(repo)
        return self.forge.clone(org, repo, dest)

    def __getattr__(self, name):
        return getattr(self.forge, name)


def test_one_gitops_read_answers_every_service_as_a_read_per_service_does(fleet_copy):
    """The fleet's doctor reads the GitOps repo once per commit of its `main` (not once a service, each
    clone reading every tenancy record): the records are the same as a read per service gives, for a
    merged registration, an open one, and after `main` moved."""
    from platform_cli.gitops import records
    from tests.conftest import hermetic_session_env

    with hermetic_session_env(fleet_copy.root / "env"):
        forge = _CountingClones(fleet_copy.forge)
        shared = records.Shared()
        before = {name: records.read(forge, "acme", "gitops", name, "team-a") for name in SERVICES}
        assert {name: shared(forge, "acme", "gitops", name, "team-a") for name in SERVICES} == before
        assert before["alpha"].applications and before["charlie"].ref == "plat/register-charlie"
        merged = [s for s in SERVICES if s not in ("charlie", "delta")]  # charlie, delta: open registrations
        forge.clones.clear()
        for name in merged:
            shared(forge, "acme", "gitops", name, "team-a")
        assert forge.clones == []  # main unchanged: no clone at all
        record = "tenancy/services/alpha.yaml"
        text = git.show(fleet_copy.settings.home / "forge" / "acme" / "gitops.git", "main", record)
        fleet_copy.forge.commit_files("acme", "gitops", "main", "main", {record: text.replace("team-a", "team-z")}, "x")
        moved = shared(forge, "acme", "gitops", "alpha", "team-a")
        assert moved == records.read(forge, "acme", "gitops", "alpha", "team-a") != before["alpha"]
        assert forge.clones.count("gitops") == 2  # main moved: read again (and once by `read`)
