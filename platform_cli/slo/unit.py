"""`promtool test rules` cases generated from an SLO spec: each alert fires when the budget burns
at its rate and stays silent below it. Inputs are the SLI error ratio series for every window, so
the cases test the alert logic for any SLI query."""

from __future__ import annotations

from typing import Any

from platform_cli.slo.rules import BURN_WINDOWS, WINDOWS, base_labels
from platform_cli.slo.spec import SLO, Spec


def scenarios(spec: Spec, slo: SLO) -> list[tuple[str, float, tuple[str, ...]]]:
    """(name, error ratio, severities expected to fire) for one SLO."""
    page = min(w.factor(spec.period_days) for w in BURN_WINDOWS if w.severity == "page")
    ticket = min(w.factor(spec.period_days) for w in BURN_WINDOWS if w.severity == "ticket")
    fastest = max(w.factor(spec.period_days) for w in BURN_WINDOWS)
    return [
        ("fast burn pages and tickets", min(1.0, slo.budget * fastest * 1.5), ("page", "ticket")),
        ("slow burn only tickets", slo.budget * page * 0.8, ("ticket",)),
        ("burn below the budget stays silent", slo.budget * ticket * 0.5, ()),
        ("no errors stay silent", 0.0, ()),
    ]


def test_file(spec: Spec, rule_file: str) -> dict[str, Any]:
    tests = []
    for slo in spec.slos:
        if not slo.alert or slo.alert.disabled:
            continue
        for name, ratio, firing in scenarios(spec, slo):
            tests.append(case(spec, slo, name, ratio, firing))
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}


def case(spec: Spec, slo: SLO, name: str, ratio: float, firing: tuple[str, ...]) -> dict[str, Any]:
    labels = base_labels(spec, slo)
    series = [
        {"series": _series(f"slo:sli_error:ratio_rate{w}", {**labels, "sloth_window": w}), "values": f"{ratio:.6g}x60"}
        for w in WINDOWS
    ]
    alert = slo.alert
    assert alert is not None
    expected = []
    for severity in firing:
        extra = alert.page_labels if severity == "page" else alert.ticket_labels
        expected.append(
            {
                "exp_labels": {**labels, **alert.labels, **extra, "sloth_severity": severity},
                "exp_annotations": {
                    "title": f"(${severity}) {spec.service} {slo.name} SLO error budget burn rate is too fast.",
                    **alert.annotations,
                },
            }
        )
    return {
        "name": f"{slo.name}: {name} ({ratio:.4%} errors)",
        "interval": "1m",
        "input_series": series,
        "alert_rule_test": [{"eval_time": "30m", "alertname": alert.name, "exp_alerts": expected}],
    }


def _series(metric: str, labels: dict[str, str]) -> str:
    body = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{metric}{{{body}}}"
