"""Run tests/dashboard/browse.py in the playwright venv against Debian's chromium, and serve a site
with `plat dashboard serve` (the real command, in its own process) while the browser looks at it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from tests.conftest import REPO_ROOT

TOOLS = REPO_ROOT / ".tools"
PYTHON = TOOLS / "browser" / "bin" / "python"
AXE = TOOLS / "axe-core" / "axe.min.js"
HINT = "run scripts/install-test-tools (installs chromium, playwright into .tools/browser, axe-core)"


def chromium() -> str:
    found = shutil.which("chromium")
    if not found or not PYTHON.is_file() or not AXE.is_file():
        pytest.fail(f"the browser tests need chromium, {PYTHON} and {AXE}: {HINT}", pytrace=False)
    return str(found)


def browse(
    pages: List[str], screenshots: Dict[str, str] | None = None, scan: List[str] | None = None
) -> List[Dict[str, Any]]:
    """Reports of `pages`; axe-core scans those in `scan` (default: all)."""
    job = {
        "chromium": chromium(),
        "axe": str(AXE),
        "pages": pages,
        "screenshots": screenshots or {},
        "scan": pages if scan is None else scan,
    }
    proc = subprocess.run(
        [str(PYTHON), str(Path(__file__).with_name("browse.py"))],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    """`plat dashboard serve --dir SITE --port 0`: the URL it prints; stopped with Ctrl-C (SIGINT)."""
    plat = Path(sys.executable).with_name("plat")
    proc = subprocess.Popen(
        [str(plat), "dashboard", "serve", "--dir", str(site), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert " on http://127.0.0.1:" in line, (
            f"plat dashboard serve said {line!r}: {proc.stderr.read() if proc.stderr else ''}"
        )
        yield line.split(" on ", 1)[1].split()[0]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, f"serve ended with {proc.returncode}: {err}"
        assert "stopped" in out


def fetch(url: str):
    """GET a URL of the local server, never through a proxy of the environment."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=30)
