"""`promtool test rules` cases generated from an SLO spec: each enabled alert fires when the budget
burns at its rate and stays silent below it. Inputs are the SLI error ratio series for every window,
so the cases test the alert logic for any SLI query (the templates' own tests feed raw app metrics)."""

from __future__ import annotations

import re
from typing import Any

from platform_cli.slo.rules import BURN_WINDOWS, WINDOWS, alert_labels, base_labels, default_annotations
from platform_cli.slo.spec import SLO, Spec

_LABEL_REF = re.compile(r"{{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*}}")


def scenarios(slo: SLO) -> list[tuple[str, float, tuple[str, ...]]]:
    """(name, error ratio, severities expected to fire) for one SLO, among its enabled alerts."""
    page = min(w.factor(slo.period_days) for w in BURN_WINDOWS if w.severity == "page")
    ticket = min(w.factor(slo.period_days) for w in BURN_WINDOWS if w.severity == "ticket")
    fastest = max(w.factor(slo.period_days) for w in BURN_WINDOWS)
    enabled = {severity for severity, _ in slo.alerts}
    cases = [
        ("fast burn pages and tickets", min(1.0, slo.budget * fastest * 1.5), ("page", "ticket")),
        ("slow burn only tickets", slo.budget * page * 0.8, ("ticket",)),
        ("burn below the budget stays silent", slo.budget * ticket * 0.5, ()),
        ("no errors stay silent", 0.0, ()),
    ]
    return [(name, ratio, tuple(s for s in firing if s in enabled)) for name, ratio, firing in cases]


def test_file(spec: Spec, rule_file: str) -> dict[str, Any]:
    tests = []
    for slo in spec.slos:
        if not slo.alerts or not _expandable(slo):
            continue
        for name, ratio, firing in scenarios(slo):
            tests.append(case(slo, name, ratio, firing))
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}


def case(slo: SLO, name: str, ratio: float, firing: tuple[str, ...]) -> dict[str, Any]:
    labels = base_labels(slo)
    series = [
        {"series": _series(f"slo:sli_error:ratio_rate{w}", {**labels, "sloth_window": w}), "values": f"{ratio:.6g}x60"}
        for w in WINDOWS
    ]
    metas = dict(slo.alerts)
    by_name: dict[str, list[dict[str, Any]]] = {meta.name: [] for meta in metas.values()}
    for severity in firing:
        meta = metas[severity]
        exp_labels = {**labels, **alert_labels(severity, meta)}
        annotations = {**default_annotations(severity), **meta.annotations}
        expanded = {k: _expand(v, exp_labels) for k, v in annotations.items()}
        by_name[meta.name].append({"exp_labels": exp_labels, "exp_annotations": expanded})
    return {
        "name": f"{slo.id}: {name} ({ratio:.4%} errors)",
        "interval": "1m",
        "input_series": series,
        "alert_rule_test": [{"eval_time": "30m", "alertname": n, "exp_alerts": exp} for n, exp in by_name.items()],
    }


def _expand(text: str, labels: dict[str, str]) -> str:
    """An annotation as promtool shows it: `{{$labels.x}}` replaced by the alert's label x."""
    return _LABEL_REF.sub(lambda m: labels.get(m.group(1), ""), text)


def _expandable(slo: SLO) -> bool:
    """promtool compares expanded annotations: only `{{$labels.x}}` is expanded here, so an SLO whose
    annotations use any other template gets no generated cases (its alerts still get `promtool check`)."""
    texts = [v for _, meta in slo.alerts for v in meta.annotations.values()]
    return not any("{{" in _LABEL_REF.sub("", text) for text in texts)


def _series(metric: str, labels: dict[str, str]) -> str:
    body = ", ".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{metric}{{{body}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
