"""The DORA 2024 performance clusters, one band per metric (never one overall tier: the clusters are not
monotonic — the "high" cluster's change fail rate, 20 %, is worse than the "medium" one's, 10 %). Rework
rate has none: DORA published no clusters for it (docs/delivery.md, "Why rework rate has no band")."""

from __future__ import annotations

DAY = 86400
WEEK = 7 * DAY

# change fail rate: the cluster whose published rate is nearest (elite 5 %, medium 10 %, high 20 %, low 40 %)
FAIL_RATE = ((0.075, "elite"), (0.15, "medium"), (0.30, "high"))


def deployment_frequency(per_week: float | None) -> str | None:
    if per_week is None:
        return None
    return "elite" if per_week >= 7 else "high" if per_week >= 1 else "medium" if per_week >= 7 / 30 else "low"


def lead_time(median: float | None) -> str | None:
    if median is None:
        return None
    return "elite" if median < DAY else "high" if median < WEEK else "medium" if median < 30 * DAY else "low"


def change_fail_rate(rate: float | None) -> str | None:
    if rate is None:
        return None
    return next((band for limit, band in FAIL_RATE if rate <= limit), "low")


def recovery_time(median: float | None) -> str | None:
    """Under a day is shared by the high and medium clusters: the better one is named."""
    if median is None:
        return None
    return "elite" if median < 3600 else "high" if median < DAY else "low"


def bands(metrics: dict) -> dict[str, str | None]:
    return {
        "deployment_frequency": deployment_frequency(metrics["deploys_per_week"]),
        "lead_time": lead_time(metrics["lead_time_seconds"]["median"]),
        "change_fail_rate": change_fail_rate(metrics["change_fail_rate"]),
        "recovery_time": recovery_time(metrics["recovery_seconds"]["median"]),
        "rework_rate": None,  # no published clusters: the 2024 levels cover four metrics, 2025 has archetypes
    }
