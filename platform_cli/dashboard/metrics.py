"""The five DORA metrics as the pages show them: one table of definitions, and how values read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from platform_cli.dashboard.model import Metrics


@dataclass(frozen=True)
class MetricDef:
    key: str  # the key of its band in the document's "bands" and of its column in "weekly"
    label: str
    value: Callable[[Metrics], float | None]
    unit: str  # per_week, seconds, ratio
    weekly: str  # the key of this metric in each "weekly" entry
    chart: str  # its name on the trend chart, with the unit plotted


METRICS: tuple[MetricDef, ...] = (
    MetricDef(
        "deployment_frequency",
        "Deployment frequency",
        lambda m: m.deploys_per_week,
        "per_week",
        "deployments",
        "deploys",
    ),
    MetricDef(
        "lead_time",
        "Change lead time (median)",
        lambda m: m.lead_time.median,
        "seconds",
        "lead_time_median",
        "lead time (h)",
    ),
    MetricDef(
        "change_fail_rate",
        "Change fail rate",
        lambda m: m.change_fail_rate,
        "ratio",
        "change_fail_rate",
        "change fail rate (%)",
    ),
    MetricDef(
        "recovery_time",
        "Failed-deployment recovery time (median)",
        lambda m: m.recovery.median,
        "seconds",
        "recovery_median",
        "recovery time (h)",
    ),
    MetricDef(
        "rework_rate", "Deployment rework rate", lambda m: m.rework_rate, "ratio", "rework_rate", "rework rate (%)"
    ),
)
BANDS = ("elite", "high", "medium", "low")


def show(value: float | None, unit: str) -> str:
    """A value as a person reads it: 2.5 per week, 3.2 h, 12.5%; "no data" for None."""
    if value is None:
        return "no data"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "seconds":
        return duration(value)
    if unit == "per_week":
        return f"{value:.2f} per week"
    return f"{value:g}"


def duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def percent(fraction: float | None) -> str:
    return "no data" if fraction is None else f"{fraction * 100:.1f}%"
