"""Where an upgrade writes: the service repo and PLAT_HOME for a real run; for `--dry-run`, scratch
copies of them (a mirror of the repo that borrows its objects, a clone of the template store, a
copy of the platform release's stamp), so that a dry run plans exactly what a real run would do
and writes nothing anywhere but its own temporary folder.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from platform_cli import git
from platform_cli.upgrade.baseline import ServiceState


@dataclass(frozen=True)
class Workspace:
    repo: Path  # where the upgrade's commits are made (the service repo, or its mirror)
    store: Path  # the template store releases are published into
    cache: Path  # plat's cache (the platform release's stamp)


@contextmanager
def workspace(state: ServiceState, home: Path, dry_run: bool) -> Iterator[Workspace]:
    if not dry_run:
        yield Workspace(state.repo, home / "templates", home / "cache")
        return
    with tempfile.TemporaryDirectory(prefix="plat-plan-") as tmp:
        scratch = Path(tmp)
        git.mirror(state.repo, scratch / "repo.git")
        store = home / "templates" / state.template
        if (store / ".git").is_dir():
            git.clone(str(store), scratch / "templates" / state.template)
        (scratch / "cache").mkdir()
        for stamp in (home / "cache").glob("platform-*"):
            if stamp.is_dir():
                shutil.copytree(stamp, scratch / "cache" / stamp.name, symlinks=True)
            else:
                shutil.copy2(stamp, scratch / "cache" / stamp.name)
        yield Workspace(scratch / "repo.git", scratch / "templates", scratch / "cache")
