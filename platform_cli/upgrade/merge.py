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


def merge(wt: Path, theirs: str, message: str, env: dict[str, str] | None = None, label: str = "") -> MergeOutcome:
    """Merge `theirs` into the worktree's HEAD and commit, conflicts and all (`env`: the commit's
    identity and date; `label`: the name conflict markers give `theirs`)."""
    if git.merge(wt, theirs, message, env, label):
        return MergeOutcome((), ())
    outcome = _resolve(wt, git.unmerged(wt))
    git.stage_all(wt)
    listing = "".join(f"\n  {c.path} ({c.kind})" for c in outcome.conflicts)
    git.commit(wt, message + (f"\n\nConflicts to resolve:{listing}" if listing else ""), env=env)
    return outcome


def _resolve(wt: Path, unmerged: dict[str, str]) -> MergeOutcome:
    conflicts, kept_deleted = [], []
    for path, code in sorted(unmerged.items()):
        if path == ANSWERS_FILE:
            git.take_theirs(wt, path)
        elif code in ("DU", "DD"):
            git.drop(wt, path)
            if code == "DU":
                kept_deleted.append(path)
        else:
            conflicts.append(Conflict(path, KINDS[code]))
            git.add(wt, [path])
    return MergeOutcome(tuple(conflicts), tuple(kept_deleted))


def changes(wt: Path, base: str) -> tuple[FileChange, ...]:
    return tuple(FileChange(status, path, old) for status, path, old in git.name_status(wt, base, "HEAD"))


def diff(wt: Path, base: str) -> str:
    return git.diff(wt, base, "HEAD")
