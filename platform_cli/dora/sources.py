"""Everything `plat dora` reads: the GitOps history (one `git log`), the Applications on `main` (their
owners), and the commit graph of each service repo (one `git rev-list` each)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from platform_cli.delivery import application, history, issue_incidents
from platform_cli.delivery.landing import Target
from platform_cli.dora import graph
from platform_cli.dora.facts import Fact, Incident, facts, incidents_from


@dataclass(frozen=True)
class Record:
    facts: tuple[Fact, ...]
    owners: dict[str, str]  # service -> owning team
    services: tuple[str, ...]  # every registered or deployed service
    incidents: tuple[Incident, ...] = ()  # from the GitOps record and (GitHub) the deployed services' issues


def gather(target: Target, environment: str, wanted: Callable[[str, str], bool]) -> Record:
    mirror, head = target.read()
    past = history.read(mirror)
    apps = history.applications(mirror, head)
    owners = _owners(apps, environment)
    services = tuple(sorted(set(owners) | {d.service for d in past.deploys}))
    chosen = [s for s in services if wanted(s, owners.get(s, ""))]
    deployed = {d.service for d in past.deploys if d.environment == environment}
    graphs = {s: graph.read(_service_repo(target, s)) for s in chosen if s in deployed}
    incidents: list[Incident] = incidents_from(past)
    for service in graphs:
        incidents += _issue_incidents(target, service)
    kept = history.History(past.head, tuple(d for d in past.deploys if d.service in graphs), past.incidents)
    measured = tuple(facts(kept, graphs, incidents, environment))
    return Record(measured, owners, services, tuple(incidents))


def _owners(apps: dict[str, str], environment: str) -> dict[str, str]:
    """Each service's team from its Application for `environment` (else any of its Applications)."""
    owners: dict[str, str] = {}
    for path, text in sorted(apps.items(), key=lambda item: not item[0].endswith(f"/{environment}.yaml")):
        match = history.APP_PATH.match(path)
        if match and match[1] not in owners:
            owners[match[1]] = application.owner(text)
    return owners


def _issue_incidents(target: Target, service: str) -> list[Incident]:
    """On a forge with an issue tracker (GitHub), the issues labelled `incident` in the service repo, the
    cause as `root cause: <sha>` (issue_incidents: what `plat incident open` writes)."""
    issues = issue_incidents.incident_issues(target, service)
    return [
        Incident(f"{service}#{i.number}", service, i.opened, i.closed, issue_incidents.root_cause(i.body), i.title)
        for i in issues
    ]


def _service_repo(target: Target, service: str) -> Path | None:
    """The service's repo (named as the service, in the same organisation), or None when it is gone."""
    if not target.forge.repo_exists(target.org, service):
        return None
    return target.forge.mirror(target.org, service, target.cache)
