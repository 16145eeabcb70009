"""Benchmark `plat dora --json` on a synthetic organisation against its floor.

    .venv/bin/python bench/dora.py [--runs 5] [--services 200] [--commits 1000] [--deploys 200]

Builds (once per run of this script, with `git fast-import`) an organisation on the local forge: 200
service repos with 1,000 commits each over a year (200,000 service commits), and a GitOps repo whose
`main` holds 200 production deploys per service (40,000 deploys, plat's trailers; every 17th a
hotfix), a rollback after every 20th deploy (2,000) and an incident caused by every 50th (800 opened
and resolved). Then times, alternating, each as a fresh process:
  - `plat dora --json --since START --until END` over the whole year;
  - the floor: the one `git log` of the GitOps repo plat runs, plus one `git rev-list` of each
    service repo (the same commands, run one after the other from one Python process).
Prints medians and the ratio (target: <= 3).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _org import ORG, YEAR, Shape, build  # noqa: E402
from _timing import VENV_BIN, hermetic_env  # noqa: E402

FLOOR = r"""
import subprocess, sys
from pathlib import Path
from platform_cli.delivery.history import LOG_FORMAT
from platform_cli.git import COMMIT_GRAPH
org = Path(sys.argv[1])
subprocess.run(["git", "log", f"--format={LOG_FORMAT}", "--raw", "--no-abbrev", "--no-renames",
                "--diff-merges=first-parent", "refs/heads/main"], cwd=org / "gitops.git", check=True,
               stdout=subprocess.DEVNULL)
for repo in sorted(org.glob("svc-*.git")):
    subprocess.run(["git", *COMMIT_GRAPH], cwd=repo, check=True, stdout=subprocess.DEVNULL)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--deploys", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build the org in this directory, or reuse the one built there")
    args = parser.parse_args()
    shape = Shape(args.services, args.commits, args.deploys)
    with tempfile.TemporaryDirectory(prefix="plat-bench-dora-") as tmp:
        env = hermetic_env((args.keep or Path(tmp)) / "home")
        env["PLAT_ORG"] = ORG
        forge = Path(env["PLAT_HOME"]) / "forge"
        if not (forge / ORG / "gitops.git").is_dir():
            started = time.perf_counter()
            build(forge, shape)
            print(f"built the org in {time.perf_counter() - started:.1f}s")
        print(f"org: {_size(forge / ORG)}")
        since, until = _day(shape.start), _day(shape.start + YEAR + 86400)
        plat = [str(VENV_BIN / "plat"), "dora", "--json", "--since", since, "--until", until]
        floor = [str(VENV_BIN / "python"), "-c", FLOOR, str(forge / ORG)]
        ours, peer = [], []
        for _ in range(args.runs):
            ours.append(_timed(plat, env, check_json=True))
            peer.append(_timed(floor, env))
        a, b = statistics.median(ours), statistics.median(peer)
        print(f"command: {' '.join(plat[1:])}")
        print(
            f"plat dora --json: median {a:.3f}s; floor (git log + {shape.services} rev-list) median {b:.3f}s; "
            f"ratio {a / b:.2f} (runs={args.runs}; plat {' '.join(f'{v:.2f}' for v in ours)}; "
            f"floor {' '.join(f'{v:.2f}' for v in peer)})"
        )


def _timed(argv: list[str], env: dict[str, str], check_json: bool = False) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    if check_json:
        org = json.loads(proc.stdout)["org"]
        global LAST
        LAST = org
    return elapsed


LAST: dict = {}


def _size(org: Path) -> str:
    deploys = subprocess.run(
        ["git", "log", "--format=%(trailers:key=Plat-Kind,valueonly)", "main"],
        cwd=org / "gitops.git",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    commits = sum(
        int(subprocess.run(["git", "rev-list", "--count", "main"], cwd=r, capture_output=True, text=True).stdout)
        for r in org.glob("svc-*.git")
    )
    return f"{len(deploys)} deploys ({deploys.count('rollback')} rollbacks), {commits} service commits"


def _day(at: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(at))


if __name__ == "__main__":
    main()
