"""The SLO file (`slo.yaml`): Sloth's `prometheus/v1` spec, one or more YAML documents, read into
frozen values. The one validator: `plat slo generate` (through `parse`) and doctor (through
`problems`) accept exactly the same files, and nothing is written from a file it refuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.errors import UsageError
from platform_cli.slo import fields as checks
from platform_cli.slo.fields import At, Problem
from platform_cli.slo.plugins import Plugin
from platform_cli.slo.promfmt import WINDOW

VERSION = "prometheus/v1"
__all__ = ["SLO", "AlertMeta", "Problem", "Spec", "VERSION", "WINDOW", "load", "parse", "problems"]


@dataclass(frozen=True)
class AlertMeta:
    """One of an SLO's two alerts (page, ticket): Sloth's alerting merged with its page_alert/ticket_alert."""

    name: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    disabled: bool = True


@dataclass(frozen=True)
class SLO:
    service: str
    name: str
    objective: float  # percent, e.g. 99.9, kept exactly as written
    error_query: str = ""  # sli.events, with {{.window}} where the range goes
    total_query: str = ""
    error_ratio_query: str = ""  # sli.raw instead of events: the error ratio itself, with {{.window}}
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)  # the document's labels, then the SLO's
    page: AlertMeta = field(default_factory=AlertMeta)
    ticket: AlertMeta = field(default_factory=AlertMeta)
    period_days: int = 30
    plugins: tuple[Plugin, ...] = ()  # the document's slo_plugins then the SLO's plugins (unless overridden)
    override_plugins: bool = False  # run only `plugins`, not Sloth's default chain

    @property
    def id(self) -> str:
        return f"{self.service}-{self.name}"

    @property
    def budget(self) -> float:
        """The error budget as a ratio, computed as Sloth computes it: (100 - objective) / 100."""
        return (100 - self.objective) / 100

    @property
    def alerts(self) -> tuple[tuple[str, AlertMeta], ...]:
        """The enabled alerts: ("page", meta) and/or ("ticket", meta)."""
        return tuple((sev, meta) for sev, meta in (("page", self.page), ("ticket", self.ticket)) if not meta.disabled)


@dataclass(frozen=True)
class Spec:
    slos: tuple[SLO, ...]

    @property
    def service(self) -> str:
        return self.slos[0].service if self.slos else ""


def load(path: Path, service: str | None = None) -> Spec:
    try:
        documents = yamlio.load_all(yamlio.read_text(path))
    except OSError as exc:
        raise UsageError(f"cannot read SLO file {path}: {exc.strerror}", hint="pass the service repo path") from exc
    except yamlio.YAMLError as exc:
        raise UsageError(
            f"SLO file {path} is not valid YAML: {yamlio.describe(exc)}", hint="fix the YAML syntax"
        ) from exc
    return parse(documents, str(path), service)


def parse(data: Any, origin: str = "slo.yaml", service: str | None = None) -> Spec:
    """The spec in `data` (one document's mapping, or the list of a file's documents), or a UsageError
    naming its first problem."""
    spec, found = _read(data, service)
    if spec is None:
        more = f" (and {len(found) - 1} more problem(s))" if len(found) > 1 else ""
        raise UsageError(f"{origin}: {found[0].message}{more}", hint=found[0].hint)
    return spec


def problems(data: Any, service: str | None = None) -> tuple[Problem, ...]:
    """Everything wrong with an SLO file's YAML; `service`, when given, is the name it must declare."""
    return _read(data, service)[1]


def _read(data: Any, service: str | None) -> tuple[Spec | None, tuple[Problem, ...]]:
    at = At([])
    documents = [d for d in data if d is not None] if isinstance(data, list) and _all_mappings(data) else [data]
    slos: list[SLO] = []
    for i, document in enumerate(documents):
        where = at.to(path=f"document {i + 1}") if len(documents) > 1 else at
        slos.extend(_document(document, service, where))
    ids = [s.id for s in slos if s.name and s.service]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        at.to(key="slos", slo=dup.split("-", 1)[-1]).problem(
            f"SLO {dup!r} is declared twice", "give each SLO a unique name"
        )
    if at.out:
        return None, tuple(at.out)
    return Spec(tuple(slos)), ()


def _all_mappings(data: list) -> bool:
    return bool(data) and all(d is None or isinstance(d, dict) for d in data) and any(d is not None for d in data)


def _document(data: Any, service: str | None, at: At) -> list[SLO]:
    if not isinstance(data, dict):
        at.problem(f"not a Sloth {VERSION} SLO spec (not a mapping)", f"start it with `version: {VERSION}`")
        return []
    if data.get("version") != VERSION:
        at.to(key="version").problem(
            f"version is {data.get('version')!r}, not a Sloth {VERSION} SLO spec", f"start it with `version: {VERSION}`"
        )
    name = checks.service(data, service, at.to(key="service"))
    period = data.get("period_days", 30)
    if isinstance(period, bool) or not isinstance(period, int) or not 1 <= period <= 90:
        at.to(key="period_days").problem("period_days must be a whole number of days (1-90)", "e.g. period_days: 30")
        period = 30
    labels = checks.labels(data, "labels", at.to(key="labels"))
    plugins, override = checks.plugins(data.get("slo_plugins"), at.to(key="slo_plugins", path=_join(at, "slo_plugins")))
    items = data.get("slos")
    if not isinstance(items, list) or not items:
        at.to(key="slos").problem("declares no SLOs", "add at least one entry under `slos:`")
        return []
    common = {"service": name, "period_days": period, "labels": labels}
    return [
        _slo(item, common, plugins, override, at.to(key="slos", path=_join(at, f"slos[{i}]")))
        for i, item in enumerate(items)
    ]


def _join(at: At, path: str) -> str:
    return f"{at.path}: {path}" if at.path else path


def _slo(item: Any, common: dict[str, Any], plugins: tuple[Plugin, ...], override: bool, at: At) -> SLO:
    if not isinstance(item, dict):
        at.problem("is not a mapping", "each SLO needs name, objective, sli and alerting")
        return SLO(common["service"], "", 0.0)
    name = checks.name(item, "name", at)
    at = at.to(slo=name, path=f"{at.path} ({name})" if name else at.path)
    objective = checks.objective(item.get("objective"), at)
    own, own_override = checks.plugins(item.get("plugins"), at.to(path=f"{at.path}.plugins"))
    error, total, ratio = checks.sli(item.get("sli"), at)
    page, ticket = _alerting(item, at)
    return SLO(
        service=common["service"],
        name=name,
        objective=objective,
        error_query=error,
        total_query=total,
        error_ratio_query=ratio,
        description=str(item.get("description") or ""),
        labels={**common["labels"], **checks.labels(item, "labels", at)},
        page=page,
        ticket=ticket,
        period_days=common["period_days"],
        plugins=own if own_override else plugins + own,
        override_plugins=override or own_override,
    )


def _alerting(item: dict, at: At) -> tuple[AlertMeta, AlertMeta]:
    """Sloth's alerting: each of page_alert/ticket_alert enabled unless `disable: true`; an enabled one needs
    the alert name; its labels and annotations are alerting's with its own merged over them."""
    data = item.get("alerting")
    at = at.to(path=f"{at.path}.alerting")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        at.problem("is not a mapping", "give it a name and optional labels, annotations, page_alert, ticket_alert")
        return AlertMeta(), AlertMeta()
    labels, annotations = checks.labels(data, "labels", at), checks.annotation_map(data, at)
    metas = []
    for key in ("page_alert", "ticket_alert"):
        own = checks.mapping(data, key, at)
        inner = at.to(path=f"{at.path}.{key}")
        disabled = checks.flag(own, "disable", inner)
        merged_labels = {**labels, **checks.labels(own, "labels", inner)}
        merged_annotations = {**annotations, **checks.annotation_map(own, inner)}
        metas.append(AlertMeta(str(data.get("name") or ""), merged_labels, merged_annotations, disabled))
    if any(not m.disabled for m in metas):
        checks.alert_name(data, at)
    return metas[0], metas[1]
