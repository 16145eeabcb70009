"""Benchmark `plat dashboard build` on a synthetic fleet: 500 services, a year of weekly history.

    .venv/bin/python bench/dashboard.py [--runs 7] [--services 500] [--weeks 52]

Writes the documents (`plat dora --json`, `plat fleet status --json` and two `plat fleet campaign
status --json` shapes, with every service's deploys and incidents) once, then times, in alternation,
each as a fresh process:
  - `plat dashboard build --dora … --fleet … --campaign … --out SITE`: the whole site;
  - the floor: a python process that reads the same documents with json.load and writes as many files
    of the same total size (what any static site generator must at least do).
Prints medians, the ratio, the number of pages, the site's size and what the org page transfers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from _timing import REPO, VENV_BIN, hermetic_env, timed

sys.path.insert(0, str(REPO))
from tests.dashboard.documents import synthetic  # noqa: E402

FLOOR = r"""
import json, sys
from pathlib import Path
docs, out, count, size = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
loaded = [json.loads(p.read_text()) for p in sorted(Path(docs).glob("*.json"))]
out.mkdir(parents=True, exist_ok=True)
chunk = "x" * (size // count)
for i in range(count):
    (out / f"{i}.html").write_text(chunk)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plat-bench-dashboard-") as tmp:
        root = Path(tmp)
        env = hermetic_env(root / "home")
        docs = root / "docs"
        docs.mkdir()
        dora, fleet, campaigns = synthetic(args.services, args.weeks)
        (docs / "dora.json").write_text(json.dumps(dora))
        (docs / "fleet.json").write_text(json.dumps(fleet))
        argv = [
            str(VENV_BIN / "plat"),
            "dashboard",
            "build",
            "--dora",
            str(docs / "dora.json"),
            "--fleet",
            str(docs / "fleet.json"),
        ]
        for i, campaign in enumerate(campaigns):
            (docs / f"campaign-{i}.json").write_text(json.dumps(campaign))
            argv += ["--campaign", str(docs / f"campaign-{i}.json")]
        site = root / "site"
        timed([*argv, "--out", str(site)], root, env=env)  # warm-up, and the site measured below
        pages = list(site.rglob("*.html"))
        size = sum(p.stat().st_size for p in pages)
        plat, floor, plat_cpu = [], [], []
        for i in range(args.runs):
            before = _children_cpu()
            plat.append(timed([*argv, "--out", str(site)], root, env=env))
            plat_cpu.append(_children_cpu() - before)
            floor.append(
                timed(
                    [sys.executable, "-c", FLOOR, str(docs), str(root / f"floor-{i}"), str(len(pages)), str(size)],
                    root,
                    env=env,
                )
            )
        built = json.loads(_run_json([*argv, "--out", str(site), "--json"], root))
        docs_mb = sum(p.stat().st_size for p in docs.iterdir()) / 1e6
        print(f"fleet: {args.services} services, {args.weeks} weeks, documents {docs_mb:.1f} MB")
        print(
            f"site: {built['pages']} pages, {built['bytes'] / 1e6:.1f} MB; org page transfers "
            f"{built['org_page_bytes'] / 1e3:.0f} kB (index.html {(site / 'index.html').stat().st_size / 1e3:.0f} kB)"
        )
        p, f = statistics.median(plat), statistics.median(floor)
        print(f"plat dashboard build: {p:.3f} s (median of {args.runs}; CPU {statistics.median(plat_cpu):.3f} s)")
        print(f"floor (json.load + write the same bytes): {f:.3f} s")
        print(f"ratio: {p / f:.2f}")


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_json(argv: list[str], cwd: Path) -> str:
    import subprocess

    return subprocess.run(argv, cwd=cwd, check=True, capture_output=True, text=True).stdout


if __name__ == "__main__":
    main()
