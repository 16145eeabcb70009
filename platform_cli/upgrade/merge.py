"""Merge the baseline into an upgrade branch: git's three-way merge, conflicts kept as conflict markers.

Conflicted merges are committed as they stand (the PR lists the files to resolve), except:
- "deleted by us" (the team deleted a file the template changed): resolved as kept-deleted;
- the answers file: always the new render's (it was rendered from main's own answers);
- "deleted by them" (the template deleted a file the team changed): the team's file is kept and
  reported as a conflict, so it never vanishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platform_cli import git
from platform_cli.service_repo import ANSWERS_FILE

KINDS = {
    "UU": "content",
    "AA": "added on both sides",
    "UD": "deleted by the template, edited here",
    "AU": "rename",
    "UA": "rename",
    "DU": "deleted here, changed by the template",
    "DD": "renamed on both sides",
}


@dataclass(frozen=True)
class Conflict:
    path: str
    kind: str


@dataclass(frozen=True)
class FileChange:
    status: str  # A, M, D, R, T (git diff --name-status)
    path: str
    old_path: str = ""


@dataclass(frozen=True)
class MergeOutcome:
    conflicts: tuple[Conflict, ...]
    kept_deleted: tuple[str, ...]


def merge(wt: Path, theirs: str, message: str) -> MergeOutcome:
    """Merge `theirs` into the worktree's HEAD and commit, conflicts and all."""
    try:
        git.run(
            [
                "-c",
                "core.fileMode=true",
                "-c",
                "merge.conflictStyle=merge",
                "-c",
                "rerere.enabled=false",
                "merge",
                "--no-ff",
                "--no-edit",
                "-q",
                "-m",
                message,
                theirs,
            ],
            wt,
        )
        return MergeOutcome((), ())
    except git.GitError:
        unmerged = _unmerged(wt)
        if not unmerged:
            raise
    outcome = _resolve(wt, unmerged)
    git.stage_all(wt)
    listing = "".join(f"\n  {c.path} ({c.kind})" for c in outcome.conflicts)
    git.commit(wt, message + (f"\n\nConflicts to resolve:{listing}" if listing else ""))
    return outcome


def _unmerged(wt: Path) -> dict[str, str]:
    fields = iter(git.run(["status", "--porcelain=v1", "-z", "--untracked-files=no"], wt).split("\0"))
    out = {}
    for entry in fields:
        if not entry:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":
            next(fields, None)  # the original path of a staged rename
        if code in KINDS:
            out[path] = code
    return out


def _resolve(wt: Path, unmerged: dict[str, str]) -> MergeOutcome:
    conflicts, kept_deleted = [], []
    for path, code in sorted(unmerged.items()):
        if path == ANSWERS_FILE:
            git.run(["checkout", "--theirs", "--", path], wt)
        elif code in ("DU", "DD"):
            git.run(["rm", "-q", "--cached", "--ignore-unmatch", "--", path], wt)
            (wt / path).unlink(missing_ok=True)
            if code == "DU":
                kept_deleted.append(path)
        else:
            conflicts.append(Conflict(path, KINDS[code]))
        if code not in ("DU", "DD"):
            git.run(["add", "--", path], wt)
    return MergeOutcome(tuple(conflicts), tuple(kept_deleted))


def changes(wt: Path, base: str) -> tuple[FileChange, ...]:
    out = git.run(["diff", "--name-status", "-M", "-z", base, "HEAD"], wt)
    fields = iter(f for f in out.split("\0") if f)
    result = []
    for status in fields:
        if status[0] in "RC":
            old, new = next(fields), next(fields)
            result.append(FileChange(status[0], new, old))
        else:
            result.append(FileChange(status[0], next(fields)))
    return tuple(result)


def diff(wt: Path, base: str) -> str:
    return git.run(["diff", "-M", "--no-color", base, "HEAD"], wt)
