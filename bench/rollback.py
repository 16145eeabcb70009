"""Benchmark `plat rollback`: from the command's start to its commit landing on the forge, in seconds.

    .venv/bin/python bench/rollback.py [--runs 9] [--services 200] [--deploys 200]

Builds (with `git fast-import`, bench/_org.py) an organisation on the local forge whose GitOps repo
holds a year of production deploys (by default 200 services × 200 deploys = 40,000, plus rollbacks
and incidents), then, `--runs` times: time `plat rollback svc-000 --env production --json` as a fresh
process (it reads the history, picks the previous good deploy, lands one commit on `main`; the
process ends when the commit has landed), then redeploy a new digest (not timed) so that the next
rollback has a deploy to undo. Prints the median and every run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _org import ORG, Shape, build  # noqa: E402
from _timing import VENV_BIN, hermetic_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--deploys", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build the org in this directory, or reuse the one built there")
    args = parser.parse_args()
    shape = Shape(services=args.services, commits=args.deploys * 5, deploys=args.deploys)
    with tempfile.TemporaryDirectory(prefix="plat-bench-rollback-") as tmp:
        env = hermetic_env((args.keep or Path(tmp)) / "home")
        env["PLAT_ORG"] = ORG
        forge = Path(env["PLAT_HOME"]) / "forge"
        if not (forge / ORG / "gitops.git").is_dir():
            build(forge, shape)
        gitops = forge / ORG / "gitops.git"
        service = forge / ORG / "svc-000.git"
        source = subprocess.run(["git", "rev-parse", "main"], cwd=service, capture_output=True, text=True).stdout
        plat = str(VENV_BIN / "plat")
        times = []
        for run in range(args.runs):
            image = "sha256:" + hashlib.sha256(f"bench-{run}".encode()).hexdigest()
            _run(
                [
                    plat,
                    "deploy",
                    "svc-000",
                    "--env",
                    "production",
                    "--digest",
                    image,
                    "--source",
                    source.strip(),
                    "--direct",
                    "--json",
                ],
                env,
            )
            start = time.perf_counter()
            out = _run([plat, "rollback", "svc-000", "--env", "production", "--json"], env)
            times.append(time.perf_counter() - start)
            landed = json.loads(out)["id"]
            head = subprocess.run(["git", "rev-parse", "main"], cwd=gitops, capture_output=True, text=True)
            assert head.stdout.strip() == landed, "the rollback did not land on main"
        deploys = subprocess.run(["git", "rev-list", "--count", "main"], cwd=gitops, capture_output=True, text=True)
        print(f"GitOps repo: {deploys.stdout.strip()} commits on main ({args.services} services)")
        print("command: plat rollback svc-000 --env production --json")
        print(
            f"plat rollback: median {statistics.median(times):.3f}s (runs={args.runs}; "
            f"{' '.join(f'{t:.2f}' for t in times)})"
        )


def _run(argv: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


if __name__ == "__main__":
    main()
