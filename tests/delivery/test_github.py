"""Deliveries and DORA on GitHub, through the GitHub double: deploys land with a leased push, the GitOps
history is read from a fetched copy, and incidents are issues labelled `incident` (`root cause: <sha>`),
read with conditional requests."""

from __future__ import annotations

import dataclasses

from platform_cli import git
from platform_cli.commands import deploy as deploy_cmd
from platform_cli.commands import dora
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
