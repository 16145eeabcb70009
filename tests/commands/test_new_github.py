"""`plat new service --forge github` end to end against the GitHub API double: the repo, its guard
rails, the GitOps pull request, the REST call budget, faults at every call, and no token anywhere."""

from __future__ import annotations

import base64
import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from platform_cli import git
from platform_cli.cli import app
from platform_cli.commands.new import BASELINE_BRANCH, NewRequest, new_service
from platform_cli.config import Settings
from platform_cli.errors import PlatError, UsageError
from platform_cli.forge.github import GitHubForge
from platform_cli.forge.github_client import Credentials
from tests.conftest import REPO_ROOT
from tests.github_double import Double
from tests.github_double.fixtures import github_double, slept  # noqa: F401 - fixtures

BUDGET = 13  # REST calls per `plat new service`, documented in docs/github.md
KINDS = ("5xx", "drop", "rate_limit", "primary", "rate_limit_429", "drop_after")
FRESH_ORG_CALLS = 11  # asserted by test_new_service_on_github (docs/github.md: the table of calls)


def gh_settings(base: Path, double: Double, platform: Path) -> Settings:
    return Settings(
        home=base / "plathome", template_source=platform, org="acme", forge="github", github_url=double.api_url
    )


def run_new(base: Path, double: Double, platform: Path, name: str = "payments", **settings):
    forge = GitHubForge(double.api_url, Credentials(token=double.token), sleep=lambda s: None)
    req = NewRequest(name=name, template="mini", owner="team-a", yes=True, directory=base / "work" / name)
    return new_service(req, dataclasses.replace(gh_settings(base, double, platform), **settings), forge, cwd=base)


def test_new_service_on_github(github_double, tmp_path, mini_platform):
    result = run_new(tmp_path, github_double, mini_platform)

    service = github_double.state.repo("acme", "payments")
    branches = service.branches()
    assert branches["main"] == branches[BASELINE_BRANCH] == result.commit
    assert service.private and service.teams == {"team-a": "maintain"}
    rules = service.protection["main"]
    assert rules["required_pull_request_reviews"]["required_approving_review_count"] == 1
    assert rules["required_status_checks"] is None  # the mini template's workflow has no pull_request trigger
    assert set(service.environments) == {"staging", "production"}
    assert service.environments["production"]["reviewers"][0]["type"] == "Team"
    work = tmp_path / "work" / "payments"
    assert git.run(["remote", "get-url", "origin"], work) == f"{github_double.url}/acme/payments.git"
    assert git.rev_parse(work, "HEAD") == result.commit

    gitops = github_double.state.repo("acme", "gitops")
    assert gitops.teams == {"team-a": "push"}  # its CODEOWNERS lines count: GitHub ignores a team that cannot write
    [pull] = gitops.pulls
    assert (pull.number, pull.head, pull.state) == (result.pull_request.id, "plat/register-payments", "open")
    files = git.run(["ls-tree", "-r", "--name-only", pull.head], gitops.path).split()
    assert {"apps/payments/staging.yaml", "catalog/payments.yaml", "bootstrap/apps.yaml"} <= set(files)
    platform = github_double.state.repo("acme", "platform")
    assert platform.branches()["main"] and platform.private
    assert platform.actions_access == "organization"  # the org's repos may call its reusable workflows

    assert result.api_calls == len(github_double.calls) == FRESH_ORG_CALLS <= BUDGET
    second = run_new(tmp_path, github_double, mini_platform, name="orders")
    # an org already set up: no platform or GitOps repo to create, no Actions access to set
    assert second.api_calls == FRESH_ORG_CALLS - 3
    assert [p.number for p in gitops.pulls] == [1, 2]


def with_real_codeowners(platform: Path) -> Path:
    """The mini template with the golden paths' CODEOWNERS and their platform_team question."""
    template = platform / "templates" / "mini"
    dest = template / "template" / ".github" / "CODEOWNERS.jinja"
    shutil.copy(REPO_ROOT / "templates" / "_shared" / "all" / ".github" / "CODEOWNERS.jinja", dest)
    question = yaml.safe_load((REPO_ROOT / "templates" / "http-api" / "copier.yml").read_text())["platform_team"]
    copier = template / "copier.yml"
    copier.write_text(copier.read_text() + yaml.safe_dump({"platform_team": question}))
    return platform


def code_owner_teams(work: Path) -> set[str]:
    lines = (work / ".github" / "CODEOWNERS").read_text().splitlines()
    return {
        word.split("/", 1)[1]
        for line in lines
        if not line.startswith("#")
        for word in line.split()[1:]
        if word.startswith("@acme/")
    }


@pytest.mark.parametrize("platform_team", ["", "platform"])
def test_codeowners_names_only_teams_plat_granted_write_access(github_double, tmp_path, mini_platform, platform_team):
    result = run_new(tmp_path, github_double, with_real_codeowners(mini_platform), platform_team=platform_team)
    owners = code_owner_teams(result.directory)
    assert owners == ({"team-a", "platform"} if platform_team else {"team-a"})
    granted = github_double.state.repo("acme", "payments").teams
    assert {team for team in owners if granted.get(team) in ("push", "maintain", "admin")} == owners
    assert result.api_calls == FRESH_ORG_CALLS + 2 * bool(platform_team) <= BUDGET  # its GET before, its PUT


def test_an_unknown_platform_team_stops_with_a_hint_before_anything_is_created(github_double, tmp_path, mini_platform):
    platform = with_real_codeowners(mini_platform)
    with pytest.raises(PlatError, match="team reviewers not found in the GitHub organization acme") as info:
        run_new(tmp_path, github_double, platform, platform_team="reviewers")
    assert "create the team reviewers in acme" in info.value.hint and "again" in info.value.hint
    assert [c.method for c in github_double.calls] == ["GET", "GET"]  # the two teams, nothing created
    github_double.state.teams[("acme", "reviewers")] = 4711
    result = run_new(tmp_path, github_double, platform, platform_team="reviewers")
    assert code_owner_teams(result.directory) == {"team-a", "reviewers"}
    assert github_double.state.repo("acme", "payments").teams == {"team-a": "maintain", "reviewers": "push"}
    assert result.resumed_steps == ()


def test_a_platform_team_given_by_hand_is_refused_unless_it_is_the_setting(github_double, tmp_path, mini_platform):
    platform = with_real_codeowners(mini_platform)
    forge = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=lambda s: None)
    req = NewRequest(
        name="payments",
        template="mini",
        owner="team-a",
        yes=True,
        sets=("platform_team=team-b",),
        directory=tmp_path / "work" / "payments",
    )
    settings = dataclasses.replace(gh_settings(tmp_path, github_double, platform), platform_team="platform")
    with pytest.raises(UsageError, match="platform_team is computed by plat \\(platform\\), not 'team-b'"):
        new_service(req, settings, forge, cwd=tmp_path)
    assert github_double.calls == [] and github_double.state.repos == {}


def test_rerun_after_completion_changes_nothing(github_double, tmp_path, mini_platform):
    run_new(tmp_path, github_double, mini_platform)
    again = run_new(tmp_path, github_double, mini_platform)
    assert len(github_double.state.repo("acme", "gitops").pulls) == 1
    assert again.pull_request.id == 1


def fault_cases() -> list[tuple[int, str]]:
    """Every REST call gets a fault; the writes that are not retried (POST, PATCH) get both a failure
    before GitHub acts and one after it acted (the answer lost)."""
    writes = (1, 3, 9, 10)  # POST platform repo, POST service repo, POST gitops repo, POST pull request
    cases = [(at, KINDS[at % len(KINDS)]) for at in range(1, FRESH_ORG_CALLS + 1)]
    return cases + [(at, kind) for at in writes for kind in ("5xx", "drop_after") if (at, kind) not in cases]


def test_a_fault_at_every_rest_call_stops_clearly_or_completes_and_the_rerun_completes(
    tmp_path, mini_platform, monkeypatch
):
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "file:http")
    outcomes = []
    for at, kind in fault_cases():
        base = tmp_path / f"fault-{at}-{kind}"
        double = Double(base / "double").start()
        try:
            double.inject(at, kind)
            try:
                result = run_new(base, double, mini_platform)
                outcomes.append("completed")
            except PlatError as exc:
                assert exc.hint and "again" in exc.hint, (at, kind, exc.message, exc.hint)
                outcomes.append("stopped")
                result = run_new(base, double, mini_platform)
            assert sorted(double.state.repos) == [("acme", "gitops"), ("acme", "payments"), ("acme", "platform")]
            pulls = double.state.repo("acme", "gitops").pulls
            assert [(p.number, p.state) for p in pulls] == [(1, "open")], (at, kind)
            assert result.pull_request.id == 1
        finally:
            double.stop()
    assert "stopped" in outcomes and "completed" in outcomes


@pytest.mark.parametrize("at", [6, 8])  # the platform release's push, the service's push
def test_a_fault_in_a_git_request_stops_clearly_and_the_rerun_completes(tmp_path, mini_platform, monkeypatch, at):
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "file:http")
    double = Double(tmp_path / "double").start()
    try:
        double.inject(at, "5xx", scope="git")
        with pytest.raises(PlatError) as info:
            run_new(tmp_path, double, mini_platform)
        assert "again" in info.value.hint
        run_new(tmp_path, double, mini_platform)
        assert len(double.state.repo("acme", "gitops").pulls) == 1
    finally:
        double.stop()


def test_a_fault_in_a_repo_probe_over_git_is_answered_by_the_rest_api(github_double, tmp_path, mini_platform):
    github_double.inject(2, "5xx", scope="git")  # `git ls-remote` of the platform repo: GitHub had a problem
    result = run_new(tmp_path, github_double, mini_platform)
    assert github_double.git_calls[1].status == 502
    assert ("GET", "/api/v3/repos/acme/platform", 404) in [(c.method, c.path, c.status) for c in github_double.calls]
    assert result.api_calls == FRESH_ORG_CALLS + 1 and result.pull_request.id == 1


def test_cli_json_reports_the_calls_and_no_token_appears_anywhere(github_double, tmp_path, mini_platform, monkeypatch):
    token = github_double.token
    monkeypatch.setenv("GITHUB_TOKEN", token)
    monkeypatch.setenv("PLAT_HOME", str(tmp_path / "plathome"))
    monkeypatch.setenv("PLAT_TEMPLATE_SOURCE", str(mini_platform))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = [
        "new",
        "service",
        "payments",
        "--type",
        "mini",
        "--owner",
        "team-a",
        "--yes",
        "--json",
        "--forge",
        "github",
        "--org",
        "acme",
        "--github-url",
        github_double.api_url,
    ]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert 0 < data["api_calls"] <= BUDGET
    monkeypatch.setenv("PLAT_GITHUB_URL", github_double.api_url)
    failing = runner.invoke(
        app,
        [
            "new",
            "service",
            "payments",
            "--type",
            "mini",
            "--owner",
            "team-b",
            "--yes",
            "--forge",
            "github",
            "--org",
            "acme",
            "--dir",
            "other",
        ],
    )
    assert failing.exit_code == 1

    secrets = {token, base64.b64encode(f"x-access-token:{token}".encode()).decode()}
    texts = [out.output, failing.output]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("latin-1"))
    work = tmp_path / "payments"
    texts += [git.run(["config", "--list", "--show-origin"], work), git.run(["remote", "-v"], work)]
    for text in texts:
        assert not any(s in text for s in secrets)
    assert any(a.startswith("Basic ") for a in github_double.seen_authorization)  # git did authenticate


def test_upgrade_opens_leaves_then_updates_one_pull_request_and_merges_with_a_merge_commit(
    github_double, tmp_path, settings
):
    from dataclasses import replace

    from platform_cli.commands.upgrade import UpgradeRequest, upgrade
    from tests.upgrade_helpers import at_version

    gh = replace(settings, forge="github", github_url=github_double.api_url)
    v1 = at_version(gh, tmp_path, "0.1.0")
    work = tmp_path / "work" / "payments"
    new_service(
        NewRequest(name="payments", template="mini", owner="team-a", yes=True, directory=work),
        v1,
        GitHubForge(github_double.api_url, Credentials(token=github_double.token)),
        cwd=tmp_path,
    )
    v2 = at_version(v1, tmp_path, "0.2.0")

    def forge() -> GitHubForge:
        return GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=lambda s: None)

    first_forge, second_forge = forge(), forge()
    first = upgrade(UpgradeRequest(path=work), v2, first_forge)
    second = upgrade(UpgradeRequest(path=work), v2, second_forge)
    # docs/github.md: the re-run finds the same pull request open (one list) and leaves it as it is
    assert (first_forge.api_calls, second_forge.api_calls) == (2, 1)
    service = github_double.state.repo("acme", "payments")
    assert first.pull_request.id == second.pull_request.id
    assert [(p.head, p.state) for p in service.pulls] == [("plat/upgrade-0.2.0", "open")]
    assert service.branches()[BASELINE_BRANCH] == git.rev_parse(work, BASELINE_BRANCH)
    service.pulls[0].body = "edited by hand"  # the open pull request no longer says what plat would
    third_forge = forge()
    upgrade(UpgradeRequest(path=work), v2, third_forge)
    assert third_forge.api_calls == 4 and service.pulls[0].body != "edited by hand"

    forge().merge_pull_request("acme", "payments", first.pull_request.id)
    parents = git.run(["rev-list", "--parents", "-n", "1", "main"], service.path).split()
    assert len(parents) == 3 and service.pulls[0].merged


def test_cli_without_a_token_says_which_variables_to_set(tmp_path, mini_platform, monkeypatch):
    monkeypatch.setenv("PLAT_HOME", str(tmp_path / "plathome"))
    monkeypatch.setenv("PLAT_TEMPLATE_SOURCE", str(mini_platform))
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(
        app,
        [
            "new",
            "service",
            "payments",
            "--type",
            "mini",
            "--owner",
            "team-a",
            "--yes",
            "--forge",
            "github",
            "--org",
            "acme",
            "--github-url",
            "http://127.0.0.1:9/api/v3",
        ],
    )
    assert out.exit_code == 1
    assert "GITHUB_TOKEN" in out.output and "GitHub App" in out.output


def test_rollback_on_github_removes_what_the_run_created(github_double, tmp_path, mini_platform):
    from platform_cli.commands.rollback import rollback_service

    run_new(tmp_path, github_double, mini_platform)
    forge = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=lambda s: None)
    rollback_service("payments", gh_settings(tmp_path, github_double, mini_platform), forge)
    assert sorted(github_double.state.repos) == [("acme", "platform")]
    assert not (tmp_path / "work" / "payments").exists()
