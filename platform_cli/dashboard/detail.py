"""A page per team and per service: metrics and trends, timeline, findings, upgrade PR, budgets."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from platform_cli.dashboard import charts, sections
from platform_cli.dashboard.html import Cell, cell, chart, page, paragraph, section, table
from platform_cli.dashboard.metrics import percent, show
from platform_cli.dashboard.model import Dora, Metrics, ServiceStatus
from platform_cli.dashboard.naming import service_page, team_page

UP = "../"
HOME = ("Platform health", "../index.html")


def render_team(team: str, dora: Dora, services: Sequence[ServiceStatus], generated: str) -> str:
    m = dora.teams.get(team)
    scope = f"team:{team}"
    body = (
        paragraph(f"{len(services)} services owned by {team}.")
        + (_metrics(m, scope) if m else paragraph("No production deploy of this team in the window."))
        + section("Services", _services(services, dora), "services")
        + section(
            "Error budgets, worst first",
            sections.budgets(sections.budget_rows(services), f"Error budgets of {team}", "team-budgets", UP),
            "budgets",
        )
    )
    return page(f"Team {team}", UP, (HOME, (team, team_page(team, UP))), body, generated)


def render_service(name: str, dora: Dora, status: ServiceStatus | None, generated: str) -> str:
    m = dora.services.get(name)
    scope = f"service:{name}"
    team = status.team if status else "unknown team"
    nav = [HOME] + ([(team, team_page(team, UP))] if status else []) + [(name, service_page(name, UP))]
    body = (
        _about(name, status)
        + (
            _metrics(m, scope) + _timeline(m, dora, name)
            if m
            else paragraph("No production deploy of this service in the window.")
        )
        + (
            _findings(status)
            + _upgrade(status)
            + section(
                "Error budgets",
                sections.budgets(sections.budget_rows([status]), f"Error budgets of {name}", "service-budgets", UP),
                "budgets",
            )
            if status
            else paragraph("This service is not in the fleet status document.")
        )
    )
    return page(f"Service {name}", UP, nav, body, generated)


def _metrics(m: Metrics, scope: str) -> str:
    return sections.metrics(m, scope) + sections.trends(m, scope, "trends")


def _about(name: str, s: ServiceStatus | None) -> str:
    if s is None:
        return ""
    rows = [
        ("team", Cell(s.team, href=team_page(s.team, UP))),
        ("template", Cell(f"{s.template} {s.version}", metric=f"service:{name}.version")),
        ("template lag", Cell(_lag(s), s.versions_behind, metric=f"service:{name}.versions_behind")),
        ("doctor level", Cell(s.level, metric=f"service:{name}.level")),
        ("findings at or above high", _count(s.high_findings, f"service:{name}.high")),
    ]
    if s.error:
        rows.append(("could not be read", Cell(s.error)))
    return section("Service", table(f"About {name}", ("", "value"), rows), "about")


def _lag(s: ServiceStatus) -> str:
    if s.versions_behind is None:
        return "unknown"
    if s.versions_behind <= 0:
        return "current" if s.versions_behind == 0 else f"{-s.versions_behind} versions ahead of the latest release"
    days = "" if s.days_behind is None else f", {s.days_behind:g} days"
    return f"{s.versions_behind} versions behind {s.latest_version or 'the latest'}{days}"


def _count(n: int | None, metric: str | None = None) -> Cell:
    return Cell("unknown" if n is None else str(n), n, metric=metric)


def _timeline(m: Metrics, dora: Dora, name: str) -> str:
    if m.deploys is None and m.incidents is None:
        note = "The DORA document lists no individual deploys or incidents: weekly deploy counts are in the trends."
        return section("Deploys and incidents", paragraph(note), "timeline")
    deploys, incidents = m.deploys or (), m.incidents or ()
    tables = table(
        f"Deploys of {name}",
        ("deploy", "landed", "kind", "outcome"),
        [(Cell(d.id), d.at, d.kind, "failed" if d.failed else "ok") for d in deploys],
        empty="no deploy in the window",
    ) + table(
        f"Incidents of {name}",
        ("incident", "title", "opened", "resolved", "cause"),
        [(Cell(i.id), i.title, i.opened, i.resolved or "open", i.cause or "none named") for i in incidents],
        empty="no incident in the window",
    )
    if not deploys and not incidents:
        return section("Deploys and incidents", tables, "timeline")
    spec = charts.timeline(
        f"Deploys and incidents of {name}",
        [{"id": d.id[:12], "at": d.at, "kind": d.kind, "outcome": "failed" if d.failed else "ok"} for d in deploys],
        [{"id": i.id, "title": i.title, "opened": i.opened, "resolved": i.resolved or dora.until} for i in incidents],
        dora.since,
        dora.until,
    )
    return section(
        "Deploys and incidents", chart("timeline", f"Deploys and incidents of {name}", spec, tables), "timeline"
    )


def _findings(s: ServiceStatus) -> str:
    if s.findings is None and s.high_findings == 0:
        note = "No finding at or above high (plat doctor in the service's checkout lists any lower ones)."
        return section("Doctor findings", paragraph(note), "findings")
    if s.findings is None:
        count = "an unknown number of" if s.high_findings is None else str(s.high_findings)
        note = (
            f"The fleet status lists {count} findings at or above high, not the findings themselves: run "
            "plat doctor in the service's checkout for each finding with its fix."
        )
        return section("Doctor findings", paragraph(note), "findings")
    rows = [(Cell(f.id), f.severity, f.message or f.title, f.file, f.remediation) for f in s.findings]
    return section(
        "Doctor findings",
        table(
            f"Doctor findings of {s.name}", ("rule", "severity", "finding", "file", "fix"), rows, empty="no findings"
        ),
        "findings",
    )


def _upgrade(s: ServiceStatus) -> str:
    pr = s.upgrade_pr
    if pr is None:
        return section("Upgrade pull request", paragraph("No upgrade pull request is open."), "upgrade")
    state = "has conflicts to resolve" if pr.conflicts else "merges cleanly"
    href = pr.url if pr.url.startswith(("https://", "http://")) else None
    number = cell(Cell(f"#{pr.number}", pr.number, href=href, metric=f"service:{s.name}.upgrade_pr"), tag="span")
    sentence = escape(f", open {pr.age_days:g} days, {state}.")
    return section("Upgrade pull request", f"<p>Pull request {number}{sentence}</p>", "upgrade")


def _services(services: Sequence[ServiceStatus], dora: Dora) -> str:
    rows = []
    for s in sorted(services, key=lambda s: s.name):
        m = dora.services.get(s.name)
        lowest = min((b.remaining for b in s.budgets if b.remaining is not None), default=None)
        rows.append(
            (
                Cell(s.name, href=service_page(s.name, UP)),
                f"{s.template} {s.version}",
                s.level,
                _count(s.high_findings),
                Cell(f"#{s.upgrade_pr.number}" if s.upgrade_pr else "none"),
                Cell(percent(lowest), lowest),
                Cell(show(m.deploys_per_week, "per_week") if m else "no deploys", m.deploys_per_week if m else None),
            )
        )
    return table(
        "Services",
        ("service", "template", "level", "high findings", "upgrade PR", "lowest budget", "deployment frequency"),
        rows,
    )
