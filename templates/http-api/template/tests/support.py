"""Helpers for tests that run the app as a real process (standard library only)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORT", "JOB_", "METRICS_", "PUSHGATEWAY_", "SPOOL_"))}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1", LOG_LEVEL="DEBUG")
    env.update(extra)
    return env


def start_app(**env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app"], cwd=ROOT, env=app_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def run_app(timeout: float = 30, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app"], cwd=ROOT, env=app_env(**env), capture_output=True, text=True, timeout=timeout
    )


def get(port: int, path: str, timeout: float = 2) -> Tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def wait_ready(proc: subprocess.Popen, port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"app exited early with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if get(port, "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("app did not become ready in time")


def stop(proc: subprocess.Popen, timeout: float = 15) -> Tuple[int, str, str]:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("app did not stop on SIGTERM in time")
    return proc.returncode, out, err


def sample(metrics_text: str, name: str, labels: Optional[Dict[str, str]] = None) -> Optional[float]:
    """Value of one sample in Prometheus text format, or None."""
    for line in metrics_text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        series, _, value = line.rpartition(" ")
        metric, _, rest = series.partition("{")
        if metric != name:
            continue
        if all(f'{k}="{v}"' in rest for k, v in (labels or {}).items()):
            return float(value)
    return None
