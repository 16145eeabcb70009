"""HTML pieces: the page frame, tables whose numeric cells carry their exact value, links, charts.

Everything is escaped here; pages compose these pieces and never write markup by string on their own.
A chart is a Vega-Lite spec (rendered in the browser by the bundled vega and vega-lite) followed by a
table of the same data, so it reads without JavaScript and with a screen reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Cell:
    text: str
    value: float | int | str | None = None  # the exact number behind `text` (data-value)
    href: str | None = None
    metric: str | None = None  # names what the value is (data-metric), for tests and scripts


def cell(c: Cell | str | int | float, tag: str = "td") -> str:
    """A table cell (or, with `tag`, any inline element) showing `text`, carrying its value and metric."""
    if not isinstance(c, Cell):
        c = Cell(str(c))
    attrs = ""
    if c.value is not None:
        attrs += f' data-value="{escape(_raw(c.value))}"'
    if c.metric:
        attrs += f' data-metric="{escape(c.metric)}"'
    body = f'<a href="{escape(c.href)}">{escape(c.text)}</a>' if c.href else escape(c.text)
    return f"<{tag}{attrs}>{body}</{tag}>"


def table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell | str | int | float]],
    empty: str = "nothing to show",
) -> str:
    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    if not body:
        return f'<p class="empty">{escape(caption)}: {escape(empty)}.</p>'
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    return (
        f'<div class="table-wrap" role="region" tabindex="0" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def chart(chart_id: str, title: str, spec: dict, data_table: str) -> str:
    """A figure: the chart (drawn by vega-lite from the inline spec) and its data as a table."""
    # inside <script>, no markup may start: <, > and & only as JSON escapes
    spec_json = json.dumps(spec, separators=(",", ":"))
    spec_json = spec_json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f'<figure class="chart" aria-labelledby="{chart_id}-title">'
        f'<figcaption id="{chart_id}-title">{escape(title)}</figcaption>'
        f'<div class="vega" data-spec="{chart_id}-spec" role="img" aria-label="{escape(title)} (chart; the table '
        f'below holds the same data)"></div>'
        f'<script type="application/json" id="{chart_id}-spec">{spec_json}</script>'
        f"{data_table}</figure>"
    )


def section(title: str, body: str, anchor: str) -> str:
    return f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{escape(title)}</h2>{body}</section>'


def paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def link(text: str, href: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def page(title: str, root: str, nav: Sequence[tuple[str, str]], body: str, generated: str) -> str:
    """A whole page; `root` is the relative path back to the site root ("" or "../")."""
    crumbs = " › ".join(link(text, href) for text, href in nav)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · platform health</title>"
        f'<link rel="stylesheet" href="{root}assets/dashboard.css">'
        f'<link rel="icon" href="{root}assets/favicon.svg" type="image/svg+xml"></head><body>'
        f'<a class="skip" href="#main">Skip to content</a>'
        f'<header><nav aria-label="Breadcrumb">{crumbs}</nav><h1>{escape(title)}</h1></header>'
        f'<main id="main">{body}</main>'
        f"<footer>{escape(generated)}</footer>"
        f'<script src="{root}assets/vega.min.js"></script><script src="{root}assets/vega-lite.min.js"></script>'
        f'<script src="{root}assets/dashboard.js"></script></body></html>'
    )


def _raw(value: float | int | str) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)
