"""`plat fleet status` on the GitHub forge (the API double): its reads are conditional requests, so
a scan of an unchanged fleet costs no counted REST call (GitHub does not count 304s), and a change
is read again."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from platform_cli.commands import fleet
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.config import Settings
from platform_cli.fleet.status import DoctorSummary
from platform_cli.forge.github import GitHubForge, from_settings
from platform_cli.forge.github_client import Credentials
from tests.github_double import Double
from tests.github_double.fixtures import github_double  # noqa: F401 - fixture

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def doctor(path: Path) -> DoctorSummary:
    return DoctorSummary("gold", 100, 0)


def scan(settings: Settings, double: Double, jobs: int) -> dict:
    """One `plat fleet status` run: a new forge (a new process), sharing only PLAT_HOME's caches."""
    start = len(double.calls)
    forge = from_settings(settings, {"GITHUB_TOKEN": double.token})
    result = fleet.status(settings, forge, fleet.Collaborators(doctor=doctor, now=lambda: NOW, jobs=jobs)).to_json()
    result["sent"] = [(c.method, c.status, c.conditional) for c in double.calls[start:]]
    return result


def same_rows(result: dict) -> list[dict]:
    """The rows but whether doctor's result came from its cache."""
    return [{**r, "doctor": {**r["doctor"], "cached": None}} for r in result["services"]]


def test_an_unchanged_fleet_costs_no_counted_call_and_a_change_is_read_again(github_double, tmp_path, mini_platform):
    settings = Settings(
        home=tmp_path / "plathome",
        template_source=mini_platform,
        org="acme",
        forge="github",
        github_url=github_double.api_url,
    )
    writer = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=lambda s: None)
    for name in ("alpha", "bravo"):
        req = NewRequest(name=name, template="mini", owner="team-a", yes=True, directory=tmp_path / "work" / name)
        new_service(req, dataclasses.replace(settings), writer, cwd=tmp_path)

    first = scan(settings, github_double, jobs=1)
    assert [r["error"] for r in first["services"]] == [None, None]
    # the GitOps repo's open pull requests, then each service's: refs and clones go over git
    assert first["api_calls"] == {"rest": 3, "not_modified": 0} and first["scan"]["doctor_runs"] == 2
    assert first["sent"] == [("GET", 200, False)] * 3

    second = scan(settings, github_double, jobs=2)  # forked workers: their calls are counted too
    assert second["api_calls"] == {"rest": 0, "not_modified": 3} and second["scan"]["doctor_cached"] == 2
    assert second["sent"] == [("GET", 304, True)] * 3
    assert same_rows(second) == same_rows(first)

    moved = writer.commit_files("acme", "alpha", "main", "main", {"NOTES.md": "moved\n"}, "move main")
    writer.commit_files("acme", "bravo", "plat/upgrade-0.2.0", "main", {"x.txt": "x\n"}, "upgrade")
    pr = writer.open_pull_request("acme", "bravo", "plat/upgrade-0.2.0", "main", "Upgrade to 0.2.0", "")

    third = scan(settings, github_double, jobs=1)
    rows = {r["service"]: r for r in third["services"]}
    assert rows["alpha"]["main_sha"] == moved and rows["alpha"]["doctor"]["cached"] is False  # re-read
    assert rows["bravo"]["upgrade_pr"]["number"] == pr.id and rows["bravo"]["doctor"]["cached"] is True
    assert third["api_calls"] == {"rest": 1, "not_modified": 2}  # only bravo's changed pull request list
    assert sorted(third["sent"]) == [("GET", 200, True), ("GET", 304, True), ("GET", 304, True)]
