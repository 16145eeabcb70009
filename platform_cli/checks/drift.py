"""Template drift: platform-owned files that differ from the pristine render on the baseline branch."""

from __future__ import annotations

import re
from dataclasses import dataclass

from platform_cli import git
from platform_cli.checks.context import ANSWERS_FILE, BASELINE_BRANCH, ServiceContext
from platform_cli.checks.finding import Finding, Rule, found

MODIFIED = Rule(
    "PLAT-DRIFT-001",
    "Platform-owned file matches the golden path",
    "high",
    "silver",
    "run `plat doctor --fix` to restore the golden-path version; propose the change to the "
    "platform team if the template should change",
)
MISSING = Rule(
    "PLAT-DRIFT-002",
    "Platform-owned file present",
    "high",
    "silver",
    "run `plat doctor --fix` to restore the file from the template baseline",
)
NO_BASELINE = Rule(
    "PLAT-DRIFT-003",
    "Template baseline branch present",
    "medium",
    "gold",
    f"push the `{BASELINE_BRANCH}` branch (created by `plat new service`) or fetch it: "
    f"git fetch origin {BASELINE_BRANCH}:{BASELINE_BRANCH}",
)
RULES = {r.id: r for r in (MODIFIED, MISSING, NO_BASELINE)}
NEEDS: tuple[str, ...] = ()
SKIP_IS_UNVERIFIED = False  # skipped only where it does not apply
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)")


@dataclass(frozen=True)
class Change:
    path: str
    status: str  # modified | deleted | added
    line: int


def skip_reason(ctx: ServiceContext) -> str:
    if not any((ctx.ownership.platform, ctx.ownership.shared, ctx.ownership.team)):
        return "the template's file ownership is unknown"
    return ""


def check(ctx: ServiceContext) -> list[Finding]:
    if ctx.baseline is None:
        return [
            found(NO_BASELINE, f"no {BASELINE_BRANCH} branch: drift from the template cannot be measured", ANSWERS_FILE)
        ]
    out = []
    for change in platform_changes(ctx):
        if change.status == "deleted":
            out.append(found(MISSING, f"{change.path} is platform-owned and missing", change.path))
        elif change.status == "modified":
            out.append(found(MODIFIED, f"{change.path} differs from the template baseline", change.path, change.line))
    return out


def platform_changes(ctx: ServiceContext) -> list[Change]:
    if ctx.baseline is None:
        return []
    return [c for c in changes(ctx) if c.status != "added" and ctx.zone_of(c.path) == "platform"]


def changes(ctx: ServiceContext) -> list[Change]:
    """Every file of the working tree that differs from the baseline, with the first changed line."""
    patch = git.run(
        ["-c", "core.quotePath=false", "diff", "-U0", "--no-renames", "--no-ext-diff", ctx.baseline or "", "--"],
        ctx.root,
        errors="replace",  # the hunks hold the files' lines, which need not be UTF-8 text
    )
    found_: dict[str, Change] = {}
    path, status = "", "modified"
    for text in patch.splitlines():
        if text.startswith("diff --git "):
            path, status = text.split(" b/", 1)[-1], "modified"
            found_[path] = Change(path, status, 1)
        elif text.startswith("deleted file mode"):
            status = "deleted"
            found_[path] = Change(path, status, 1)
        elif text.startswith("new file mode"):
            status = "added"
            found_[path] = Change(path, status, 1)
        elif (m := HUNK.match(text)) and found_[path].line == 1 and status == "modified":
            found_[path] = Change(path, status, max(1, int(m[1])))
    return list(found_.values())


def diff(ctx: ServiceContext, paths: list[str], restoring: bool = False) -> str:
    """The unified diff of `paths` from the golden baseline to yours (drift), or, `restoring`, from
    yours back to golden (what `doctor --fix` changes); the file names say which side is which."""
    if ctx.baseline is None or not paths:
        return ""
    sides = ["--src-prefix=golden/", "--dst-prefix=yours/", *(["-R"] if restoring else [])]  # -R swaps both
    args = ["diff", "--no-renames", "--no-ext-diff", *sides, ctx.baseline, "--", *paths]
    return git.run(args, ctx.root, errors="replace")  # shown, not applied: a byte that is not UTF-8 reads as �
