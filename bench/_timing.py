"""Shared helpers for benchmarks: run commands, time them, print medians and ratios."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"


def parse_args(extra: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.Namespace:
    """The options every benchmark takes: how many timed runs, and which template (`extra` adds a
    benchmark's own)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--type", default="http-api")
    if extra:
        extra(parser)
    return parser.parse_args()


def timed(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def hermetic_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAT_", "GIT_", "XDG_"))}
    env.update(
        {
            "HOME": str(home),
            "PLAT_HOME": str(home / "plat"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.test",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.test",
        }
    )
    home.mkdir(parents=True, exist_ok=True)
    return env


def compare(label: str, ours: Callable[[int], float], peer: Callable[[int], float], runs: int) -> float:
    """Alternate the two commands `runs` times; print medians and the ratio ours/peer."""
    a, b = [], []
    for i in range(runs):
        a.append(ours(i))
        b.append(peer(i))
    ma, mb = statistics.median(a), statistics.median(b)
    print(
        f"{label}: plat median {ma:.3f}s, peer median {mb:.3f}s, ratio {ma / mb:.2f} "
        f"(runs={runs}; plat {_fmt(a)}; peer {_fmt(b)})"
    )
    return ma / mb


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)
