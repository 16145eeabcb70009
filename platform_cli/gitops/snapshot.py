"""Reading the GitOps repo as it is on the forge: a throwaway clone, read with `git show`."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from platform_cli import git
from platform_cli.forge.base import Forge

Reader = Callable[[str], "str | None"]  # a path in the repo -> its text, or None when it is not there


@contextmanager
def clone(forge: Forge, org: str, repo: str) -> Iterator[Path]:
    """A clone of ORG/REPO that lives as long as the `with` block."""
    with tempfile.TemporaryDirectory(prefix="plat-gitops-") as tmp:
        dest = Path(tmp) / repo
        forge.clone(org, repo, dest)
        yield dest


def reader(checkout: Path, branch: str = "main") -> Reader:
    """Read files of `branch` as the forge has it (the clone's remote-tracking branch)."""
    ref = f"refs/remotes/origin/{branch}"
    return lambda path: git.show(checkout, ref, path)


def has_branch(checkout: Path, branch: str) -> bool:
    return git.ref_exists(checkout, f"refs/remotes/origin/{branch}")
