"""The SLO file (`slo.yaml`): Sloth's `prometheus/v1` spec, read into frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from platform_cli import yamlio
from platform_cli.errors import UsageError

WINDOW = "{{.window}}"


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
    error_query: str  # with {{.window}} where the range goes
    total_query: str
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


def load(path: Path) -> Spec:
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read SLO file {path}: {exc.strerror}", hint="pass the service repo path") from exc
    except yamlio.YAMLError as exc:
        raise UsageError(f"SLO file {path} is not valid YAML", hint="fix the YAML syntax") from exc
    return parse(data, str(path))


def parse(data: Any, origin: str = "slo.yaml") -> Spec:
    if not isinstance(data, dict) or data.get("version") != "prometheus/v1":
        raise UsageError(f"{origin} is not a Sloth prometheus/v1 SLO spec", hint="start it with `version: prometheus/v1`")
    service = _text(data, "service", origin)
    slos = data.get("slos")
    if not isinstance(slos, list) or not slos:
        raise UsageError(f"{origin} declares no SLOs", hint="add at least one entry under `slos:`")
    parsed = tuple(_slo(item, f"{origin} slos[{i}]") for i, item in enumerate(slos))
    names = [s.name for s in parsed]
    if len(set(names)) != len(names):
        raise UsageError(f"{origin} has duplicate SLO names", hint="give each SLO a unique name")
    period = data.get("period_days", 30)
    if not isinstance(period, int) or not 1 <= period <= 90:
        raise UsageError(f"{origin}: period_days must be a whole number of days (1-90)", hint="e.g. period_days: 30")
    return Spec(service=service, slos=parsed, labels=_labels(data.get("labels")), period_days=period)


def _slo(item: Any, where: str) -> SLO:
    if not isinstance(item, dict):
        raise UsageError(f"{where} is not a mapping", hint="each SLO needs name, objective and sli")
    objective = item.get("objective")
    if not isinstance(objective, (int, float)) or not 0 < objective < 100:
        raise UsageError(f"{where}: objective must be a percentage between 0 and 100, got {objective!r}",
                         hint="e.g. objective: 99.9")
    events = ((item.get("sli") or {}).get("events")) or {}
    queries = {k: events.get(k) for k in ("error_query", "total_query")}
    for key, query in queries.items():
        if not isinstance(query, str) or WINDOW not in query:
            raise UsageError(f"{where}: sli.events.{key} must be a query using {WINDOW}",
                             hint=f"e.g. sum(rate(http_requests_total[{WINDOW}]))")
    return SLO(name=_text(item, "name", where), objective=float(objective), description=str(item.get("description", "")),
               error_query=queries["error_query"].strip(), total_query=queries["total_query"].strip(),
               labels=_labels(item.get("labels")), alert=_alert(item.get("alerting"), where))


def _alert(data: Any, where: str) -> Alert | None:
    if not data:
        return None
    return Alert(name=_text(data, "name", f"{where}.alerting"), labels=_labels(data.get("labels")),
                 annotations=_labels(data.get("annotations")),
                 page_labels=_labels((data.get("page_alert") or {}).get("labels")),
                 ticket_labels=_labels((data.get("ticket_alert") or {}).get("labels")),
                 disabled=bool((data.get("page_alert") or {}).get("disable")) and bool(
                     (data.get("ticket_alert") or {}).get("disable")))


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{where}: `{key}` is missing", hint=f"set {key}: to a non-empty string")
    return value.strip()


def _labels(data: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (data or {}).items()}
