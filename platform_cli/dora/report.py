"""`plat dora report --month YYYY-MM`: the monthly review in Markdown — per team the five metrics,
their bands, the change from last month, and the slowest stage of lead time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from platform_cli.dora import stats
from platform_cli.dora.facts import Fact
from platform_cli.dora.metrics import Window, measure
from platform_cli.errors import UsageError

ROWS = (
    ("deployment frequency (per week)", lambda m: m["deploys_per_week"], "deployment_frequency", "number"),
    ("change lead time (median)", lambda m: m["lead_time_seconds"]["median"], "lead_time", "duration"),
    ("change fail rate", lambda m: m["change_fail_rate"], "change_fail_rate", "percent"),
    ("recovery time (median)", lambda m: m["recovery_seconds"]["median"], "recovery_time", "duration"),
    ("rework rate", lambda m: m["rework_rate"], "rework_rate", "percent"),
)


def month_window(month: str) -> tuple[Window, Window]:
    """The month and the one before it."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"{month!r} is not a month", hint="write --month YYYY-MM, e.g. --month 2026-11") from None
    end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
    before = start.replace(year=start.year - (start.month == 1), month=(start.month - 2) % 12 + 1)
    return Window(int(start.timestamp()), int(end.timestamp())), Window(int(before.timestamp()), int(start.timestamp()))


def render(month: str, facts: Sequence[Fact], owners: Mapping[str, str], environment: str = "production") -> str:
    now, before = month_window(month)
    teams: dict[str, list[Fact]] = {}
    for fact in facts:
        teams.setdefault(owners.get(fact.deploy.service) or "(no owner)", []).append(fact)
    lines = [
        f"# Delivery review {month}",
        "",
        f"{environment.capitalize()} deploys landed {now.to_json()['since'][:10]} – {now.to_json()['until'][:10]} "
        "(exclusive), compared with the month before. Definitions and bands: docs/delivery.md of the platform repo.",
    ]
    for team, group in sorted(teams.items()):
        lines += _team(team, group, now, before)
    if not teams:
        lines += ["", "No deploys recorded."]
    return "\n".join(lines) + "\n"


def _team(team: str, facts: Sequence[Fact], now: Window, before: Window) -> list[str]:
    current, previous = measure(facts, now, weekly=False), measure(facts, before, weekly=False)
    lines = [
        "",
        f"## {team}",
        "",
        f"{current['deployments']} deploys ({previous['deployments']} the month before).",
        "",
    ]
    lines += ["| metric | this month | band | last month | change |", "| --- | --- | --- | --- | --- |"]
    for label, value, band, unit in ROWS:
        a, b = value(current), value(previous)
        lines.append(
            f"| {label} | {_fmt(a, unit)} | {current['bands'][band] or '—'} | {_fmt(b, unit)} | {_change(a, b, unit)} |"
        )
    lines += ["", f"Slowest stage of lead time: {_slowest(facts, now)}."]
    return lines


def _slowest(facts: Sequence[Fact], window: Window) -> str:
    """Commit → staging (until the same source landed in staging) against staging → production."""
    to_staging: list[float] = []
    to_production: list[float] = []
    for f in facts:
        if not window.holds(f.deploy.landed) or not f.lead_times or f.staging_wait is None:
            continue
        to_staging += [t - f.staging_wait for t in f.lead_times]
        to_production.append(f.staging_wait)
    a, b = stats.median(to_staging), stats.median(to_production)
    if a is None or b is None:
        return "unknown (no production deploy in the month was deployed to staging first)"
    stage, value = ("commit → staging", a) if a >= b else ("staging → production", b)
    both = f"commit → staging {_fmt(a, 'duration')}, staging → production {_fmt(b, 'duration')}"
    return f"{stage}, median {_fmt(value, 'duration')} ({both})"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value:.1%}"
    if unit == "number":
        return f"{value:.2f}"
    for size, name in ((86400, "d"), (3600, "h"), (60, "min")):
        if abs(value) >= size:
            return f"{value / size:.1f} {name}"
    return f"{value:.0f} s"


def _change(a: float | None, b: float | None, unit: str) -> str:
    if a is None or b is None:
        return "—"
    diff = a - b
    sign = "+" if diff > 0 else "−" if diff < 0 else "±"
    if unit == "percent":
        return f"{sign}{abs(diff) * 100:.1f} pt"
    return f"{sign}{_fmt(abs(diff), unit)}"
