"""Vega-Lite specs (plain data: the bundled vega-lite draws them in the browser).

One function per kind of chart the pages show. Colours and text are set for contrast on white
(the accessibility scan checks the drawn SVG text too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier: never fetched
TEXT = "#1f2933"
# aria: false (here for axes and legends, on every mark below) keeps what vega draws out of the
# accessibility tree: the chart is one image named by its description, and the table beside it
# carries the data to screen readers (an empty mark group, e.g. a metric without data in any week,
# would otherwise be an unnamed graphic: axe's svg-img-alt).
CONFIG = {
    "aria": False,
    "font": "system-ui, sans-serif",
    "axis": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12, "titleFontSize": 12},
    "legend": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12},
    "header": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12},
    "view": {"stroke": None},
}
LEVEL_COLOURS = {"gold": "#b7791f", "silver": "#718096", "bronze": "#9c4221", "none": "#c53030", "unknown": "#4a5568"}
STATE_COLOURS = {
    "merged": "#2f855a",
    "current": "#276749",
    "pr-open": "#2b6cb0",
    "pending": "#718096",
    "conflicts": "#c05621",
    "failed": "#c53030",
}


def _spec(description: str, values: Sequence[Mapping[str, Any]], body: Mapping[str, Any]) -> dict[str, Any]:
    return {"$schema": SCHEMA, "description": description, "data": {"values": list(values)}, "config": CONFIG, **body}


def weekly_trends(description: str, rows: Sequence[Mapping[str, Any]], metrics: Sequence[str]) -> dict[str, Any]:
    """One small line chart per metric, each with its own y scale (rows: week and one key per metric,
    folded into metric/value by vega-lite, so the page carries each number once)."""
    return _spec(
        description,
        rows,
        {
            "transform": [{"fold": list(metrics), "as": ["metric", "value"]}],
            "facet": {
                "row": {
                    "field": "metric",
                    "type": "nominal",
                    "title": None,
                    "sort": list(metrics),
                    "header": {"labelAngle": 0, "labelAlign": "left", "labelAnchor": "start"},
                }
            },
            "resolve": {"scale": {"y": "independent"}},
            "spec": {
                "width": 520,
                "height": 70,
                "mark": {"type": "line", "point": {"aria": False}, "color": "#2b6cb0", "aria": False},
                "encoding": {
                    "x": {"field": "week", "type": "temporal", "title": "week"},
                    "y": {"field": "value", "type": "quantitative", "title": None},
                    "tooltip": [{"field": "week", "type": "temporal"}, {"field": "metric"}, {"field": "value"}],
                },
            },
        },
    )


def _hbars(
    description: str,
    rows: Sequence[Mapping[str, Any]],
    y: Mapping[str, Any],
    x: Mapping[str, Any],
    colour: Mapping[str, Any],
    tooltip: Sequence[str],
) -> dict[str, Any]:
    encoding = {
        "y": {"type": "nominal", "title": None, **y},
        "x": {"type": "quantitative", **x},
        "color": colour,
        "tooltip": [{"field": f} for f in tooltip],
    }
    return _spec(description, rows, {"width": 480, "mark": {"type": "bar", "aria": False}, "encoding": encoding})


def bars(
    description: str,
    rows: Sequence[Mapping[str, Any]],
    category: str,
    value: str,
    colours: Mapping[str, str] | None = None,
    sort: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Horizontal bars, one per category (rows: {category: ..., value: ...})."""
    colour: dict[str, Any] = {"value": "#2b6cb0"}
    if colours:
        colour = {
            "field": category,
            "type": "nominal",
            "legend": None,
            "scale": {"domain": list(colours), "range": list(colours.values())},
        }
    return _hbars(
        description,
        rows,
        {"field": category, "sort": list(sort) if sort else "-x"},
        {"field": value, "title": value},
        colour,
        (category, value),
    )


def budgets(description: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Budget remaining per service SLO (rows: slo label, remaining in percent), worst first."""
    colour = {"condition": {"test": "datum.remaining < 0", "value": "#c53030"}, "value": "#2f855a"}
    return _hbars(
        description,
        rows,
        {"field": "slo", "sort": None},
        {"field": "remaining", "title": "error budget remaining (%)"},
        colour,
        ("slo", "remaining"),
    )


def campaigns(description: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Stacked bars: services per state in each campaign (rows: campaign, state, services)."""
    colour = {
        "field": "state",
        "type": "nominal",
        "scale": {"domain": list(STATE_COLOURS), "range": list(STATE_COLOURS.values())},
    }
    return _hbars(
        description,
        rows,
        {"field": "campaign"},
        {"field": "services", "stack": "zero"},
        colour,
        ("campaign", "state", "services"),
    )


def timeline(
    description: str,
    deploys: Sequence[Mapping[str, Any]],
    incidents: Sequence[Mapping[str, Any]],
    since: str,
    until: str,
) -> dict[str, Any]:
    """Deploys as ticks (by kind, failed ones marked) and incidents as spans, on one time axis; a panel
    with nothing to draw is left out (an empty mark group is an unlabelled graphic to a screen reader)."""
    x: dict[str, Any] = {"field": "at", "type": "temporal", "title": None, "scale": {"domain": [since, until]}}
    panels: list[dict[str, Any]] = []
    if deploys:
        outcome = {"domain": ["ok", "failed"], "range": ["#2b6cb0", "#c53030"]}
        panels.append(
            {
                "data": {"values": list(deploys)},
                "height": 60,
                "title": "deploys",
                "mark": {"type": "tick", "thickness": 2, "aria": False},
                "encoding": {
                    "x": x,
                    "y": {"field": "kind", "type": "nominal", "title": None},
                    "color": {"field": "outcome", "type": "nominal", "scale": outcome},
                    "tooltip": [
                        {"field": "id"},
                        {"field": "at", "type": "temporal"},
                        {"field": "kind"},
                        {"field": "outcome"},
                    ],
                },
            }
        )
    if incidents:  # a span from opened to resolved, and a dot where it opened (short ones stay visible)
        tooltip: list[dict[str, Any]] = [
            {"field": "id"},
            {"field": "title"},
            {"field": "opened", "type": "temporal"},
            {"field": "resolved", "type": "temporal"},
        ]
        panels.append(
            {
                "data": {"values": list(incidents)},
                "height": 40,
                "title": "incidents",
                "encoding": {"x": {**x, "field": "opened"}, "tooltip": tooltip},
                "layer": [
                    {
                        "mark": {"type": "bar", "color": "#c05621", "height": 12, "aria": False},
                        "encoding": {"x2": {"field": "resolved"}},
                    },
                    {"mark": {"type": "point", "filled": True, "color": "#c05621", "size": 60, "aria": False}},
                ],
            }
        )
    return {"$schema": SCHEMA, "description": description, "config": CONFIG, "width": 560, "vconcat": panels}
