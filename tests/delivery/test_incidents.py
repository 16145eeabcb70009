"""plat incident on the local forge (no issue tracker): records in the GitOps repo, each command run twice
changing nothing the second time, dry runs changing nothing at all."""

from __future__ import annotations

import pytest

from platform_cli import git
from platform_cli.commands import incident
from platform_cli.errors import UsageError

from .world import at


def test_the_local_forge_has_no_issue_tracker_so_incidents_go_to_the_gitops_repo(world):
    world.register("pay")
    assert world.forge.issue_tracker() is None
    out = incident.open_incident(world.settings, world.forge, "pay", "5xx on checkout", at=at(1))
    assert (out.id, out.url, out.changed) == ("pay#1", None, True)
    assert git.show(world.gitops, "main", "incidents/pay/1.yaml") is not None
    assert out.commit == git.rev_parse(world.gitops, "main")


def test_opening_an_open_incident_again_changes_nothing(world):
    world.register("pay")
    first = incident.open_incident(world.settings, world.forge, "pay", "5xx on checkout", at=at(1))
    head = git.rev_parse(world.gitops, "main")
    again = incident.open_incident(world.settings, world.forge, "pay", " 5xx on checkout ", at=at(2))
    assert (again.id, again.changed, again.commit) == (first.id, False, None)
    assert git.rev_parse(world.gitops, "main") == head
    other = incident.open_incident(world.settings, world.forge, "pay", "queue backlog", at=at(3))
    assert other.id == "pay#2"  # another title: another incident
    incident.resolve_incident(world.settings, world.forge, first.id, at=at(4))
    reopened = incident.open_incident(world.settings, world.forge, "pay", "5xx on checkout", at=at(5))
    assert (reopened.id, reopened.changed) == ("pay#3", True)  # the first one is resolved: a new incident


def test_resolving_twice_changes_nothing_and_dry_runs_change_nothing(world):
    world.register("pay")
    ident = world.open_incident("pay", 1)
    head = git.rev_parse(world.gitops, "main")
    dry_open = incident.open_incident(world.settings, world.forge, "pay", "another", dry_run=True)
    assert (dry_open.id, dry_open.changed, dry_open.dry_run, dry_open.commit) == ("pay#2", True, True, None)
    dry = incident.resolve_incident(world.settings, world.forge, ident, dry_run=True)
    assert (dry.changed, dry.dry_run) == (True, True)
    assert git.rev_parse(world.gitops, "main") == head
    done = incident.resolve_incident(world.settings, world.forge, ident, at=at(2))
    again = incident.resolve_incident(world.settings, world.forge, ident, at=at(3))
    assert (done.changed, again.changed, again.commit) == (True, False, None)
    assert git.rev_parse(world.gitops, "main") == done.commit


@pytest.mark.parametrize(
    ("ident", "message"), [("pay-3", "not an incident id"), ("pay#9", "no incident pay#9 in the GitOps repo")]
)
def test_resolving_an_unknown_incident_is_refused(world, ident, message):
    world.register("pay")
    with pytest.raises(UsageError, match=message):
        incident.resolve_incident(world.settings, world.forge, ident)
