"""Each deploy of an environment turned into what the metrics need: the commits it brought and their
lead times, whether it failed, how long until the next deploy recovered it, whether it was rework."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from platform_cli.delivery.history import Deploy, History
from platform_cli.dora.graph import Graph

FOREVER = 2**62


@dataclass(frozen=True)
class Incident:
    """An incident of a service, from the GitOps record or a forge's issues: open during [opened, resolved)."""

    id: str
    service: str
    opened: int
    resolved: int | None
    cause: str | None  # a deploy id (or prefix), or a service commit
    title: str = ""


@dataclass(frozen=True)
class Fact:
    deploy: Deploy
    lead_times: tuple[int, ...] | None  # seconds per commit brought; None: unknown (source not in the repo)
    brought: frozenset[str]
    failed: bool
    recovery: int | None  # failed and recovered: seconds to the next deploy
    rework: bool
    staging_wait: int | None  # seconds from the first staging deploy of the same source to this landing
    source_missing: bool = False  # its own source is not in the service repo (force-pushed away)


def incidents_from(history: History) -> list[Incident]:
    opened: dict[str, tuple[str, int, str | None, str]] = {}
    resolved: dict[str, int] = {}
    for event in history.incidents:
        if event.action == "resolve":
            resolved.setdefault(event.id, event.at)
        else:
            opened.setdefault(event.id, (event.service, event.at, event.cause, event.title))
    return [Incident(i, s, at, resolved.get(i), cause, title) for i, (s, at, cause, title) in opened.items()]


def facts(history: History, graphs: Mapping[str, Graph], incidents: Sequence[Incident], environment: str) -> list[Fact]:
    by_service: dict[str, list[Deploy]] = {}
    for d in history.deploys:
        if d.environment == environment:
            by_service.setdefault(d.service, []).append(d)
    staged = _first_staging(history, environment)
    undone = {d.undoes for d in history.deploys if d.undoes}
    out: list[Fact] = []
    for service, deploys in by_service.items():
        graph = graphs.get(service) or Graph("")
        brought = [_brought(graph, d, deploys[i - 1] if i else None) for i, d in enumerate(deploys)]
        failed = undone | _caused(incidents, service, deploys, brought)
        windows = _open_windows(incidents, service)
        for i, d in enumerate(deploys):
            commits = brought[i]
            nxt = deploys[i + 1] if i + 1 < len(deploys) else None
            is_failed = d.id in failed
            first_staged = staged.get((service, d.source)) if d.kind != "rollback" else None
            out.append(
                Fact(
                    deploy=d,
                    lead_times=None if commits is None else tuple(d.landed - graph.date[c] for c in commits),
                    brought=frozenset(commits or ()),
                    failed=is_failed,
                    recovery=nxt.landed - d.landed if is_failed and nxt else None,
                    rework=d.kind in ("rollback", "hotfix") or _during(windows, d.landed),
                    staging_wait=d.landed - first_staged
                    if first_staged is not None and first_staged <= d.landed
                    else None,
                    source_missing=d.source is not None and d.source not in graph,
                )
            )
    return out


def _brought(graph: Graph, deploy: Deploy, before: Deploy | None) -> list[str] | None:
    if deploy.kind == "rollback":
        return []
    if deploy.source is None or (before is not None and before.source is None):
        return None
    return graph.brought(deploy.source, before.source if before else None)


def _caused(
    incidents: Sequence[Incident], service: str, deploys: list[Deploy], brought: list[list[str] | None]
) -> set[str]:
    """Deploys an incident names as its cause: by deploy id (or a prefix of 7+), else the first deploy
    that brought the named service commit."""
    out: set[str] = set()
    for incident in incidents:
        cause = (incident.cause or "").strip().lower()
        if incident.service != service or len(cause) < 7:
            continue
        named = next((d.id for d in deploys if d.id.startswith(cause)), None)
        if named is None:
            named = next((d.id for d, b in zip(deploys, brought, strict=True) if b and _brings(b, cause)), None)
        if named:
            out.add(named)
    return out


def _brings(commits: list[str], prefix: str) -> bool:
    return any(c.startswith(prefix) for c in commits)


def _open_windows(incidents: Sequence[Incident], service: str) -> list[tuple[int, int]]:
    return sorted(
        (i.opened, i.resolved if i.resolved is not None else FOREVER) for i in incidents if i.service == service
    )


def _during(windows: list[tuple[int, int]], at: int) -> bool:
    end = bisect.bisect_right(windows, (at, FOREVER))
    return any(opened <= at < resolved for opened, resolved in windows[:end])


def _first_staging(history: History, environment: str) -> dict[tuple[str, str | None], int]:
    """When each source first landed in the environment before `environment` (staging for production)."""
    if environment == "staging":
        return {}
    first: dict[tuple[str, str | None], int] = {}
    for d in history.deploys:
        if d.environment == "staging" and d.source:
            first.setdefault((d.service, d.source), d.landed)
    return first
