"""`plat dora --json`: the metrics per service, per team (the owner) and for the whole selection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from platform_cli.dora.facts import Fact
from platform_cli.dora.metrics import Window, measure


@dataclass(frozen=True)
class Selection:
    environment: str = "production"
    service: str | None = None
    team: str | None = None

    def keeps(self, service: str, team: str) -> bool:
        return (self.service is None or service == self.service) and (self.team is None or team == self.team)


def summarize(
    facts: Sequence[Fact], owners: Mapping[str, str], services: Sequence[str], window: Window, selection: Selection
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
        "services": {service: measure(group, window) for service, group in by_service.items()},
        "unknown_sources": unknown,
    }
