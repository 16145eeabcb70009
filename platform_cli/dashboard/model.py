"""The dashboard's input, typed: `plat dora --json` and `plat fleet status --json` as frozen values.

The loader reads the two documents as plain data (dicts from JSON) and checks what the pages use;
keys it does not know are ignored (the producers may add siblings). A document that lacks a key
the pages need is a `DashboardInputError` naming the key, never a half-built site.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    start: str  # the week's first day, ISO date
    values: Mapping[str, float | None]  # metric key (METRICS) -> that week's value


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
    deploys: tuple[Deploy, ...] = ()
    incidents: tuple[Incident, ...] = ()


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
    objective: float
    remaining: float | None  # fraction of the period's budget left; None: no data


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    team: str
    template: str
    version: str
    versions_behind: int
    days_behind: float
    level: str
    high_findings: int
    findings: tuple[Finding, ...]
    upgrade_pr: UpgradePR | None
    budgets: tuple[Budget, ...]


@dataclass(frozen=True)
class Campaign:
    id: str
    to_version: str
    states: Mapping[str, int]  # pending, pr_open, conflicts, merged, failed -> services

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


def load_fleet(doc: Mapping[str, Any]) -> Fleet:
    rows = _get(doc, "services", "fleet")
    return Fleet(
        services=tuple(_service(r, f"fleet.services[{i}]") for i, r in enumerate(rows)),
        campaigns=tuple(_campaign(c, f"fleet.campaigns[{i}]") for i, c in enumerate(doc.get("campaigns") or ())),
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
        deploys=tuple(_deploy(d, f"{where}.deploys") for d in m.get("deploys") or ()),
        incidents=tuple(_incident(i, f"{where}.incidents") for i in m.get("incidents") or ()),
    )


def _stat(s: Mapping[str, Any]) -> Stat:
    return Stat(_num(s.get("median")), _num(s.get("p90")), int(s.get("n") or 0))


def _week(w: Mapping[str, Any], where: str) -> Week:
    start = str(_get(w, "week", where))
    return Week(start, {k: _num(v) for k, v in w.items() if k != "week" and not isinstance(v, (dict, list, str))})


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
    return ServiceStatus(
        name=str(_get(r, "service", where)),
        team=str(_get(r, "team", where)),
        template=str(_get(r, "template", where)),
        version=str(_get(r, "version", where)),
        versions_behind=int(lag.get("versions") or 0),
        days_behind=float(lag.get("days") or 0),
        level=str(doctor.get("level") or "unknown"),
        high_findings=int(doctor.get("high_findings") or 0),
        findings=tuple(_finding(f, f"{where}.doctor.findings") for f in doctor.get("findings") or ()),
        upgrade_pr=None if not pr else _pr(pr, f"{where}.upgrade_pr"),
        budgets=tuple(_budget(b, f"{where}.budgets") for b in r.get("budgets") or ()),
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


def _budget(b: Mapping[str, Any], where: str) -> Budget:
    return Budget(str(_get(b, "slo", where)), float(_get(b, "objective", where)), _num(b.get("remaining")))


def _campaign(c: Mapping[str, Any], where: str) -> Campaign:
    states = _get(c, "states", where)
    return Campaign(str(_get(c, "id", where)), str(c.get("to") or ""), {str(k): int(v) for k, v in states.items()})


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
