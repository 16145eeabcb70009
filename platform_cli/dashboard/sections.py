"""Sections more than one page shows: a metrics table with bands, weekly trends, budgets."""

from __future__ import annotations

from collections.abc import Sequence

from platform_cli.dashboard import charts
from platform_cli.dashboard.html import Cell, cell, chart, section, table
from platform_cli.dashboard.metrics import METRICS, percent, show
from platform_cli.dashboard.model import Budget, Metrics, ServiceStatus
from platform_cli.dashboard.naming import service_page


def metrics(m: Metrics, scope: str) -> str:
    """The five metrics of `scope` (org, team:NAME, service:NAME): value, band, sample size."""
    rows = []
    for d in METRICS:
        value = d.value(m)
        band = m.bands.get(d.key, "no band")
        rows.append(
            (
                d.label,
                Cell(show(value, d.unit), value, metric=f"{scope}.{d.key}"),
                Cell(band, metric=f"{scope}.{d.key}.band"),
                Cell(str(_sample(m, d.key)), _sample(m, d.key)),
            )
        )
    deploys = cell(Cell(str(m.deployments), m.deployments, metric=f"{scope}.deployments"), tag="span")
    note = f'<p class="summary">{deploys} production deploys in the window.</p>'
    return section(
        "DORA metrics",
        note + table(f"DORA metrics ({scope})", ("metric", "value", "band", "sample"), rows),
        f"metrics-{_anchor(scope)}",
    )


def trends(m: Metrics, scope: str, chart_id: str) -> str:
    if not m.weekly:
        return section("Weekly trends", "<p>No weekly series in the document.</p>", f"trends-{_anchor(scope)}")
    labels = {d.weekly: d.chart for d in METRICS}
    wide = [{"week": w.start, **{label: _plotted(w.values.get(k), k) for k, label in labels.items()}} for w in m.weekly]
    rows = [
        [Cell(w.label)]
        + [_weekly_cell(w.values.get(d.weekly), d.unit, f"{scope}.weekly.{w.label}.{d.key}") for d in METRICS]
        for w in m.weekly
    ]
    data = table(f"Weekly DORA metrics ({scope})", ("week", *(d.label for d in METRICS)), rows)
    spec = charts.weekly_trends(f"Weekly DORA metrics of {scope}", wide, list(labels.values()))
    return section("Weekly trends", chart(chart_id, f"Weekly trends ({scope})", spec, data), f"trends-{_anchor(scope)}")


def budget_rows(services: Sequence[ServiceStatus], limit: int | None = None) -> list[tuple[ServiceStatus, Budget]]:
    """Every (service, SLO) with a budget, worst (least remaining) first; no data last."""
    pairs = [(s, b) for s in services for b in s.budgets]
    pairs.sort(key=lambda p: (p[1].remaining is None, p[1].remaining or 0.0, p[0].name, p[1].slo))
    return pairs[:limit] if limit is not None else pairs


def budgets(pairs: Sequence[tuple[ServiceStatus, Budget]], title: str, chart_id: str, root: str) -> str:
    rows = [
        (
            Cell(s.name, href=service_page(s.name, root)),
            b.slo,
            Cell(percent(b.remaining), b.remaining, metric=f"budget.{s.name}.{b.slo}"),
        )
        for s, b in pairs
    ]
    data = table(title, ("service", "SLO", "budget remaining"), rows, empty="no SLO budgets reported")
    plotted = [
        {"slo": f"{s.name} {b.slo}", "remaining": round(b.remaining * 100, 2)}
        for s, b in pairs
        if b.remaining is not None
    ]
    if not plotted:
        return data
    return chart(chart_id, title, charts.budgets(title, plotted), data)


def _sample(m: Metrics, key: str) -> int:
    if key == "lead_time":
        return m.lead_time.n
    if key == "recovery_time":
        return m.recovery.n
    return m.deployments


def _weekly_cell(value: float | None, unit: str, metric: str) -> Cell:
    return Cell(show(value, unit) if unit != "per_week" or value is None else f"{value:g}", value, metric=metric)


def _plotted(value: float | None, key: str) -> float | None:
    """Chart units: hours for durations, percent for rates, counts as they are."""
    if value is None:
        return None
    if key.endswith("_median"):
        return round(value / 3600, 3)
    if key.endswith("_rate"):
        return round(value * 100, 3)
    return value


def _anchor(scope: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in scope)
