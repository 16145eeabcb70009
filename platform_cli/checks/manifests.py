"""Render the service's Helm chart with helm and split it into manifests that remember their source."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.checks import tools as tools_mod

PLACEHOLDER_DIGEST = "sha256:" + "0" * 64  # the deploy workflow sets the real one; rendering needs a value
SOURCE = re.compile(r"^# Source: (?P<path>\S+)", re.MULTILINE)


@dataclass(frozen=True)
class Manifest:
    kind: str
    name: str
    doc: dict[str, Any]
    source: str  # the chart template it came from, relative to the service root


@dataclass(frozen=True)
class Render:
    chart: str | None  # chart directory relative to the root; None when the service has no chart
    manifests: tuple[Manifest, ...] | None  # None when not rendered
    error: str = ""  # helm's complaint when rendering failed
    skipped: str = ""  # why it was not rendered (no chart, no helm)
    missing: str = ""  # the tool whose absence kept a chart from being rendered

    def of_kind(self, *kinds: str) -> tuple[Manifest, ...]:
        return tuple(m for m in self.manifests or () if m.kind in kinds)


def find_chart(root: Path) -> Path | None:
    if (root / "chart" / "Chart.yaml").is_file():
        return root / "chart"
    return next((p.parent for p in sorted(root.glob("*/Chart.yaml"))), None)


HELM_MISSING = (
    "helm not found (looked in .tools/bin and on PATH): the chart was not rendered; install helm 3.8+ "
    "(brew install helm, snap install helm --classic, or a release from github.com/helm/helm/releases) "
    "and run plat doctor again"
)


def start_render(root: Path, release: str, helm: str | None) -> Callable[[], Render]:
    """Start `helm template` in the background; the returned call waits and parses its output."""
    chart = find_chart(root)
    if chart is None:
        return lambda: Render(chart=None, manifests=None, skipped="the service has no Helm chart (no */Chart.yaml)")
    rel = chart.relative_to(root).as_posix()
    if helm is None:
        return lambda: Render(chart=rel, manifests=None, missing="helm", skipped=HELM_MISSING)
    wait = tools_mod.start(
        [
            helm,
            "template",
            release,
            str(chart),
            "--namespace",
            release,
            "--set-string",
            f"image.digest={PLACEHOLDER_DIGEST}",
        ],
        cwd=root,
    )

    def finish() -> Render:
        out = wait()
        if out.code != 0:
            return Render(chart=rel, manifests=None, error=_first_error(out.stderr))
        return Render(chart=rel, manifests=split(out.stdout, chart_name(chart), rel))

    return finish


def chart_name(chart: Path) -> str:
    try:
        data = yamlio.load_file(chart / "Chart.yaml") or {}
    except (OSError, yamlio.YAMLError):
        return chart.name
    return str(data.get("name") or chart.name) if isinstance(data, dict) else chart.name


def split(text: str, chart_name: str, chart_rel: str) -> tuple[Manifest, ...]:
    result = []
    for chunk in re.split(r"^---\s*$", text, flags=re.MULTILINE):
        match = SOURCE.search(chunk)
        source = match["path"] if match else f"{chart_name}/templates"
        source = chart_rel + source[len(chart_name) :] if source.startswith(chart_name + "/") else source
        try:
            doc = yamlio.load(chunk)
        except yamlio.YAMLError:
            continue
        if isinstance(doc, dict) and doc.get("kind"):
            name = str((doc.get("metadata") or {}).get("name", ""))
            result.append(Manifest(kind=str(doc["kind"]), name=name, doc=doc, source=source))
    return tuple(result)


def _first_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "helm template failed"
