"""Version lag: the template version a service uses against the latest one the platform ships."""

from __future__ import annotations

import re
from pathlib import Path

from platform_cli import git, yamlio
from platform_cli.checks.context import ANSWERS_FILE, ServiceContext
from platform_cli.checks.finding import Finding, Rule, found, line_of
from platform_cli.errors import PlatError

BEHIND = Rule("PLAT-VER-001", "Template version is the latest", "low", "gold", "plat upgrade --to {latest}")
SPLIT = Rule(
    "PLAT-VER-002",
    "Answers agree with the template baseline",
    "medium",
    "silver",
    "someone ran `copier update` by hand: re-sync with `plat upgrade`, or restore "
    f"{ANSWERS_FILE} with `plat doctor --fix`",
)
RULES = {r.id: r for r in (BEHIND, SPLIT)}
NEEDS: tuple[str, ...] = ()
SKIP_IS_UNVERIFIED = True  # every service has a template version: skipped = lag not verified
SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


def parse(version: str) -> tuple[int, int, int] | None:
    m = SEMVER.match(version or "")
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def skip_reason(ctx: ServiceContext) -> str:
    if ctx.latest_version is None:
        return f"the platform checkout has no template {ctx.template_name!r}: latest version unknown"
    if parse(ctx.version_in_use) is None:
        return f"the recorded template version {ctx.version_in_use!r} is not a release"
    return ""


def check(ctx: ServiceContext) -> list[Finding]:
    out = []
    behind = versions_behind(ctx)
    if behind:
        latest = ctx.latest_version or ""
        severity = "low" if behind == 1 else "medium" if behind == 2 else "high"
        f = found(
            BEHIND,
            f"uses template {ctx.template_name} {ctx.version_in_use}; latest is v{latest} "
            f"({behind} version{'s' if behind > 1 else ''} behind)",
            ANSWERS_FILE,
            line_of(ctx.root / ANSWERS_FILE, r"^_commit:"),
            f"plat upgrade --to {latest}",
        )
        out.append(_with_severity(f, severity))
    base = baseline_commit(ctx)
    if base and base != ctx.version_in_use:
        out.append(
            found(
                SPLIT,
                f"{ANSWERS_FILE} records {ctx.version_in_use} but the baseline records {base}",
                ANSWERS_FILE,
                line_of(ctx.root / ANSWERS_FILE, r"^_commit:"),
            )
        )
    return out


def versions_behind(ctx: ServiceContext) -> int:
    used, latest = parse(ctx.version_in_use), parse(ctx.latest_version or "")
    if used is None or latest is None or used >= latest:
        return 0
    released = {v for v in map(parse, _tags(ctx)) if v and used < v <= latest} | {latest}
    return len(released)


def baseline_commit(ctx: ServiceContext) -> str | None:
    if ctx.baseline is None:
        return None
    try:
        data = yamlio.load(git.show(ctx.root, ctx.baseline, ANSWERS_FILE) or "") or {}
    except (PlatError, yamlio.YAMLError):
        return None
    return str(data.get("_commit")) if isinstance(data, dict) and data.get("_commit") else None


def _tags(ctx: ServiceContext) -> list[str]:
    src = Path(str(ctx.answers.get("_src_path") or ""))
    if not (src / ".git").exists():
        return []
    try:
        return git.tags(src)
    except PlatError:
        return []


def _with_severity(f: Finding, severity: str) -> Finding:
    from dataclasses import replace

    return replace(f, severity=severity)
