"""SLO rules: the service ships an SLO file (Sloth spec, prometheus/v1) that is complete."""

from __future__ import annotations

from typing import Any

from platform_cli import yamlio
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found, line_of

SLO_FILE = "slo.yaml"
PRESENT = Rule("PLAT-SLO-001", "SLO file present", "medium", "bronze",
               f"add {SLO_FILE} (restore it with `plat doctor --fix` if the template shipped it)")
VALID = Rule("PLAT-SLO-002", "SLO file valid", "medium", "gold",
             f"fix {SLO_FILE}: version prometheus/v1, service, and slos each with name, objective (0-100) "
             "and sli.events.error_query/total_query (or sli.raw / sli.plugin)")
STALE = Rule("PLAT-SLO-003", "SLO rules match the SLO file", "medium", "silver",
             "run `plat slo generate` and commit chart/files/slo-rules*.yaml")
RULES = {r.id: r for r in (PRESENT, VALID, STALE)}
NEEDS: tuple[str, ...] = ()
SKIP_IS_UNVERIFIED = False  # skipped only where it does not apply


def skip_reason(ctx: ServiceContext) -> str:
    return ""


def check(ctx: ServiceContext) -> list[Finding]:
    text = ctx.text(SLO_FILE) or ctx.text("slo.yml")
    if text is None:
        return [found(PRESENT, f"no {SLO_FILE}: the service declares no service level objectives", SLO_FILE)]
    try:
        data = yamlio.load(text)
    except yamlio.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [found(VALID, f"{SLO_FILE} is not valid YAML", SLO_FILE, (mark.line + 1) if mark else 1)]
    invalid = [found(VALID, problem, SLO_FILE, line_of(ctx.root / SLO_FILE, pattern))
               for problem, pattern in problems(data, ctx.service)]
    return invalid or stale(ctx)


def stale(ctx: ServiceContext) -> list[Finding]:
    """The generated Prometheus rules (and their promtool tests) must be what slo.yaml gives today."""
    from platform_cli.commands import slo
    from platform_cli.errors import PlatError

    try:
        result = slo.generate(ctx.root, write=False)
    except PlatError as exc:
        return [found(VALID, exc.message, SLO_FILE)]
    return [found(STALE, f"{path} is missing or out of date with {SLO_FILE}", path) for path in result.stale]


def problems(data: Any, service: str) -> list[tuple[str, str]]:
    if not isinstance(data, dict):
        return [(f"{SLO_FILE} is not a mapping", r".")]
    out = []
    if data.get("version") != "prometheus/v1":
        out.append((f"version is {data.get('version')!r}, expected prometheus/v1", r"^version:"))
    if data.get("service") != service:
        out.append((f"service is {data.get('service')!r}, expected {service!r}", r"^service:"))
    slos = data.get("slos")
    if not isinstance(slos, list) or not slos:
        return out + [("slos is empty: declare at least one objective", r"^slos:")]
    for i, slo in enumerate(slos):
        out += [(f"slos[{i}]: {p}", rf"name:\s*{_name(slo)}\s*$" if _name(slo) else r"^slos:") for p in _slo(slo)]
    return out


def _name(slo: Any) -> str:
    return str(slo.get("name", "")) if isinstance(slo, dict) else ""


def _slo(slo: Any) -> list[str]:
    if not isinstance(slo, dict):
        return ["is not a mapping"]
    out = [] if slo.get("name") else ["has no name"]
    objective = slo.get("objective")
    if not isinstance(objective, (int, float)) or isinstance(objective, bool) or not 0 < objective < 100:
        out.append(f"objective {objective!r} is not a number between 0 and 100")
    sli = slo.get("sli") or {}
    events = sli.get("events") or {} if isinstance(sli, dict) else {}
    has_events = isinstance(events, dict) and events.get("error_query") and events.get("total_query")
    if not (has_events or (isinstance(sli, dict) and (sli.get("raw") or sli.get("plugin")))):
        out.append("sli needs events.error_query and events.total_query (or raw / plugin)")
    return out
