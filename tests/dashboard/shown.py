"""What the built pages show: every element carrying data-metric (read from the HTML, or from the
browser), and the comparison with what the documents say."""

from __future__ import annotations

import math
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

Shown = Dict[str, List[Tuple[str, str, str | None]]]  # metric -> [(page, text, data-value)]


class _Metrics(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: List[Tuple[str, str | None, str, int]] = []  # (metric, value, text so far, depth)
        self.found: List[Tuple[str, str, str | None]] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        self.depth += 1
        a = dict(attrs)
        if "data-metric" in a:
            self.open.append((a["data-metric"], a.get("data-value"), "", self.depth))

    def handle_endtag(self, tag):
        if self.open and self.open[-1][3] == self.depth:
            metric, value, text, _ = self.open.pop()
            self.found.append((metric, " ".join(text.split()), value))
        self.depth -= 1

    def handle_data(self, data):
        self.open = [(m, v, t + data, d) for m, v, t, d in self.open]


def from_html(site: Path) -> Shown:
    out: Shown = {}
    for page in sorted(site.rglob("*.html")):
        parser = _Metrics()
        parser.feed(page.read_text(encoding="utf-8"))
        for metric, text, value in parser.found:
            out.setdefault(metric, []).append((page.relative_to(site).as_posix(), text, value))
    return out


def from_browser(reports: List[Dict[str, Any]]) -> Shown:
    out: Shown = {}
    for report in reports:
        for m in report["metrics"]:
            out.setdefault(m["metric"], []).append((report["url"], m["text"], m["value"]))
    return out


def mismatches(shown: Shown, expected: Dict[str, Any]) -> List[str]:
    """Every shown value that differs from the document, every shown metric the documents do not have."""
    bad = []
    for metric, places in shown.items():
        if metric not in expected:
            bad.append(f"{metric}: shown on {places[0][0]} but not in the documents")
            continue
        want = expected[metric]
        for page, text, value in places:
            if not _same(want, text, value):
                bad.append(f"{metric} on {page}: shows {text!r} (data-value {value!r}), the document says {want!r}")
    return bad


def _same(want: Any, text: str, value: str | None) -> bool:
    if want is None:
        return value is None and text in ("no data", "unknown")
    if isinstance(want, str):
        return text == want
    return value is not None and math.isclose(float(value), float(want), rel_tol=0, abs_tol=0)
