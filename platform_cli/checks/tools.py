"""External programs doctor can use (helm always; checkov, zizmor, promtool with --deep).

Looked up in `<plat checkout>/.tools/bin` first (where scripts/install-test-tools puts them), then
on PATH. A missing tool is never an error: the checks that need it are skipped and say so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from platform_cli.config import PACKAGE_ROOT

TOOL_NAMES = ("helm", "checkov", "zizmor", "promtool")


@dataclass(frozen=True)
class Tools:
    helm: str | None = None
    checkov: str | None = None
    zizmor: str | None = None
    promtool: str | None = None

    @classmethod
    def discover(cls, bin_dir: Path = PACKAGE_ROOT / ".tools" / "bin") -> Tools:
        return cls(**{name: find(name, bin_dir) for name in TOOL_NAMES})


@dataclass(frozen=True)
class Completed:
    code: int
    stdout: str
    stderr: str


def find(name: str, bin_dir: Path) -> str | None:
    local = bin_dir / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def start(argv: list[str], cwd: Path | None = None, timeout: float = 600) -> Callable[[], Completed]:
    """Start a program now (it runs while plat does other work); the returned call waits for it."""
    try:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        failed = Completed(127, "", f"{argv[0]}: {exc}")  # `exc` is unbound after the except block
        return lambda: failed

    def wait() -> Completed:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            return Completed(124, out, f"{argv[0]} timed out after {timeout}s")
        return Completed(proc.returncode, out, err)

    return wait


def run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600) -> Completed:
    """Run an external scanner; its exit code is data (scanners exit non-zero on findings)."""
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Completed(127, "", f"{argv[0]}: {exc}")
    return Completed(proc.returncode, proc.stdout, proc.stderr)
