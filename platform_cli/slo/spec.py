"""The SLO file (`slo.yaml`): Sloth's `prometheus/v1` spec, read into frozen values. The one validator:
`plat slo generate` (through `parse`) and doctor (through `problems`) accept exactly the same files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.errors import UsageError

WINDOW = "{{.window}}"
VERSION = "prometheus/v1"


@dataclass(frozen=True)
class Alert:
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    page_labels: Mapping[str, str] = field(default_factory=dict)
    ticket_labels: Mapping[str, str] = field(default_factory=dict)
    disabled: bool = False


@dataclass(frozen=True)
class SLO:
    name: str
    objective: float  # percent, e.g. 99.9
    error_query: str = ""  # sli.events, with {{.window}} where the range goes
    total_query: str = ""
    error_ratio_query: str = ""  # sli.raw instead of events: the error ratio itself, with {{.window}}
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    alert: Alert | None = None

    @property
    def budget(self) -> float:
        return round(1 - self.objective / 100, 12)


@dataclass(frozen=True)
class Spec:
    service: str
    slos: tuple[SLO, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    period_days: int = 30


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an SLO file: what, how to fix it, and where (its top-level key, its SLO's name)."""

    message: str
    hint: str
    key: str = ""  # "version", "service", "slos", "period_days"; "" for the whole file
    slo: str = ""  # the name of the SLO it concerns, when that SLO has one


def load(path: Path, service: str | None = None) -> Spec:
    try:
        data = yamlio.load_file(path)
    except OSError as exc:
        raise UsageError(f"cannot read SLO file {path}: {exc.strerror}", hint="pass the service repo path") from exc
    except yamlio.YAMLError as exc:
        raise UsageError(f"SLO file {path} is not valid YAML: {exc}", hint="fix the YAML syntax") from exc
    return parse(data, str(path), service)


def parse(data: Any, origin: str = "slo.yaml", service: str | None = None) -> Spec:
    """The spec in `data`, or a UsageError naming its first problem."""
    spec, found = _read(data, service)
    if spec is None:
        more = f" (and {len(found) - 1} more problem(s))" if len(found) > 1 else ""
        raise UsageError(f"{origin}: {found[0].message}{more}", hint=found[0].hint)
    return spec


def problems(data: Any, service: str | None = None) -> tuple[Problem, ...]:
    """Everything wrong with an SLO file's YAML; `service`, when given, is the name it must declare."""
    return _read(data, service)[1]


@dataclass(frozen=True)
class _At:
    """Where in the file a reader is, and the list its problems go to."""

    out: list[Problem]
    path: str = ""
    key: str = ""
    slo: str = ""

    def problem(self, message: str, hint: str) -> None:
        self.out.append(Problem(f"{self.path}: {message}" if self.path else message, hint, self.key, self.slo))

    def to(self, path: str | None = None, key: str | None = None, slo: str | None = None) -> _At:
        return _At(
            self.out,
            self.path if path is None else path,
            self.key if key is None else key,
            self.slo if slo is None else slo,
        )


def _read(data: Any, service: str | None) -> tuple[Spec | None, tuple[Problem, ...]]:
    at = _At([])
    if not isinstance(data, dict):
        at.problem(f"not a Sloth {VERSION} SLO spec (not a mapping)", f"start it with `version: {VERSION}`")
        return None, tuple(at.out)
    if data.get("version") != VERSION:
        at.to(key="version").problem(
            f"version is {data.get('version')!r}, not a Sloth {VERSION} SLO spec", f"start it with `version: {VERSION}`"
        )
    name = _service(data, service, at.to(key="service"))
    slos = _slos(data.get("slos"), at.to(key="slos"))
    period = data.get("period_days", 30)
    if isinstance(period, bool) or not isinstance(period, int) or not 1 <= period <= 90:
        at.to(key="period_days").problem("period_days must be a whole number of days (1-90)", "e.g. period_days: 30")
    labels = _labels(data, "labels", at.to(key="labels"))
    if at.out:
        return None, tuple(at.out)
    return Spec(name, slos, labels, period), ()


def _service(data: dict, expected: str | None, at: _At) -> str:
    name = _text(data, "service", at)
    if expected is not None and name and name != expected:
        at.problem(f"service is {name!r}, expected {expected!r}", f"set service: {expected} (the service's name)")
    return name


def _slos(items: Any, at: _At) -> tuple[SLO, ...]:
    if not isinstance(items, list) or not items:
        at.problem("declares no SLOs", "add at least one entry under `slos:`")
        return ()
    slos = tuple(_slo(item, at.to(path=f"slos[{i}]")) for i, item in enumerate(items))
    names = [s.name for s in slos if s.name]
    if len(set(names)) != len(names):
        at.problem("duplicate SLO names", "give each SLO a unique name")
    return slos


def _slo(item: Any, at: _At) -> SLO:
    if not isinstance(item, dict):
        at.problem("is not a mapping", "each SLO needs name, objective and sli")
        return SLO("", 0.0)
    name = _text(item, "name", at)
    at = at.to(slo=name)
    objective = item.get("objective")
    if isinstance(objective, bool) or not isinstance(objective, (int, float)) or not 0 < objective < 100:
        at.problem(f"objective must be a percentage between 0 and 100, got {objective!r}", "e.g. objective: 99.9")
        objective = 0.0
    error, total, ratio = _sli(item.get("sli"), at)
    return SLO(
        name=name,
        objective=float(objective),
        error_query=error,
        total_query=total,
        error_ratio_query=ratio,
        description=str(item.get("description", "")),
        labels=_labels(item, "labels", at),
        alert=_alert(item.get("alerting"), at),
    )


def _sli(sli: Any, at: _At) -> tuple[str, str, str]:
    """(error query, total query, error ratio query): events give the first two, raw the third."""
    sli = sli if isinstance(sli, dict) else {}
    if "raw" in sli:
        return "", "", _query(sli["raw"], "sli.raw.error_ratio_query", at)
    if "plugin" in sli:
        at.problem(
            "sli.plugin is not supported: plat generates rules from sli.events or sli.raw",
            f"write the plugin's query as sli.raw.error_ratio_query (with {WINDOW})",
        )
        return "", "", ""
    events = sli.get("events")
    return _query(events, "sli.events.error_query", at), _query(events, "sli.events.total_query", at), ""


def _query(data: Any, dotted: str, at: _At) -> str:
    query = data.get(dotted.rsplit(".", 1)[1]) if isinstance(data, dict) else None
    if not isinstance(query, str) or WINDOW not in query:
        at.problem(f"{dotted} must be a query using {WINDOW}", f"e.g. sum(rate(http_requests_total[{WINDOW}]))")
        return ""
    return query.strip()


def _alert(data: Any, at: _At) -> Alert | None:
    if not data:
        return None
    at = at.to(path=f"{at.path}.alerting" if at.path else "alerting")
    if not isinstance(data, dict):
        at.problem("is not a mapping", "give it a name and optional labels, annotations, page_alert, ticket_alert")
        return None
    page, ticket = (_mapping(data, key, at) for key in ("page_alert", "ticket_alert"))
    return Alert(
        name=_text(data, "name", at),
        labels=_labels(data, "labels", at),
        annotations=_labels(data, "annotations", at),
        page_labels=_labels(page, "labels", at.to(path=f"{at.path}.page_alert")),
        ticket_labels=_labels(ticket, "labels", at.to(path=f"{at.path}.ticket_alert")),
        disabled=bool(page.get("disable")) and bool(ticket.get("disable")),
    )


def _text(data: dict, key: str, at: _At) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        at.problem(f"`{key}` is missing", f"set {key}: to a non-empty string")
        return ""
    return value.strip()


def _labels(data: dict, key: str, at: _At) -> dict[str, str]:
    return {str(k): str(v) for k, v in _mapping(data, key, at).items()}


def _mapping(data: dict, key: str, at: _At) -> dict:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        at.problem(f"`{key}` must be a mapping, got {value!r}", f"write {key}: as key: value pairs")
        return {}
    return value
