"""Deliveries and DORA on GitHub, through the GitHub double: deploys land with a leased push, the GitOps
history is read from a fetched copy, and incidents are issues labelled `incident` (`root cause: <sha>`),
read with conditional requests."""

from __future__ import annotations

import dataclasses
import json

from typer.testing import CliRunner

from platform_cli import git
from platform_cli.cli.app import app
from platform_cli.commands import deploy as deploy_cmd
from platform_cli.commands import deploy_rollback, dora
from platform_cli.dora.summary import Selection
from tests.github_double.fixtures import github_double, make_github_forge, slept  # noqa: F401 - fixtures

from .world import ORG, World, at, digest


def on_github(world: World, double) -> None:
    """The world's GitOps and service repos, as repos of the double."""
    for name in ("gitops", "pay"):
        repo = double.state.create(ORG, name)
        git.run(["push", "-q", "--mirror", str(repo.path)], world.root / "home" / "forge" / ORG / f"{name}.git")


def issue(number: int, body: str, opened: str, closed: str | None) -> dict:
    return {
        "number": number,
        "title": "it broke",
        "body": body,
        "state": "closed" if closed else "open",
        "labels": [{"name": "incident"}],
        "created_at": opened,
        "closed_at": closed,
        "updated_at": closed or opened,
    }


def test_dora_reads_incident_issues_with_conditional_requests(tmp_path, github_double, make_github_forge):
    world = World(tmp_path)
    world.register("pay")
    c1, c2 = world.commit("pay", at(0)), world.commit("pay", at(1))
    world.deploy("pay", "production", c1, "one", 1)
    world.deploy("pay", "production", c2, "two", 2)  # named by the issue through the commit it brought
    on_github(world, github_double)
    github_double.state.repo(ORG, "pay").issues += [
        issue(7, f"Checkout fails.\n\nroot cause: {c2[:10]}\n", "2026-11-02T02:30:00Z", "2026-11-02T05:00:00Z"),
        issue(8, "unrelated, no cause", "2026-11-05T00:00:00Z", None),
    ]
    settings = dataclasses.replace(world.settings, forge="github", home=tmp_path / "gh-home")
    forge = make_github_forge()
    window = {"since": at(0), "until": at(7 * 24)}
    first = dora.dora(settings, forge, Selection(service="pay"), **window)["services"]["pay"]
    assert (first["deployments"], first["failed_deployments"], first["change_fail_rate"]) == (2, 1, 0.5)
    assert first["recovery_seconds"]["unrecovered"] == 1  # no deploy after the failed one yet
    again = dora.dora(settings, make_github_forge(), Selection(service="pay"), **window)["services"]["pay"]
    assert again == first
    issue_calls = [c.status for c in github_double.calls if "/issues" in c.path]
    assert issue_calls == [200, 304]


def test_a_deploy_lands_on_github_with_its_trailers(tmp_path, github_double, make_github_forge):
    world = World(tmp_path)
    world.register("pay")
    src = world.commit("pay", at(0))
    on_github(world, github_double)
    settings = dataclasses.replace(world.settings, forge="github", home=tmp_path / "gh-home")
    out = deploy_cmd.deploy(settings, make_github_forge(), "pay", "staging", digest("one"), src)
    gitops = github_double.state.repo(ORG, "gitops").path
    assert out.landed and out.id == git.rev_parse(gitops, "main")
    assert f"Plat-Source: {src}" in git.run(["log", "-1", "--format=%B", "main"], gitops)


def cli(world: World, double, monkeypatch, *args: str):
    """`plat ARGS --forge github` through the CLI, against the double."""
    monkeypatch.setenv("GITHUB_TOKEN", double.token)
    monkeypatch.setenv("PLAT_HOME", str(world.root / "gh-home"))
    monkeypatch.setenv("PLAT_CONFIG", str(world.root / "none.toml"))
    monkeypatch.setenv("PLAT_ORG", ORG)
    result = CliRunner().invoke(app, [*args, "--forge", "github", "--github-url", double.api_url])
    assert double.token not in result.output
    return result


def writes(double, what: str) -> list[str]:
    return [f"{c.method} {c.path}" for c in double.calls if c.method in ("POST", "PATCH") and what in c.path]


def test_an_incident_on_github_is_an_issue_that_plat_dora_counts(tmp_path, github_double, monkeypatch):
    """Opened as an issue labelled `incident` naming its cause, resolved by closing it; `plat dora` then
    counts the deploy it names as failed and the deploy made while it was open as rework."""
    world = World(tmp_path)
    world.register("pay")
    c1, c2, c3 = (world.commit("pay", at(h)) for h in (0, 1, 2.5))
    world.deploy("pay", "production", c1, "one", 1)
    d2 = world.deploy("pay", "production", c2, "two", 2)
    assert d2
    on_github(world, github_double)
    gitops_before = git.rev_parse(github_double.state.repo(ORG, "gitops").path, "main")
    github_double.state.now = lambda: "2026-11-02T02:30:00Z"
    args = ("incident", "open", "pay", "--title", "checkout fails", "--cause", d2[:10], "--json")
    opened = cli(world, github_double, monkeypatch, *args)
    assert opened.exit_code == 0, opened.output
    out = json.loads(opened.stdout)
    assert (out["id"], out["cause"], out["commit"], out["changed"]) == ("pay#1", d2, None, True)
    repo = github_double.state.repo(ORG, "pay")
    (issue,) = repo.issues
    assert out["url"] == issue["html_url"] and issue["title"] == "checkout fails"
    assert f"root cause: {d2}" in issue["body"] and [lab["name"] for lab in issue["labels"]] == ["incident"]
    assert repo.labels["incident"]["color"] == "b60205"  # plat created the label before filing the issue
    assert writes(github_double, "/labels") == ["POST /api/v3/repos/acme/pay/labels"]
    again = json.loads(cli(world, github_double, monkeypatch, *args).stdout)
    assert (again["id"], again["changed"]) == ("pay#1", False) and len(repo.issues) == 1
    assert git.rev_parse(github_double.state.repo(ORG, "gitops").path, "main") == gitops_before  # no GitOps record

    deploy_args = ("deploy", "pay", "--env", "production", "--digest", digest("three"), "--source", c3)
    fixed = cli(world, github_double, monkeypatch, *deploy_args, "--direct", "--at", at(3), "--json")
    assert json.loads(fixed.stdout)["landed"] is True, fixed.output
    github_double.state.now = lambda: "2026-11-02T04:00:00Z"
    resolved = cli(world, github_double, monkeypatch, "incident", "resolve", "pay#1")
    assert resolved.exit_code == 0 and "incident pay#1 resolved" in resolved.stdout
    assert (issue["state"], issue["closed_at"]) == ("closed", "2026-11-02T04:00:00Z")
    twice = cli(world, github_double, monkeypatch, "incident", "resolve", "pay#1", "--json")
    assert json.loads(twice.stdout)["changed"] is False
    assert writes(github_double, "/issues") == [
        "POST /api/v3/repos/acme/pay/issues",
        "PATCH /api/v3/repos/acme/pay/issues/1",
    ]

    measured = cli(world, github_double, monkeypatch, "dora", "--since", at(0), "--until", at(7 * 24), "--json")
    m = json.loads(measured.stdout)["services"]["pay"]
    assert (m["deployments"], m["failed_deployments"], m["rework_deployments"]) == (3, 1, 1)
    assert [d["failed"] for d in m["deploys"]] == [False, True, False]  # d2, named as the root cause
    assert m["recovery_seconds"]["median"] == 3600.0  # d2 at 2 h, the next deploy at 3 h
    assert m["incidents"] == [
        {
            "id": "pay#1",
            "title": "checkout fails",
            "opened": "2026-11-02T02:30:00Z",
            "resolved": "2026-11-02T04:00:00Z",
            "cause": d2,
        }
    ]
    home = world.root / "gh-home"
    assert all(github_double.token not in p.read_bytes().decode("latin-1") for p in home.rglob("*") if p.is_file())


def test_incidents_on_github_refuse_backfills_and_dry_runs_write_nothing(tmp_path, github_double, monkeypatch):
    world = World(tmp_path)
    world.register("pay")
    world.commit("pay", at(0))
    on_github(world, github_double)
    backfill = cli(world, github_double, monkeypatch, "incident", "open", "pay", "--title", "down", "--at", at(1))
    assert backfill.exit_code == 1 and "cannot backdate an incident on github" in backfill.output
    assert "incident trailers" in backfill.output and backfill.output.count("\n") == 1
    dry = cli(world, github_double, monkeypatch, "incident", "open", "pay", "--title", "down", "--dry-run", "--json")
    assert json.loads(dry.stdout)["id"] is None and json.loads(dry.stdout)["dry_run"] is True
    human = cli(world, github_double, monkeypatch, "incident", "open", "pay", "--title", "down", "--dry-run")
    assert human.stdout.startswith("would open incident of pay")
    assert writes(github_double, "") == [] and github_double.state.repo(ORG, "pay").labels == {}
    unknown = cli(world, github_double, monkeypatch, "incident", "resolve", "pay#5")
    assert unknown.exit_code == 1 and "has no issue #5 labelled incident" in unknown.output
    github_double.state.repo(ORG, "pay").settings["has_issues"] = False
    disabled = cli(world, github_double, monkeypatch, "incident", "open", "pay", "--title", "down")
    assert disabled.exit_code == 1 and "issues are disabled in acme/pay" in disabled.output


def test_an_incident_recorded_in_the_gitops_repo_is_still_resolved_on_github(tmp_path, github_double, monkeypatch):
    """Recorded by an earlier plat (or another tool) in the GitOps repo: no issue of that number is an
    incident, so `resolve` finds the record and resolves it there."""
    world = World(tmp_path)
    world.register("pay")
    world.commit("pay", at(0))
    ident = world.open_incident("pay", 1)
    on_github(world, github_double)
    out = json.loads(cli(world, github_double, monkeypatch, "incident", "resolve", ident, "--json").stdout)
    gitops = github_double.state.repo(ORG, "gitops").path
    assert (out["id"], out["changed"], out["commit"]) == (ident, True, git.rev_parse(gitops, "main"))
    assert "state: resolved" in git.show(gitops, "main", "incidents/pay/1.yaml")


def test_an_incident_whose_answer_was_lost_is_not_filed_twice(tmp_path, github_double, monkeypatch):
    """The connection drops after GitHub filed the issue: plat never sends a POST again by itself, and
    running the command again finds the open incident issue of that title instead of filing another."""
    world = World(tmp_path)
    world.register("pay")
    world.commit("pay", at(0))
    on_github(world, github_double)
    github_double.inject(4, "drop_after")  # list the incident issues, ask for the label, create it, file the issue
    lost = cli(world, github_double, monkeypatch, "incident", "open", "pay", "--title", "down")
    assert lost.exit_code == 1 and "lost the connection to GitHub during POST" in lost.output
    repo = github_double.state.repo(ORG, "pay")
    assert len(repo.issues) == 1
    again = json.loads(
        cli(world, github_double, monkeypatch, "incident", "open", "pay", "--title", "down", "--json").stdout
    )
    assert (again["id"], again["changed"], len(repo.issues)) == ("pay#1", False, 1)


def test_rollback_on_github_skips_a_deploy_an_incident_issue_names(tmp_path, github_double, make_github_forge):
    """The previous good deploy is not one an incident issue names as its root cause."""
    world = World(tmp_path)
    world.register("pay")
    c1, c2, c3 = (world.commit("pay", at(h)) for h in (0, 1, 2))
    world.deploy("pay", "production", c1, "one", 1)
    d2 = world.deploy("pay", "production", c2, "two", 2)
    d3 = world.deploy("pay", "production", c3, "three", 3)
    on_github(world, github_double)
    github_double.state.repo(ORG, "pay").issues.append(
        issue(1, f"root cause: {(d2 or '')[:9]}", "2026-11-02T02:30:00Z", "2026-11-02T02:50:00Z")
    )
    settings = dataclasses.replace(world.settings, forge="github", home=tmp_path / "gh-home")
    out = deploy_rollback.rollback(settings, make_github_forge(), "pay", "production")
    assert (out.request.digest, out.request.source, out.request.undoes) == (digest("one"), c1, d3)
