"""The render worker: same renders and errors as in-process, a fallback when it is gone, no leftovers."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from platform_cli import launch
from platform_cli.errors import TemplateError
from platform_cli.rendering import render
from tests.conftest import REAL_TEMPLATES, REPO_ROOT

ANSWERS = {"service_name": "payments", "owner": "team-a", "port": 9090}


@pytest.fixture
def worker():
    render.start_worker()
    yield render._worker
    render.stop_worker()


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mode & 0o111)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def template(mini_platform: Path) -> str:
    return str(mini_platform / "templates" / "mini")


def test_worker_renders_what_an_in_process_render_does(mini_platform, tmp_path, worker):
    render.copy(template(mini_platform), None, tmp_path / "worker", ANSWERS, exclude=[render.exact("app/main.py")])
    assert worker.poll() is None, "the worker rendered and is still there for the next job"
    render.stop_worker()
    render.copy(template(mini_platform), None, tmp_path / "here", ANSWERS, exclude=[render.exact("app/main.py")])
    assert tree(tmp_path / "worker") == tree(tmp_path / "here")
    assert "app/main.py" not in tree(tmp_path / "worker") and "README.md" in tree(tmp_path / "worker")


@pytest.mark.parametrize("kind", REAL_TEMPLATES)
def test_worker_renders_the_golden_paths_as_copier_does_with_git_at_hand(kind, tmp_path, worker):
    answers = {"service_name": "demo", "owner": "team-a", "with_database": True}
    render.copy(str(REPO_ROOT / "templates" / kind), None, tmp_path / "worker", answers)
    render.stop_worker()
    render.copy(str(REPO_ROOT / "templates" / kind), None, tmp_path / "here", answers)
    assert tree(tmp_path / "worker") == tree(tmp_path / "here")


def test_worker_reports_template_errors_like_an_in_process_render(mini_platform, tmp_path, worker):
    with pytest.raises(TemplateError, match="port must be >= 1024") as info:
        render.copy(template(mini_platform), None, tmp_path / "bad", {**ANSWERS, "port": 80})
    assert info.value.hint and not (tmp_path / "bad").exists()
    assert worker.poll() is None


def test_a_gone_worker_or_answers_json_cannot_carry_render_here(mini_platform, tmp_path, worker):
    worker.kill()
    worker.wait()
    render.copy(template(mini_platform), None, tmp_path / "after-kill", ANSWERS)
    assert "README.md" in tree(tmp_path / "after-kill")
    render.start_worker()
    dated = {**ANSWERS, "released": datetime.date(2026, 1, 1)}  # YAML answers files can hold dates
    render.copy(template(mini_platform), None, tmp_path / "dated", dated)
    assert "README.md" in tree(tmp_path / "dated")
    assert render._worker is not None and render._worker.poll() is None, "kept for the next job"


def test_no_interpreter_to_start_means_an_in_process_render(mini_platform, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    render.start_worker()
    assert render._worker is None
    render.copy(template(mini_platform), None, tmp_path / "out", ANSWERS)
    assert "README.md" in tree(tmp_path / "out")


def test_the_render_runs_in_the_worker_and_the_worker_ends_with_plat(mini_platform, tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from platform_cli.rendering import render
        render.start_worker()
        print(render._worker.pid)
        render.copy({template(mini_platform)!r}, None, Path({str(tmp_path / "out")!r}), {ANSWERS!r})
        print("copier" in sys.modules)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    pid, imported = proc.stdout.split()
    assert imported == "False", "copier was imported by plat's own process"
    assert (tmp_path / "out" / "README.md").read_text().startswith("# payments")
    deadline = time.monotonic() + 1.0
    while _alive(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(int(pid)), "the worker outlived plat"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["new", "service", "x", "--yes"], True),
        (["new", "service", "--type", "worker"], True),
        (["upgrade"], True),
        (["upgrade", "--dry-run"], True),
        (["adopt", ".", "--type", "http-api"], True),
        (["--help"], False),
        ([], False),
        (["new", "service", "--help"], False),
        (["new", "service", "x", "--rollback"], False),
        (["upgrade", "--check"], False),
        (["doctor"], False),
        (["config", "show"], False),
    ],
)
def test_the_worker_starts_only_for_commands_that_render(argv, expected):
    assert launch.renders(argv) is expected


def _alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped does not count); /proc where there is one."""
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_killed_plat_takes_its_worker_along_even_mid_render(tmp_path):
    """No race against the clock: the template holds a named pipe, so the worker's render blocks
    reading it for as long as this test holds the pipe's write end. A worker that outlived plat would
    stay blocked there; the deadline below only bounds how long that failure takes to show."""
    blocking = tmp_path / "blocking"
    blocking.mkdir()
    (blocking / "copier.yml").write_text("name:\n  type: str\n  default: x\n")
    os.mkfifo(blocking / "pipe.txt")
    job = {"src": str(blocking), "ref": None, "dest": str(tmp_path / "out"), "answers": {}, "exclude": []}
    script = textwrap.dedent(f"""
        import json, time
        from platform_cli.rendering import render
        render.start_worker()
        render._worker.stdin.write(json.dumps({job!r}) + "\\n")
        render._worker.stdin.flush()
        print(render._worker.pid, flush=True)
        time.sleep(3600)  # until the test kills this process
    """)
    plat = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    writer = None
    try:
        pid = int(plat.stdout.readline())
        writer = _open_when_read(blocking / "pipe.txt", deadline=time.monotonic() + 60)
        assert _alive(pid), "the worker is mid-render: blocked reading the template's pipe"
        plat.kill()  # SIGKILL: no atexit, no cleanup
        plat.wait()
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _alive(pid), "the worker outlived plat"
    finally:
        plat.kill()
        if writer is not None:
            os.close(writer)
    assert not (tmp_path / "out" / "pipe.txt").exists()


def _open_when_read(fifo: Path, deadline: float) -> int:
    """The write end of `fifo`, once a reader has it open (before that, opening it fails)."""
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            assert time.monotonic() < deadline, "the worker never started rendering"
            time.sleep(0.01)
