"""Run `plat` as a real process that stops, deterministically, right after its N-th git command of a
kind (git.py's observe hook), so a test can signal it exactly there or let it go on. A kind is a git
subcommand, optionally with `@TEXT`: only calls whose arguments or folder contain TEXT count."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

# The child: observe git, pause after the chosen command (tell the parent through a file, then wait on
# stdin), else run plat as its console script does.
CHILD = """
import os, sys
from platform_cli import git
kind, nth, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
kind, _, text = kind.partition("@")
seen = [0]
def subcommand(args):
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-c", "--work-tree", "--git-dir"):
            skip = True
        elif not arg.startswith("-"):
            return arg
def pause(args, cwd, code, seconds):
    if subcommand(args) == kind and text in " ".join([*args, str(cwd)]):
        seen[0] += 1
        if seen[0] == nth:
            open(flag, "w").close()
            sys.stdin.buffer.read(1)
git.observe(pause)
sys.argv = ["plat", *sys.argv[4:]]
from platform_cli.launch import main
main()
"""


def plat_env(home: Path, source: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update({"PLAT_HOME": str(home), "PLAT_TEMPLATE_SOURCE": str(source), "PLAT_ORG": "acme"})
    return env


def new_args(name: str, work: Path) -> list[str]:
    return ["new", "service", name, "--type", "mini", "--owner", "team-a", "--yes", "--dir", str(work / name)]


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from platform_cli.launch import main; main()", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from platform_cli.launch import main; main()", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Paused:
    """A plat process stopped after its `nth` git `kind` command, in a session (process group) of its own."""

    def __init__(self, kind: str, nth: int, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.flag = cwd / f".paused-{nth}"
        self.flag.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, kind, str(nth), str(self.flag), *args],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._wait_for_pause()

    def _wait_for_pause(self, timeout: float = 300) -> None:
        """Waits for the pause itself (an event), however long the machine takes to get there."""
        deadline = time.monotonic() + timeout
        while not self.flag.exists():
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise AssertionError(f"plat ended (exit {self.proc.returncode}) before the pause: {err}")
            if time.monotonic() > deadline:
                raise AssertionError("plat never reached the pause")
            time.sleep(0.02)

    def signal(self, signum: int, group: bool) -> int:
        os.killpg(self.proc.pid, signum) if group else os.kill(self.proc.pid, signum)
        self.proc.communicate(timeout=120)
        return self.proc.returncode

    def resume(self) -> tuple[int, str, str]:
        out, err = self.proc.communicate(input=b"\n", timeout=300)
        return self.proc.returncode, out.decode(), err.decode()
