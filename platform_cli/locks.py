"""Locks between plat runs: an advisory `flock` on a file under PLAT_HOME, released by the kernel
when the holder exits however it exits (a kill included), so a lock is never left stale.

The holder writes who it is into the lock file; a run that finds the lock taken names that run.
Shared state (the template store, the render cache, the platform release) is locked with
`wait=True`: those sections are short. A service is locked with `wait=False`: a second run of
the same service exits 1 naming the one that holds it.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from platform_cli.errors import PlatError


class LockBusy(PlatError):
    """Another plat run holds the lock."""


def lock_path(home: Path, name: str) -> Path:
    return home / "locks" / f"{name}.lock"


def service_lock(home: Path, service: str) -> Path:
    """The one lock of a service: `new`, `rollback`, `upgrade` and `adopt` of it hold it (wait=False)."""
    return lock_path(home, f"service-{service}")


def shared_lock(home: Path, what: str) -> Path:
    """A lock of shared PLAT_HOME state: `platform-ORG-REPO`, `template-NAME`, `gitops-FORGE-ORG`."""
    return lock_path(home, what.replace("/", "-"))


@contextmanager
def hold(path: Path, what: str, *, wait: bool, timeout: float = 600.0) -> Iterator[None]:
    """Hold the lock at `path` for the block. `what` names the guarded thing in messages."""
    fd = _open(path)
    try:
        _acquire(fd, path, what, wait, timeout)
        _write_holder(fd)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _open(path: Path) -> int:
    """The lock file, made if missing; read-only when that is all the home allows (a flock needs no
    write access: the lock works, only the holder's name is not written)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        try:
            return os.open(path, os.O_RDONLY)
        except OSError:
            raise PlatError(
                f"cannot make the lock file {path}: {exc.strerror or exc}",
                hint=f"make {path.parent} writable, or point PLAT_HOME at a writable folder",
            ) from None


def holder(path: Path) -> str:
    """Who holds (or last held) the lock, as its holder wrote it; '' when unknown."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _acquire(fd: int, path: Path, what: str, wait: bool, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if not wait or time.monotonic() >= deadline:
                raise _busy(path, what) from None
            time.sleep(0.05)


def _busy(path: Path, what: str) -> LockBusy:
    who = holder(path) or "another plat run"
    return LockBusy(
        f"{what} is in use by {who}",
        hint="wait for that run to finish and run again (the lock goes with the process, even a killed one)",
    )


def _write_holder(fd: int) -> None:
    command = " ".join(["plat", *sys.argv[1:]])[:200]
    text = f"pid {os.getpid()} ({command}, since {time.strftime('%H:%M:%S')})\n"
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode(), 0)
    except OSError:
        pass  # a read-only lock file: the lock holds, unnamed
