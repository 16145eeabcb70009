"""Scratch space: every temporary folder plat makes lives under `PLAT_HOME/tmp/`, never in the
system's temp folder, and what a killed run leaves there is removed by the next run.

`claim(home)` gives this process its own folder (`run-<pid>-<random>`), holds an flock on it for
the life of the process (the kernel drops it however the process ends), and points `tempfile`
(and `TMPDIR`, for child processes) at it, so every
`tempfile.TemporaryDirectory` in plat lands there without knowing about PLAT_HOME. It first sweeps
the run folders whose lock nobody holds: their process is gone, killed or not. Git worktrees made
in a user's repo under a swept folder are then pruned by `git worktree prune`.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

_held: dict[Path, tuple[Path, int]] = {}  # home → (folder, its lock fd), locked until the process exits
_made: list[Path] = []  # folders a claim created (PLAT_HOME itself, its tmp): removed again while empty
STALE_SECONDS = 600  # a `new-*` folder older than this was left by a run killed while claiming


def root(home: Path) -> Path:
    return home / "tmp"


def claim(home: Path) -> Path | None:
    """This process's scratch folder under `home`, made the temp folder of the process. None when
    `home` cannot be written (a read-only home): the system's temp folder stays in use, and commands
    that must write to the home say so themselves. A normal exit removes the folder."""
    if home not in _held:
        missing = [p for p in (home, root(home)) if not p.exists()]
        try:
            _held[home] = _make(root(home))
            _made.extend(missing)
        except OSError:
            return None
        if len(_held) == 1:
            atexit.register(release)
    folder = _held[home][0]
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    return folder


def release() -> None:
    """Give back every claim of this process (at the end of a command, and at exit)."""
    for folder, fd in _held.values():
        os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
    _held.clear()
    for made in reversed(_made):  # a run that wrote nothing else leaves no PLAT_HOME behind
        try:
            made.rmdir()
        except OSError:
            pass
    _made.clear()
    tempfile.tempdir = None
    os.environ.pop("TMPDIR", None)


def sweep(base: Path) -> list[Path]:
    """Remove the run folders under `base` whose owner is gone; return them."""
    removed = []
    for folder in sorted(base.glob("run-*")) + sorted(base.glob("new-*")):
        if folder.is_dir() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _make(base: Path) -> tuple[Path, int]:
    """A locked folder, made aside (`new-*`) and renamed into place, so a sweep never sees it unlocked."""
    base.mkdir(parents=True, exist_ok=True)
    sweep(base)
    aside = Path(tempfile.mkdtemp(prefix=f"new-{os.getpid()}-", dir=base))
    fd = os.open(aside / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    folder = base / aside.name.replace("new-", "run-", 1)
    aside.rename(folder)
    return folder, fd


def _abandoned(folder: Path) -> bool:
    if folder.name.startswith("new-"):
        return time.time() - folder.stat().st_mtime > STALE_SECONDS
    try:
        fd = os.open(folder / ".lock", os.O_RDWR)
    except OSError:
        return True  # a run folder always holds its lock file: this one is broken
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
