"""Unresolved merge conflicts: conflict markers left in tracked files.

`plat upgrade` commits the files it cannot merge with git's conflict markers, for the team to
resolve on the upgrade branch; a pull request merged before that (neither the local forge nor
GitHub looks) ships them. A conflict is a `<<<<<<< ` line followed, later in the same file, by a
`>>>>>>> ` line — both, so that a lone marker-like line in documentation is not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from platform_cli import git
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.drift import HUNK
from platform_cli.checks.finding import Finding, Rule, found
from platform_cli.models import ChangedFile

MARKERS = Rule(
    "PLAT-GIT-001",
    "No unresolved merge conflicts",
    "critical",
    "bronze",
    "resolve the conflict: keep the right lines, delete the <<<<<<< ======= >>>>>>> lines, commit",
)
RULES = {MARKERS.id: MARKERS}
NEEDS: tuple[str, ...] = ()
SKIP_IS_UNVERIFIED = False  # skipped only where it does not apply
OPEN, CLOSE = "<<<<<<< ", ">>>>>>> "
GREP = re.compile(r"^(?P<path>.+?)\0(?P<line>\d+)\0(?P<text>.*)$")


def skip_reason(ctx: ServiceContext) -> str:
    return ""


def check(ctx: ServiceContext) -> list[Finding]:
    return [
        found(MARKERS, f"{path} has unresolved conflict markers", path, line)
        for path, line in conflicted(_marker_lines(ctx))
    ]


def conflicted(lines: Iterable[tuple[str, int, str]]) -> list[tuple[str, int]]:
    """The files with a conflict (and the line it opens on), from (path, line, text) in file order."""
    opened: dict[str, int] = {}
    found_: dict[str, int] = {}
    for path, line, text in lines:
        if text.startswith(OPEN):
            opened.setdefault(path, line)
        elif text.startswith(CLOSE) and path in opened and path not in found_:
            found_[path] = opened[path]
    return sorted(found_.items())


def in_patches(files: Iterable[ChangedFile]) -> list[tuple[str, int]]:
    """Conflicts a change adds: marker lines among the added lines of each file's patch."""
    return conflicted((f.path, line, text) for f in files for line, text in _added_lines(f.patch))


def _added_lines(patch: str) -> Iterator[tuple[int, str]]:
    line = 0
    for text in patch.splitlines():
        if hunk := HUNK.match(text):
            line = int(hunk[1])
        elif text.startswith("+") and line:
            yield line, text[1:]
            line += 1
        elif not text.startswith("-") and line:
            line += 1


def _marker_lines(ctx: ServiceContext) -> list[tuple[str, int, str]]:
    """Tracked text files' lines that start with a conflict marker, in file and line order."""
    out = git.grep_lines(ctx.root, f"^({OPEN}|{CLOSE})")
    hits = (GREP.match(row) for row in out.splitlines())
    return [(m["path"], int(m["line"]), m["text"]) for m in hits if m]
