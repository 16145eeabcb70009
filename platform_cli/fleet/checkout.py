"""A clone of each service repo in the scan cache, made through the forge and replaced only when the
repo's `main` moved: an unchanged repo costs nothing here."""

from __future__ import annotations

import shutil
from pathlib import Path

from platform_cli import git
from platform_cli.forge.base import Forge


def fresh(forge: Forge, org: str, repo: str, dest: Path, main: str) -> Path:
    """`dest` holding a checkout of the repo's `main` at `main` (or newer, when it just moved)."""
    if (dest / ".git").is_dir() and git.resolve(dest, "HEAD") == main:
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    forge.clone(org, repo, dest)
    return dest


def commit_time(dest: Path, ref: str) -> int | None:
    """The committer date (unix) of `ref` in the clone, when it is there."""
    if not (dest / ".git").is_dir() or not git.ref_exists(dest, ref):
        return None
    return int(git.log(dest, [ref], "%ct", limit=1))
