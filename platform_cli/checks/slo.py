"""SLO rules: the service ships an SLO file (Sloth spec, prometheus/v1) that is complete. Validity is
`platform_cli.slo.spec`'s, the same validator `plat slo generate` uses, so the two accept the same files."""

from __future__ import annotations

import re

from platform_cli import yamlio
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found, line_of
from platform_cli.errors import PlatError
from platform_cli.slo import files, spec
from platform_cli.slo.files import SLO_FILE

PRESENT = Rule(
    "PLAT-SLO-001",
    "SLO file present",
    "medium",
    "bronze",
    f"add {SLO_FILE} (restore it with `plat doctor --fix` if the template shipped it)",
)
VALID = Rule(
    "PLAT-SLO-002",
    "SLO file valid",
    "medium",
    "gold",
    f"fix {SLO_FILE}: Sloth's prometheus/v1 spec, each SLO with name, objective, sli (events or raw, "
    "PromQL using {{.window}}) and alerting (docs/slo.md lists every rule)",
)
STALE = Rule(
    "PLAT-SLO-003",
    "SLO rules match the SLO file",
    "medium",
    "silver",
    "run `plat slo generate` and commit chart/files/slo-rules*.yaml",
)
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
        data = yamlio.load_all(text)
    except yamlio.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [found(VALID, f"{SLO_FILE} is not valid YAML", SLO_FILE, (mark.line + 1) if mark else 1)]
    invalid = [
        found(VALID, p.message, SLO_FILE, line_of(ctx.root / SLO_FILE, _anchor(p)), p.hint)
        for p in spec.problems(data, ctx.service)
    ]
    return invalid or stale(ctx)


def stale(ctx: ServiceContext) -> list[Finding]:
    """The generated Prometheus rules (and their promtool tests) must be what slo.yaml gives today."""
    try:
        result = files.generate(ctx.root, write=False)
    except PlatError as exc:
        return [found(VALID, exc.message, SLO_FILE)]
    return [found(STALE, f"{path} is missing or out of date with {SLO_FILE}", path) for path in result.stale]


def _anchor(problem: spec.Problem) -> str:
    """The regex of the line a problem points at: its SLO's name, else its top-level key, else line 1."""
    if problem.slo:
        return rf"name:\s*{re.escape(problem.slo)}\s*$"
    return rf"^{problem.key}:" if problem.key else r"\A"
