"""Incidents on a forge with an issue tracker (GitHub), Four Keys' convention: an issue labelled `incident`
in the service repo, open from the issue's creation to its closing, whose body may name the deploy that
caused it on a line `root cause: <deploy id>`. Its id is `<service>#<issue number>`. The writer (`plat
incident`) and the reader (`plat dora`) share the label and that line from here."""

from __future__ import annotations

import re

from platform_cli.delivery import incidents
from platform_cli.delivery.incidents import IncidentOutcome
from platform_cli.delivery.landing import Target
from platform_cli.errors import UsageError
from platform_cli.forge.base import Issue, IssueTracker

LABEL = "incident"
ROOT_CAUSE = re.compile(r"root cause:\s*([0-9a-fA-F]{7,40})\b", re.IGNORECASE)


def body(cause: str | None) -> str:
    """An incident issue's body: how to resolve it, and its cause (the full deploy id) when known."""
    text = "Opened with `plat incident open`. Close this issue (or run `plat incident resolve`) once it is resolved."
    return text + (f"\n\nroot cause: {cause}\n" if cause else "\n")


def root_cause(text: str) -> str | None:
    """The sha a `root cause: <sha>` line names (a deploy id, or a service commit), lower case."""
    match = ROOT_CAUSE.search(text)
    return match[1].lower() if match else None


def incident_issues(target: Target, service: str) -> tuple[Issue, ...]:
    """The service repo's issues labelled `incident`, open and closed (read with conditional requests);
    none where the forge has no issue tracker or the repo is gone."""
    if target.forge.issue_tracker() is None or not target.forge.repo_exists(target.org, service):
        return ()
    return target.forge.labelled_issues(target.org, service, LABEL, target.cache)


def causes(target: Target, service: str) -> frozenset[str]:
    """The shas the service's incident issues name as root cause (deploy ids or prefixes of them, or
    service commits)."""
    return frozenset(c for c in (root_cause(i.body) for i in incident_issues(target, service)) if c)


def open_incident(
    target: Target,
    tracker: IssueTracker,
    service: str,
    title: str,
    cause: str | None = None,
    at: str | None = None,
    dry_run: bool = False,
) -> IncidentOutcome:
    """File the incident as an issue of the service repo; an incident issue of the service still open with
    the same title is that incident (a command run twice, or again after a lost answer, files one)."""
    if at is not None:
        raise _no_backfill(target)
    mirror, head = target.read()
    title, full_cause = incidents.checked(mirror, head, service, title, cause)
    if not target.forge.repo_exists(target.org, service):
        raise UsageError(
            f"no repo {target.org}/{service} on {target.forge.name} to file the incident in",
            hint="an incident is an issue of the service's own repo, named as the service",
        )
    issues = incident_issues(target, service)
    same = next((i for i in issues if i.closed is None and i.title.strip() == title), None)
    if same is not None:
        return _outcome(service, same, "open", changed=False, dry_run=dry_run)
    if dry_run:
        return IncidentOutcome(None, "open", service, full_cause, None, True, True)
    return _outcome(service, tracker.open_issue(target.org, service, title, body(full_cause), LABEL), "open", True)


def resolve_incident(
    target: Target, tracker: IssueTracker, ident: str, at: str | None = None, dry_run: bool = False
) -> IncidentOutcome:
    """Close the incident's issue (closed already: nothing changes). An id with no incident issue may name
    an incident recorded in the GitOps repo (by an earlier plat, or another tool): that one is resolved."""
    service, number = incidents.parse_id(ident)
    found = tracker.issue(target.org, service, number) if target.forge.repo_exists(target.org, service) else None
    if found is None or LABEL not in found.labels:
        if incidents.recorded(target, ident):
            return incidents.resolve_incident(target, ident, at, dry_run)
        raise UsageError(
            f"no incident {ident}: {target.org}/{service} has no issue #{number} labelled {LABEL}",
            hint=f"incident ids are SERVICE#<issue number>: the issues labelled {LABEL} in the service repo",
        )
    if at is not None:
        raise _no_backfill(target)
    if found.closed is not None or dry_run:
        return _outcome(service, found, "resolve", changed=found.closed is None, dry_run=dry_run)
    return _outcome(service, tracker.close_issue(target.org, service, number), "resolve", True)


def _outcome(service: str, issue: Issue, action: str, changed: bool, dry_run: bool = False) -> IncidentOutcome:
    ident = f"{service}#{issue.number}"
    return IncidentOutcome(ident, action, service, root_cause(issue.body), None, changed, dry_run, issue.url or None)


def _no_backfill(target: Target) -> UsageError:
    return UsageError(
        f"--at cannot backdate an incident on {target.forge.name}: an issue is opened and closed when it is",
        hint="record past incidents as commits on the GitOps repo's main with the incident trailers "
        "(docs/delivery.md, 'Incidents'); plat dora reads them on every forge",
    )
