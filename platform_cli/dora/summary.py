"""`plat dora --json`: the metrics per service, per team (the owner) and for the whole selection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from platform_cli.dora.facts import Fact, Incident
from platform_cli.dora.metrics import Window, iso, measure


@dataclass(frozen=True)
class Selection:
    environment: str = "production"
    service: str | None = None
    team: str | None = None

    def keeps(self, service: str, team: str) -> bool:
        return (self.service is None or service == self.service) and (self.team is None or team == self.team)


def summarize(
    facts: Sequence[Fact],
    owners: Mapping[str, str],
    services: Sequence[str],
    window: Window,
    selection: Selection,
    incidents: Sequence[Incident] = (),
) -> dict:
    chosen = sorted(
        s for s in set(services) | {f.deploy.service for f in facts} if selection.keeps(s, owners.get(s, ""))
    )
    by_service: dict[str, list[Fact]] = {s: [] for s in chosen}
    for fact in facts:
        if fact.deploy.service in by_service:
            by_service[fact.deploy.service].append(fact)
    teams: dict[str, list[Fact]] = {}
    for service in chosen:
        teams.setdefault(owners.get(service, "") or "(no owner)", []).extend(by_service[service])
    everything = [f for service in chosen for f in by_service[service]]
    unknown = [
        {"service": f.deploy.service, "deploy": f.deploy.id, "source": f.deploy.source}
        for f in everything
        if f.source_missing and window.holds(f.deploy.landed)
    ]
    return {
        "window": window.to_json(),
        "environment": selection.environment,
        "org": measure(everything, window),
        "teams": {team: measure(group, window) for team, group in sorted(teams.items())},
        "services": {
            service: {**measure(group, window), **timeline(group, incidents, service, window)}
            for service, group in by_service.items()
        },
        "unknown_sources": unknown,
    }


def timeline(facts: Sequence[Fact], incidents: Sequence[Incident], service: str, window: Window) -> dict:
    """A service's events: the deploys the metrics counted (landed in the window; `failed` as the change
    fail rate counts it) and its incidents open at some point of the window, both oldest first."""
    deploys = sorted((f for f in facts if window.holds(f.deploy.landed)), key=lambda f: f.deploy.landed)
    overlapping = [
        i
        for i in incidents
        if i.service == service and i.opened < window.until and (i.resolved is None or i.resolved > window.since)
    ]
    return {
        "deploys": [
            {"id": f.deploy.id, "at": iso(f.deploy.landed), "kind": f.deploy.kind, "failed": f.failed} for f in deploys
        ],
        "incidents": [
            {
                "id": i.id,
                "title": i.title,
                "opened": iso(i.opened),
                "resolved": None if i.resolved is None else iso(i.resolved),
                "cause": i.cause,
            }
            for i in sorted(overlapping, key=lambda i: (i.opened, i.id))
        ],
    }
