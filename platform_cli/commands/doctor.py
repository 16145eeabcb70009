"""`plat doctor`: how far a service has drifted from the golden path, scored, with the fix for each finding.

Returns values; never prints. `fix_plan` / `apply_fix` restore drifted platform-owned files from the
template baseline (the CLI shows the plan's diff before applying it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from platform_cli import git
from platform_cli.checks import exemptions
from platform_cli.checks.context import ServiceContext, build
from platform_cli.checks.exemptions import Clock, Exemption, utc_today
from platform_cli.checks.finding import LEVELS, Finding, Rule, level_rank, severity_rank
from platform_cli.checks.tools import Tools
from platform_cli.config import Settings
from platform_cli.errors import UsageError
from platform_cli.forge import create as create_forge
from platform_cli.forge.base import Forge

TOOL_RULES = {"checkov": "PLAT-DEEP-CHECKOV", "zizmor": "PLAT-DEEP-ZIZMOR", "promtool": "PLAT-DEEP-PROMTOOL"}


@dataclass(frozen=True)
class Skipped:
    family: str
    rules: tuple[str, ...]
    reason: str
    unverified: tuple[str, ...] = ()  # levels of rules that apply but could not run (a tool is missing)


@dataclass(frozen=True)
class DoctorReport:
    root: Path
    service: str
    template: str
    version_in_use: str
    latest_version: str | None
    versions_behind: int
    findings: tuple[Finding, ...]  # active: not exempted
    exempted: tuple[tuple[Finding, Exemption], ...]
    rules_run: tuple[Rule, ...]
    skipped: tuple[Skipped, ...]
    notes: tuple[str, ...] = ()
    diff: str = ""
    deep: bool = False

    @property
    def failed_rules(self) -> frozenset[str]:
        return frozenset(TOOL_RULES.get(f.source, f.rule_id) for f in self.findings)

    @property
    def score(self) -> int:
        ids = {r.id for r in self.rules_run}
        return round(100 * len(ids - self.failed_rules) / len(ids)) if ids else 100

    @property
    def level(self) -> str:
        """The highest level whose rules (and all lower levels' rules) have no active finding and all
        ran: a rule that could not run for want of a tool (helm) is not passed either."""
        ranks = [level_rank(f.level) for f in self.findings] + [
            level_rank(lv) for s in self.skipped for lv in s.unverified
        ]
        worst = min(ranks, default=len(LEVELS))
        return LEVELS[worst - 1] if worst > 0 else "none"

    def failing(self, fail_on: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if severity_rank(f.severity) >= severity_rank(fail_on))

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "path": str(self.root),
            "template": self.template,
            "version": {"in_use": self.version_in_use, "latest": self.latest_version, "behind": self.versions_behind},
            "level": self.level,
            "score": self.score,
            "deep": self.deep,
            "findings": [f.to_json() for f in self.findings],
            "exempted": [{**f.to_json(), "exemption": e.to_json()} for f, e in self.exempted],
            "rules_run": sorted(r.id for r in self.rules_run),
            "skipped": [
                {"family": s.family, "rules": list(s.rules), "reason": s.reason, "verified": not s.unverified}
                for s in self.skipped
            ],
            "notes": list(self.notes),
            "diff": self.diff,
        }


def doctor(
    path: Path,
    settings: Settings,
    *,
    tools: Tools | None = None,
    clock: Clock = utc_today,
    deep: bool = False,
    with_diff: bool = False,
    forge: Callable[[], Forge] | None = None,
    gitops_reader: Callable[..., Any] | None = None,
) -> DoctorReport:
    """`forge` makes the service's forge when a rule first asks it (default: the configured one);
    `gitops_reader` reads the service's GitOps records (default: `gitops.records.read`, one clone a
    call; a fleet scan passes one `gitops.records.Shared` for all its services)."""
    ctx = build(
        path,
        settings.template_source,
        tools if tools is not None else Tools.discover(),
        forge or (lambda: create_forge(settings)),
        settings.forge,
        settings.gitops_repo,
        gitops_reader,
    )
    try:
        return _report(ctx, clock, deep, with_diff)
    finally:
        ctx.render  # noqa: B018 - reap helm even when a rule failed


def _report(ctx: ServiceContext, clock: Clock, deep: bool, with_diff: bool) -> DoctorReport:
    from platform_cli.checks import drift, version

    findings, ran, skipped = _run_families(ctx)
    if deep:
        findings, ran, skipped = _run_deep(ctx, findings, ran, skipped)
    drifted = sorted({f.file for f in findings if f.rule_id in (drift.MODIFIED.id, drift.MISSING.id)})
    behind = version.versions_behind(ctx)
    findings = [remediate(f, ctx, set(drifted), behind) for f in findings]
    applied = exemptions.apply(findings, exemptions.load(ctx.root), clock)
    return DoctorReport(
        root=ctx.root,
        service=ctx.service,
        template=ctx.template_name,
        version_in_use=ctx.version_in_use,
        latest_version=ctx.latest_version,
        versions_behind=behind,
        findings=tuple(sorted(applied.active, key=_order)),
        exempted=applied.exempted,
        rules_run=tuple(ran) + tuple(exemptions.RULES.values()),
        skipped=tuple(skipped),
        notes=ctx.notes,
        diff=drift.diff(ctx, drifted) if with_diff else "",
        deep=deep,
    )


def _run_families(ctx: ServiceContext) -> tuple[list[Finding], list[Rule], list[Skipped]]:
    from platform_cli.checks.registry import FAMILIES

    findings: list[Finding] = []
    ran: list[Rule] = []
    skipped: list[Skipped] = []
    for name, family in FAMILIES.items():
        reason = family.skip_reason(ctx)
        if reason:
            missing = set(family.NEEDS) & ctx.missing_tools
            unverified = (
                tuple(sorted({r.level for r in family.RULES.values()})) if missing or family.SKIP_IS_UNVERIFIED else ()
            )
            skipped.append(Skipped(name, tuple(family.RULES), reason, unverified))
            continue
        ran += family.RULES.values()
        findings += family.check(ctx)
    return findings, ran, skipped


def _run_deep(ctx: ServiceContext, findings: list[Finding], ran: list[Rule], skipped: list[Skipped]):
    from platform_cli.checks import deep as deep_mod

    for name, reason in deep_mod.scanners(ctx).items():
        rule = deep_mod.RULES[TOOL_RULES[name]]
        if reason:
            skipped.append(Skipped(name, (rule.id,), reason))
        else:
            ran.append(rule)
    return findings + deep_mod.check(ctx), ran, skipped


def remediate(f: Finding, ctx: ServiceContext, drifted: set[str], behind: int) -> Finding:
    """Point at the template when the fix is the template: restore drift, or upgrade to the latest.

    A finding in a platform-owned file whose folder holds drifted platform-owned files (a chart's
    templates and their helpers) is fixed by restoring them; one in an unchanged platform-owned file
    of an old template version by upgrading.
    """
    if f.rule_id.startswith(("PLAT-DRIFT-", "PLAT-VER-", "PLAT-GH-")) or ctx.zone_of(f.file) != "platform":
        return f
    folder = f.file.rpartition("/")[0]
    if f.file in drifted or any(d.rpartition("/")[0] == folder for d in drifted):
        return replace(
            f, remediation=f"`plat doctor --fix` restores the drifted platform-owned files; else {f.remediation}"
        )
    if behind:
        return replace(
            f, remediation=f"plat upgrade --to {ctx.latest_version} (this file is platform-owned); else {f.remediation}"
        )
    return f


def _order(f: Finding) -> tuple[int, int, str, int]:
    return level_rank(f.level), -severity_rank(f.severity), f.file, f.line


@dataclass(frozen=True)
class FixPlan:
    root: Path
    baseline: str
    paths: tuple[str, ...]  # platform-owned files to restore
    diff: str  # from the working tree back to the baseline: what the fix changes


def fix_plan(path: Path, settings: Settings) -> FixPlan:
    from platform_cli.checks import drift

    ctx = build(path, settings.template_source, Tools())
    if ctx.baseline is None:
        raise UsageError(
            "no plat/template branch: nothing to restore from",
            hint="fetch it: git fetch origin plat/template:plat/template",
        )
    if ctx.repo is None or not ctx.repo.clean:
        raise UsageError(
            f"{ctx.root} has uncommitted changes; --fix refuses to mix its changes with yours",
            hint="commit or stash your changes, then run plat doctor --fix again",
        )
    paths = tuple(sorted(c.path for c in drift.platform_changes(ctx)))
    return FixPlan(root=ctx.root, baseline=ctx.baseline, paths=paths, diff=drift.diff(ctx, list(paths), restoring=True))


def apply_fix(plan: FixPlan) -> tuple[str, ...]:
    """Restore the planned files from the baseline (index and working tree); the user reviews and commits."""
    if plan.paths:
        git.checkout_paths(plan.root, plan.baseline, plan.paths)
    return plan.paths
