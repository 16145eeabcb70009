"""The org page (index.html): the five metrics and their trends, versions, levels, budgets, campaigns."""

from __future__ import annotations

from collections import Counter

from platform_cli.dashboard import charts, sections
from platform_cli.dashboard.html import Cell, chart, link, page, paragraph, section, table
from platform_cli.dashboard.metrics import percent, show
from platform_cli.dashboard.model import Dora, Fleet
from platform_cli.dashboard.naming import team_page

WORST_BUDGETS = 20  # on the org page; budgets.html lists them all
LEVEL_ORDER = ("gold", "silver", "bronze", "none", "unknown")


def render(dora: Dora, fleet: Fleet, generated: str) -> str:
    services, teams = len(fleet.services), sorted({s.team for s in fleet.services} | set(dora.teams))
    intro = paragraph(f"{services} services, {len(teams)} teams; DORA window {_day(dora.since)} to {_day(dora.until)}.")
    body = "".join(
        (
            intro,
            sections.metrics(dora.org, "org"),
            sections.trends(dora.org, "org", "org-trends"),
            _versions(fleet),
            _levels(fleet),
            section(
                "Error budgets remaining, worst first",
                sections.budgets(
                    sections.budget_rows(fleet.services, WORST_BUDGETS),
                    f"The {WORST_BUDGETS} lowest error budgets",
                    "org-budgets",
                    "",
                )
                + "<p>"
                + link("Every error budget", "budgets.html")
                + "</p>",
                "budgets",
            ),
            _campaigns(fleet),
            _teams(dora, fleet, teams),
        )
    )
    return page("Platform health", "", (("Platform health", "index.html"),), body, generated)


def render_budgets(fleet: Fleet, generated: str) -> str:
    body = sections.budgets(sections.budget_rows(fleet.services), "Every error budget, worst first", "all-budgets", "")
    return page(
        "Error budgets", "", (("Platform health", "index.html"), ("Error budgets", "budgets.html")), body, generated
    )


def _versions(fleet: Fleet) -> str:
    counts = Counter((s.template, s.version) for s in fleet.services)
    ordered = sorted(counts.items(), key=lambda kv: (kv[0][0], _version_key(kv[0][1])))
    rows = [(t, v, Cell(str(n), n, metric=f"versions.{t}.{v}")) for (t, v), n in ordered]
    data = table("Services per template version", ("template", "version", "services"), rows)
    plotted = [{"template version": f"{t} {v}", "services": n} for (t, v), n in ordered]
    spec = charts.bars(
        "Services per template version",
        plotted,
        "template version",
        "services",
        sort=[f"{t} {v}" for (t, v), _ in ordered],
    )
    return section(
        "Services per template version", chart("versions", "Services per template version", spec, data), "versions"
    )


def _levels(fleet: Fleet) -> str:
    counts = Counter(s.level for s in fleet.services)
    levels = [lv for lv in LEVEL_ORDER if lv in counts] + sorted(set(counts) - set(LEVEL_ORDER))
    rows = [(lv, Cell(str(counts[lv]), counts[lv], metric=f"levels.{lv}")) for lv in levels]
    data = table("Services per doctor level", ("level", "services"), rows)
    colours = {lv: charts.LEVEL_COLOURS.get(lv, "#4a5568") for lv in levels}
    spec = charts.bars(
        "Services per doctor level",
        [{"level": lv, "services": counts[lv]} for lv in levels],
        "level",
        "services",
        colours=colours,
        sort=levels,
    )
    return section("Doctor levels", chart("levels", "Services per doctor level", spec, data), "levels")


def _campaigns(fleet: Fleet) -> str:
    if not fleet.campaigns:
        return section("Upgrade campaigns", paragraph("No upgrade campaign in the documents."), "campaigns")
    states = sorted({k for c in fleet.campaigns for k in c.states}, key=_state_key)
    rows: list[list[Cell | str]] = []
    for c in fleet.campaigns:
        done = (c.states.get("merged", 0) + c.states.get("current", 0)) / c.total if c.total else None
        key = f"campaign.{c.to_version}"
        counts = [Cell(str(c.states.get(s, 0)), c.states.get(s, 0), metric=f"{key}.{s}") for s in states]
        rows.append([f"to {c.to_version}", *counts, Cell(percent(done), done, metric=f"{key}.done")])
    data = table("Upgrade campaigns", ("campaign", *states, "done (merged or current)"), rows)
    plotted = [
        {"campaign": f"to {c.to_version}", "state": s, "services": n}
        for c in fleet.campaigns
        for s, n in c.states.items()
    ]
    spec = charts.campaigns("Services per state in each upgrade campaign", plotted)
    return section("Upgrade campaigns", chart("campaigns", "Upgrade campaign progress", spec, data), "campaigns")


def _teams(dora: Dora, fleet: Fleet, teams: list[str]) -> str:
    per_team = Counter(s.team for s in fleet.services)
    rows = []
    for team in teams:
        m = dora.teams.get(team)
        rows.append(
            (
                Cell(team, href=team_page(team, "")),
                Cell(str(per_team[team]), per_team[team]),
                Cell(
                    show(m.deploys_per_week, "per_week") if m else "no deploys",
                    m.deploys_per_week if m else None,
                    metric=f"team:{team}.deployment_frequency.summary" if m else None,
                ),
                Cell(percent(m.change_fail_rate) if m else "no deploys", m.change_fail_rate if m else None),
            )
        )
    return section(
        "Teams", table("Teams", ("team", "services", "deployment frequency", "change fail rate"), rows), "teams"
    )


def _day(instant: str) -> str:
    """2026-11-02T00:00:00Z reads 2026-11-02; any other instant as it is."""
    return instant[:10] if instant[10:] in ("", "T00:00:00Z", "T00:00:00+00:00") else instant


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.lstrip("v").split("."))


def _state_key(state: str) -> int:
    order = ("merged", "current", "pr-open", "conflicts", "pending", "failed")
    return order.index(state) if state in order else len(order)
