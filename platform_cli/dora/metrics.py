"""The metrics of a set of deploys in a window (docs/delivery.md): frequency, lead time, change fail
rate, recovery time, rework rate, their bands and a weekly series. Samples are pooled, never averaged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from platform_cli.dora import bands, stats
from platform_cli.dora.facts import Fact

WEEK = 7 * 86400


@dataclass(frozen=True)
class Window:
    since: int  # seconds since the epoch, inclusive
    until: int  # exclusive

    def holds(self, at: int) -> bool:
        return self.since <= at < self.until

    @property
    def weeks(self) -> float:
        return (self.until - self.since) / WEEK

    def to_json(self) -> dict[str, str]:
        return {"since": iso(self.since), "until": iso(self.until)}


def iso(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def measure(facts: Sequence[Fact], window: Window, weekly: bool = True) -> dict:
    """`M` of docs/delivery.md for the facts that landed in the window."""
    inside = [f for f in facts if window.holds(f.deploy.landed)]
    out = _core(inside, window.weeks)
    out["bands"] = bands.bands(out)
    if weekly:
        starts = week_starts(window)
        buckets: dict[int, list[Fact]] = {}
        for f in inside:
            buckets.setdefault((f.deploy.landed - starts[0]) // WEEK, []).append(f)
        out["weekly"] = [_week(buckets.get(i, []), start) for i, start in enumerate(starts)]
    return out


def _core(facts: Sequence[Fact], weeks: float) -> dict:
    n = len(facts)
    lead = [t for f in facts if f.lead_times is not None for t in f.lead_times]
    recovery = [f.recovery for f in facts if f.recovery is not None]
    failed = sum(f.failed for f in facts)
    rework = sum(f.rework for f in facts)
    days = {f.deploy.landed // 86400 for f in facts}  # UTC days
    return {
        "deployments": n,
        "deploys_per_week": n / weeks if weeks else 0.0,
        "deploy_days_per_week": len(days) / weeks if weeks else 0.0,
        "lead_time_seconds": {**stats.summary(lead), "unknown_deploys": sum(f.lead_times is None for f in facts)},
        "change_fail_rate": stats.rate(failed, n),
        "failed_deployments": failed,
        "recovery_seconds": {**stats.summary(recovery), "unrecovered": failed - len(recovery)},
        "rework_rate": stats.rate(rework, n),
        "rework_deployments": rework,
    }


def week_starts(window: Window) -> list[int]:
    """The Mondays (00:00 UTC) of the ISO weeks that overlap the window."""
    first = datetime.fromtimestamp(window.since, UTC)
    monday = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=first.weekday())
    starts, at = [], int(monday.timestamp())
    while at < window.until:
        starts.append(at)
        at += WEEK
    return starts


def _week(week: Sequence[Fact], start: int) -> dict:
    core = _core(week, 1.0)
    year, number, _ = datetime.fromtimestamp(start, UTC).isocalendar()
    return {
        "week": f"{year}-W{number:02d}",
        "start": iso(start),
        "deployments": core["deployments"],
        "lead_time_median": core["lead_time_seconds"]["median"],
        "change_fail_rate": core["change_fail_rate"],
        "recovery_median": core["recovery_seconds"]["median"],
        "rework_rate": core["rework_rate"],
    }
