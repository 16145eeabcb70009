"""The dashboard's input, typed: `plat dora --json`, `plat fleet status --json` (and the
`plat fleet campaign status --json` of each campaign) as frozen values.

The loader reads the documents as plain data (dicts from JSON) and checks what the pages use; keys
it does not know are ignored (the producers may add siblings). Three siblings are read when present:
`deploys` and `incidents` in a service's dora metrics (the timeline's events), `findings` in a fleet
row's `doctor` (doctor's own finding objects). A document that lacks a key the pages need is a
`DashboardInputError` naming the key, never a half-built site.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from platform_cli.errors import DashboardInputError


@dataclass(frozen=True)
class Stat:
    median: float | None
    p90: float | None
    n: int


@dataclass(frozen=True)
class Week:
    label: str  # as the document names it (the ISO week, 2026-W45)
    start: str  # its first instant (ISO), where the trend charts place it
    values: Mapping[str, float | None]  # metric key (METRICS.weekly) -> that week's value


@dataclass(frozen=True)
class Deploy:
    id: str
    at: str  # ISO timestamp it landed
    kind: str  # normal, hotfix, rollback
    failed: bool


@dataclass(frozen=True)
class Incident:
    id: str
    title: str
    opened: str
    resolved: str | None
    cause: str | None


@dataclass(frozen=True)
class Metrics:
    deployments: int
    deploys_per_week: float
    lead_time: Stat
    change_fail_rate: float | None
    recovery: Stat
    rework_rate: float | None
    bands: Mapping[str, str]
    weekly: tuple[Week, ...]
    deploys: tuple[Deploy, ...] | None = None  # None: the document does not list them
    incidents: tuple[Incident, ...] | None = None


@dataclass(frozen=True)
class Dora:
    since: str
    until: str
    org: Metrics
    teams: Mapping[str, Metrics]
    services: Mapping[str, Metrics]


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    severity: str
    message: str
    file: str
    remediation: str


@dataclass(frozen=True)
class UpgradePR:
    number: int
    url: str
    age_days: float
    conflicts: bool


@dataclass(frozen=True)
class Budget:
    slo: str
    remaining: float | None  # fraction of the period's budget left (negative: overspent); None: no data


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    team: str
    template: str
    version: str
    latest_version: str | None
    versions_behind: int | None
    days_behind: float | None
    level: str  # none, bronze, silver, gold; "unknown" when doctor could not run
    high_findings: int | None
    findings: tuple[Finding, ...] | None  # None: the document does not list them
    upgrade_pr: UpgradePR | None
    budgets: tuple[Budget, ...]  # empty without a Prometheus URL
    error: str | None


@dataclass(frozen=True)
class Campaign:
    to_version: str
    states: Mapping[str, int]  # pending, pr-open, conflicts, merged, current, failed -> services

    @property
    def total(self) -> int:
        return sum(self.states.values())


@dataclass(frozen=True)
class Fleet:
    services: tuple[ServiceStatus, ...]
    campaigns: tuple[Campaign, ...]


def load_dora(doc: Mapping[str, Any]) -> Dora:
    window = _get(doc, "window", "dora")
    return Dora(
        since=str(_get(window, "since", "dora.window")),
        until=str(_get(window, "until", "dora.window")),
        org=_metrics(_get(doc, "org", "dora"), "dora.org"),
        teams={k: _metrics(v, f"dora.teams.{k}") for k, v in _get(doc, "teams", "dora").items()},
        services={k: _metrics(v, f"dora.services.{k}") for k, v in _get(doc, "services", "dora").items()},
    )


def load_fleet(doc: Mapping[str, Any], campaigns: Sequence[Mapping[str, Any]] = ()) -> Fleet:
    """`doc` is `plat fleet status --json`; `campaigns` the `plat fleet campaign status --json` documents."""
    rows = _get(doc, "services", "fleet")
    return Fleet(
        services=tuple(_service(r, f"fleet.services[{i}]") for i, r in enumerate(rows)),
        campaigns=tuple(_campaign(c, f"campaign[{i}]") for i, c in enumerate(campaigns)),
    )


def _metrics(m: Mapping[str, Any], where: str) -> Metrics:
    return Metrics(
        deployments=int(_get(m, "deployments", where)),
        deploys_per_week=float(_get(m, "deploys_per_week", where)),
        lead_time=_stat(_get(m, "lead_time_seconds", where)),
        change_fail_rate=_num(_get(m, "change_fail_rate", where)),
        recovery=_stat(_get(m, "recovery_seconds", where)),
        rework_rate=_num(_get(m, "rework_rate", where)),
        bands={str(k): str(v) for k, v in (m.get("bands") or {}).items() if v is not None},
        weekly=tuple(_week(w, f"{where}.weekly") for w in m.get("weekly") or ()),
        deploys=None if m.get("deploys") is None else tuple(_deploy(d, f"{where}.deploys") for d in m["deploys"]),
        incidents=None
        if m.get("incidents") is None
        else tuple(_incident(i, f"{where}.incidents") for i in m["incidents"]),
    )


def _stat(s: Mapping[str, Any]) -> Stat:
    return Stat(_num(s.get("median")), _num(s.get("p90")), int(s.get("n") or 0))


def _week(w: Mapping[str, Any], where: str) -> Week:
    label = str(_get(w, "week", where))
    values = {k: _num(v) for k, v in w.items() if k not in ("week", "start") and not isinstance(v, (dict, list, str))}
    return Week(label, str(w.get("start") or label), values)


def _deploy(d: Mapping[str, Any], where: str) -> Deploy:
    return Deploy(
        str(_get(d, "id", where)), str(_get(d, "at", where)), str(d.get("kind") or "normal"), bool(d.get("failed"))
    )


def _incident(i: Mapping[str, Any], where: str) -> Incident:
    return Incident(
        id=str(_get(i, "id", where)),
        title=str(i.get("title") or ""),
        opened=str(_get(i, "opened", where)),
        resolved=None if i.get("resolved") is None else str(i["resolved"]),
        cause=None if i.get("cause") is None else str(i["cause"]),
    )


def _service(r: Mapping[str, Any], where: str) -> ServiceStatus:
    lag = r.get("lag") or {}
    doctor = r.get("doctor") or {}
    pr = r.get("upgrade_pr")
    findings = doctor.get("findings")
    slos = (r.get("slo") or {}).get("slos") or {}
    return ServiceStatus(
        name=str(_get(r, "service", where)),
        team=str(r.get("owner") or "unowned"),
        template=str(r.get("template") or "unknown"),
        version=str(r.get("version") or "unknown"),
        latest_version=None if r.get("latest_version") is None else str(r["latest_version"]),
        versions_behind=None if lag.get("versions") is None else int(lag["versions"]),
        days_behind=_num(lag.get("days")),
        level=str(doctor.get("level") or "unknown"),
        high_findings=None if doctor.get("high_findings") is None else int(doctor["high_findings"]),
        findings=None if findings is None else tuple(_finding(f, f"{where}.doctor.findings") for f in findings),
        upgrade_pr=None if not pr else _pr(pr, f"{where}.upgrade_pr"),
        budgets=tuple(Budget(str(name), _num(left)) for name, left in sorted(slos.items())),
        error=None if r.get("error") is None else str(r["error"]),
    )


def _finding(f: Mapping[str, Any], where: str) -> Finding:
    return Finding(
        id=str(_get(f, "id", where)),
        title=str(f.get("title") or ""),
        severity=str(f.get("severity") or ""),
        message=str(f.get("message") or ""),
        file=str(f.get("file") or ""),
        remediation=str(f.get("remediation") or ""),
    )


def _pr(p: Mapping[str, Any], where: str) -> UpgradePR:
    return UpgradePR(
        int(_get(p, "number", where)), str(p.get("url") or ""), float(p.get("age_days") or 0), bool(p.get("conflicts"))
    )


def _campaign(c: Mapping[str, Any], where: str) -> Campaign:
    counts = _get(c, "counts", where)
    return Campaign(str(_get(c, "to", where)), {str(k): int(v) for k, v in counts.items()})


def _get(doc: Any, key: str, where: str) -> Any:
    if not isinstance(doc, Mapping):
        raise DashboardInputError(f"{where} is not an object", hint="pass the documents `--json` prints, unchanged")
    if key not in doc:
        raise DashboardInputError(f"{where} has no {key!r}", hint="pass the documents `--json` prints, unchanged")
    return doc[key]


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)):
        raise DashboardInputError(f"expected a number, got {value!r}", hint="pass the documents `--json` prints")
    return float(value)
