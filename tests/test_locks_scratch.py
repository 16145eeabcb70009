"""Locks between runs and the scratch space under PLAT_HOME, with real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap

import pytest

from platform_cli import locks, scratch


@pytest.fixture(autouse=True)
def _release_claims():
    yield
    scratch.release()


def _child(code: str) -> subprocess.Popen:
    """A python child that runs `code` then prints 'ready' and waits on stdin."""
    script = textwrap.dedent(code) + "\nprint('ready', flush=True)\nsys.stdin.read()\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys\n" + script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _holding(path) -> subprocess.Popen:
    return _child(
        f"import pathlib\nfrom platform_cli import locks\nheld = locks.hold(pathlib.Path({str(path)!r}), 'x', wait=False)\nheld.__enter__()"
    )


def test_a_held_lock_names_its_holder_and_goes_with_a_killed_holder(tmp_path):
    path = locks.lock_path(tmp_path, "service-payments")
    holder = _holding(path)
    try:
        with pytest.raises(locks.LockBusy) as err, locks.hold(path, "service payments", wait=False):
            pass
        assert f"pid {holder.pid}" in err.value.message and "service payments" in err.value.message
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with locks.hold(path, "service payments", wait=False):
        assert f"pid {os.getpid()}" in locks.holder(path)


def test_waiting_for_a_lock_gives_up_with_the_holder_named(tmp_path):
    path = locks.lock_path(tmp_path, "store")
    holder = _holding(path)
    try:
        with (
            pytest.raises(locks.LockBusy, match="template store is in use"),
            locks.hold(path, "the template store", wait=True, timeout=0.2),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_temp_folders_live_under_plat_home_and_a_killed_runs_are_swept(tmp_path):
    killed = _child(
        f"import pathlib, tempfile\nfrom platform_cli import scratch\n"
        f"scratch.claim(pathlib.Path({str(tmp_path)!r}))\ntempfile.mkdtemp(prefix='plat-export-')"
    )
    alive = _child(f"import pathlib\nfrom platform_cli import scratch\nscratch.claim(pathlib.Path({str(tmp_path)!r}))")
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert len(list(scratch.root(tmp_path).glob("run-*"))) == 2
        mine = scratch.claim(tmp_path)
        assert tempfile.mkdtemp(prefix="plat-export-").startswith(str(mine))
        owners = sorted(p.name.split("-")[1] for p in scratch.root(tmp_path).glob("run-*"))
        assert owners == sorted([str(os.getpid()), str(alive.pid)])  # the killed run's folder is gone
    finally:
        alive.kill()
        alive.wait()


def test_a_folder_left_mid_claim_is_swept_only_once_stale(tmp_path):
    base = scratch.root(tmp_path)
    fresh, old = base / "new-1-a", base / "new-2-b"
    fresh.mkdir(parents=True)
    old.mkdir()
    os.utime(old, (0, 0))
    assert scratch.sweep(base) == [old]
    assert fresh.is_dir()
