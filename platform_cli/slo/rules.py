"""Prometheus rules from an SLO spec, the way Sloth generates them (same names and labels, so
dashboards and tooling built for Sloth keep working): SLI error ratios per window, budget
metadata, and multi-window multi-burn-rate alerts whose factors derive from the SLO period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platform_cli.slo.spec import SLO, WINDOW, Spec

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


@dataclass(frozen=True)
class BurnWindow:
    """Alert when `budget_share` of the period's budget burns within `long` (checked over `short` too)."""

    severity: str
    budget_share: float
    long: str
    short: str

    def factor(self, period_days: int) -> float:
        return round(self.budget_share * period_days * 24 / _hours(self.long), 4)


BURN_WINDOWS = (  # Google SRE workbook, chapter 5: 2% in 1h, 5% in 6h page; 10% in 1d and 3d ticket
    BurnWindow("page", 0.02, "1h", "5m"),
    BurnWindow("page", 0.05, "6h", "30m"),
    BurnWindow("ticket", 0.10, "1d", "2h"),
    BurnWindow("ticket", 0.10, "3d", "6h"),
)


def rule_groups(spec: Spec) -> dict[str, Any]:
    """The rules file (`groups:`), also the `spec` of the chart's PrometheusRule."""
    groups = []
    for slo in spec.slos:
        sid = slo_id(spec, slo)
        groups.append({"name": f"sloth-slo-sli-recordings-{sid}", "rules": _sli_rules(spec, slo)})
        groups.append({"name": f"sloth-slo-meta-recordings-{sid}", "rules": _meta_rules(spec, slo)})
        if slo.alert and not slo.alert.disabled:
            groups.append({"name": f"sloth-slo-alerts-{sid}", "rules": _alerts(spec, slo)})
    return {"groups": groups}


def slo_id(spec: Spec, slo: SLO) -> str:
    return f"{spec.service}-{slo.name}"


def period_window(spec: Spec) -> str:
    return f"{spec.period_days}d"


def selector(spec: Spec, slo: SLO) -> str:
    return f'sloth_id="{slo_id(spec, slo)}", sloth_service="{spec.service}", sloth_slo="{slo.name}"'


def base_labels(spec: Spec, slo: SLO) -> dict[str, str]:
    return {
        **spec.labels,
        **slo.labels,
        "sloth_id": slo_id(spec, slo),
        "sloth_service": spec.service,
        "sloth_slo": slo.name,
    }


def _sli_rules(spec: Spec, slo: SLO) -> list[dict[str, Any]]:
    rules = []
    for window in WINDOWS:
        rules.append(
            {
                "record": f"slo:sli_error:ratio_rate{window}",
                "expr": _error_ratio(slo, window),
                "labels": {**base_labels(spec, slo), "sloth_window": window},
            }
        )
    period = period_window(spec)
    sel = selector(spec, slo)
    rules.append(
        {
            "record": f"slo:sli_error:ratio_rate{period}",
            "expr": (
                f"sum_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[{period}])\n"
                f"/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[{period}])\n"
            ),
            "labels": {**base_labels(spec, slo), "sloth_window": period},
        }
    )
    return rules


def _error_ratio(slo: SLO, window: str) -> str:
    if slo.error_ratio_query:  # sli.raw: the ratio as written, as Sloth does
        return f"({slo.error_ratio_query.replace(WINDOW, window)})\n"
    # `> 0` drops windows without traffic: 0/0 would record NaN, which poisons the period average.
    return f"({slo.error_query.replace(WINDOW, window)})\n/\n(({slo.total_query.replace(WINDOW, window)}) > 0)\n"


def _meta_rules(spec: Spec, slo: SLO) -> list[dict[str, Any]]:
    sel, labels, period = selector(spec, slo), base_labels(spec, slo), period_window(spec)
    on = "on(sloth_id, sloth_slo, sloth_service) group_left"
    return [
        {"record": "slo:objective:ratio", "expr": f"vector({slo.objective / 100:.6g})", "labels": labels},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{slo.objective / 100:.6g})", "labels": labels},
        {"record": "slo:time_period:days", "expr": f"vector({spec.period_days})", "labels": labels},
        {
            "record": "slo:current_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate5m{{{sel}}}\n/ {on}\nslo:error_budget:ratio{{{sel}}}\n",
            "labels": labels,
        },
        {
            "record": "slo:period_burn_rate:ratio",
            "expr": f"slo:sli_error:ratio_rate{period}{{{sel}}}\n/ {on}\nslo:error_budget:ratio{{{sel}}}\n",
            "labels": labels,
        },
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{{{sel}}}",
            "labels": labels,
        },
        {
            "record": "sloth_slo_info",
            "expr": "vector(1)",
            "labels": {
                **labels,
                "sloth_objective": f"{slo.objective:g}",
                "sloth_mode": "cli-gen-prom",
                "sloth_spec": "prometheus/v1",
                "sloth_version": "plat",
            },
        },
    ]


def _alerts(spec: Spec, slo: SLO) -> list[dict[str, Any]]:
    alert = slo.alert
    assert alert is not None
    out = []
    for severity, extra in (("page", alert.page_labels), ("ticket", alert.ticket_labels)):
        windows = [w for w in BURN_WINDOWS if w.severity == severity]
        expr = "\nor\n".join(_burn_condition(spec, slo, w) for w in windows) + "\n"
        out.append(
            {
                "alert": alert.name,
                "expr": expr,
                "labels": {**alert.labels, **extra, "sloth_severity": severity},
                "annotations": {
                    "title": f"(${severity}) {spec.service} {slo.name} SLO error budget burn rate is too fast.",
                    **alert.annotations,
                },
            }
        )
    return out


def _burn_condition(spec: Spec, slo: SLO, window: BurnWindow) -> str:
    threshold = f"({window.factor(spec.period_days):g} * {slo.budget:.6g})"
    sel = selector(spec, slo)
    parts = [
        f"    max(slo:sli_error:ratio_rate{w}{{{sel}}} > {threshold}) without (sloth_window)"
        for w in (window.short, window.long)
    ]
    return "(\n" + "\n    and\n".join(parts) + "\n)"


def _hours(window: str) -> float:
    value, unit = float(window[:-1]), window[-1]
    return value * {"m": 1 / 60, "h": 1, "d": 24}[unit]
