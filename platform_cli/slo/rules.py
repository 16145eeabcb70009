"""Prometheus rules from an SLO spec, the way Sloth generates them (same group and rule names, labels,
windows, burn-rate factors, annotations and number formatting, so dashboards and tooling built for
Sloth keep working): SLI error ratios per window, budget metadata, and multi-window multi-burn-rate
alerts whose factors derive from the SLO period. Differences are deliberate and listed in docs/slo.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platform_cli.slo import plugins
from platform_cli.slo.promfmt import WINDOW, duration, go_float, go_plain
from platform_cli.slo.spec import SLO, AlertMeta, Spec

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
ON = "on(sloth_id, sloth_slo, sloth_service) group_left"
SLOTH_VERSION = "plat"


@dataclass(frozen=True)
class BurnWindow:
    """Alert when `budget_percent` of the period's budget burns within `long` (checked over `short` too)."""

    severity: str
    budget_percent: float
    long: str
    short: str

    def factor(self, period_days: int) -> float:
        """Sloth's burn-rate factor, computed in the same order so the float is the same."""
        consumption_hours = self.budget_percent * (period_days * 24) / 100
        return consumption_hours / _hours(self.long)


BURN_WINDOWS = (  # Google SRE workbook, chapter 5 (Sloth's google-30d/28d): 2% in 1h, 5% in 6h page; 10% ticket
    BurnWindow("page", 2, "1h", "5m"),
    BurnWindow("page", 5, "6h", "30m"),
    BurnWindow("ticket", 10, "1d", "2h"),
    BurnWindow("ticket", 10, "3d", "6h"),
)


def rule_groups(spec: Spec) -> dict[str, Any]:
    """The rules file (`groups:`), also the `spec` of the chart's PrometheusRule."""
    groups = []
    for slo in spec.slos:
        found = run_plugins(slo)
        for kind, prefix in (("sli", "sli-recordings"), ("meta", "meta-recordings"), ("alerts", "alerts")):
            if found[kind]["rules"]:
                group: dict[str, Any] = {"name": f"sloth-slo-{prefix}-{slo.id}"}
                if found[kind]["interval"]:
                    group["interval"] = found[kind]["interval"]
                groups.append({**group, "rules": found[kind]["rules"]})
    return {"groups": groups}


def run_plugins(slo: SLO) -> plugins.Groups:
    """The SLO's rules after Sloth's plugin chain (by default: SLI rules, metadata rules, alert rules)."""
    groups: plugins.Groups = {kind: {"rules": [], "interval": None} for kind in ("sli", "meta", "alerts")}
    preserve = frozenset(id_labels(slo))
    for plugin in plugins.chain(slo.plugins, slo.override_plugins):
        apply = plugins.REGISTRY[plugin.id].apply
        if apply is not None:
            apply(groups, plugin.config, preserve)
        elif plugin.id == plugins.SLI_RULES:
            groups["sli"]["rules"] = sli_rules(slo, optimized=not plugin.config.get("disableOptimized", False))
        elif plugin.id == plugins.METADATA_RULES:
            groups["meta"]["rules"] = meta_rules(slo)
        else:
            groups["alerts"]["rules"] = alert_rules(slo)
    return groups


def period_window(slo: SLO) -> str:
    return duration(slo.period_days * 86400)


def id_labels(slo: SLO) -> dict[str, str]:
    return {"sloth_id": slo.id, "sloth_service": slo.service, "sloth_slo": slo.name}


def selector(slo: SLO) -> str:
    return ", ".join(f'{k}="{v}"' for k, v in sorted(id_labels(slo).items()))


def base_labels(slo: SLO) -> dict[str, str]:
    return dict(sorted({**id_labels(slo), **slo.labels}.items()))


def sli_rules(slo: SLO, optimized: bool = True) -> list[dict[str, Any]]:
    period = period_window(slo)
    out = []
    for window in (*WINDOWS, period):
        expr = _period_ratio(slo, period) if optimized and window == period else _error_ratio(slo, window)
        labels = dict(sorted({**base_labels(slo), "sloth_window": window}.items()))
        out.append({"record": f"slo:sli_error:ratio_rate{window}", "expr": expr, "labels": labels})
    return out


def _period_ratio(slo: SLO, period: str) -> str:
    """The period's ratio from the 5m ratio (Sloth's optimized rule): averaged over the period."""
    sel = selector(slo)
    return (
        f"sum_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[{period}])\n"
        f"/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m{{{sel}}}[{period}])\n"
    )


def _error_ratio(slo: SLO, window: str) -> str:
    if slo.error_ratio_query:  # sli.raw: the ratio as written, as Sloth does
        return f"({WINDOW.sub(window, slo.error_ratio_query)})"
    # `> 0` drops windows without traffic: 0/0 would record NaN, which poisons the period average.
    error, total = WINDOW.sub(window, slo.error_query), WINDOW.sub(window, slo.total_query)
    return f"({error})\n/\n(({total}) > 0)\n"


def meta_rules(slo: SLO) -> list[dict[str, Any]]:
    sel, labels, period = selector(slo), base_labels(slo), period_window(slo)
    ratio = go_float(slo.objective / 100)
    info = {
        **labels,
        "sloth_mode": "cli-gen-prom",
        "sloth_objective": go_plain(slo.objective),
        "sloth_spec": "prometheus/v1",
        "sloth_version": SLOTH_VERSION,
    }
    return [
        {"record": "slo:objective:ratio", "expr": f"vector({ratio})", "labels": labels},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{ratio})", "labels": labels},
        {"record": "slo:time_period:days", "expr": f"vector({slo.period_days})", "labels": labels},
        {"record": "slo:current_burn_rate:ratio", "expr": _burn("5m", sel), "labels": labels},
        {"record": "slo:period_burn_rate:ratio", "expr": _burn(period, sel), "labels": labels},
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{{{sel}}}",
            "labels": labels,
        },
        {"record": "sloth_slo_info", "expr": "vector(1)", "labels": dict(sorted(info.items()))},
    ]


def _burn(window: str, sel: str) -> str:
    return f"slo:sli_error:ratio_rate{window}{{{sel}}}\n/ {ON}\nslo:error_budget:ratio{{{sel}}}\n"


def default_annotations(severity: str) -> dict[str, str]:
    """Sloth's title and summary; the SLO file's annotations are merged over them."""
    who = "{{$labels.sloth_service}} {{$labels.sloth_slo}}"
    return {
        "title": f"({severity}) {who} SLO error budget burn rate is too fast.",
        "summary": f"{who} SLO error budget burn rate is over expected.",
    }


def alert_labels(severity: str, meta: AlertMeta) -> dict[str, str]:
    return dict(sorted({"sloth_severity": severity, **meta.labels}.items()))


def alert_rules(slo: SLO) -> list[dict[str, Any]]:
    out = []
    for severity, meta in slo.alerts:
        quick, slow = (w for w in BURN_WINDOWS if w.severity == severity)
        expr = f"{_burn_condition(slo, quick)}\nor\n{_burn_condition(slo, slow)}\n"
        annotations = dict(sorted({**default_annotations(severity), **meta.annotations}.items()))
        out.append(
            {"alert": meta.name, "expr": expr, "labels": alert_labels(severity, meta), "annotations": annotations}
        )
    return out


def threshold(slo: SLO, window: BurnWindow) -> str:
    return f"({go_float(window.factor(slo.period_days))} * {go_float(slo.budget)})"


def _burn_condition(slo: SLO, window: BurnWindow) -> str:
    sel, limit = selector(slo), threshold(slo, window)
    parts = [
        f"    max(slo:sli_error:ratio_rate{w}{{{sel}}} > {limit}) without (sloth_window)"
        for w in (window.short, window.long)
    ]
    return "(\n" + "\n    and\n".join(parts) + "\n)"


def _hours(window: str) -> float:
    value, unit = float(window[:-1]), window[-1]
    return value * {"m": 1 / 60, "h": 1, "d": 24}[unit]
