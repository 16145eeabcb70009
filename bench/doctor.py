"""Benchmark `plat doctor` (no --deep) against `copier check-update` and a cruft-style re-render-and-diff.

    .venv/bin/python bench/doctor.py [--runs 7] [--type http-api]

One run creates a service with `plat new service` (hermetic home, local forge), then times, in
alternation on that same service:
  - `plat doctor PATH --json`: template drift, version lag and every policy rule (helm renders the chart);
  - `copier check-update PATH`: version lag only;
  - a cruft-style check (`cruft diff`): re-render the recorded template version with the recorded
    answers into a temporary directory with copier, then diff it against the service (drift only).
Each is a fresh process (interpreter start included for all three). Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import VENV_BIN, hermetic_env, parse_args, timed

RECOPY_DIFF = r"""
import subprocess, sys, tempfile, warnings
from pathlib import Path
import copier, yaml
service = Path(sys.argv[1])
answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
src, ref = answers.pop("_src_path"), answers.pop("_commit")
with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
    warnings.simplefilter("ignore")
    copier.run_copy(src, tmp, data=answers, vcs_ref=ref, defaults=True, overwrite=True, quiet=True,
                    skip_tasks=True, settings=copier.Settings())
    diff = subprocess.run(["git", "diff", "--no-index", "--stat", tmp, str(service)], capture_output=True)
    sys.exit(0 if diff.returncode in (0, 1) else diff.returncode)
"""


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="plat-bench-") as tmp:
        root = Path(tmp)
        env = hermetic_env(root / "home")
        plat, copier = str(VENV_BIN / "plat"), str(VENV_BIN / "copier")
        timed([plat, "new", "service", "svc", "--type", args.type, "--owner", "bench-team", "--yes"], root, env)
        service = root / "svc"
        # the checked-out service must not contain a nested repo copy of the render (cruft diff compares trees)
        commands = {
            "plat doctor": [plat, "doctor", str(service), "--json", "--fail-on", "critical"],
            "copier check-update": [copier, "check-update", str(service)],
            "re-render + diff": [sys.executable, "-c", RECOPY_DIFF, str(service)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for argv in commands.values():  # warm-up: page cache, .pyc files
            timed(argv, root, env)
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(timed(argv, root, env))
        report(times, args)
        print("plat doctor checked:", _rules_run(plat, service, root, env))


def report(times: dict[str, list[float]], args: argparse.Namespace) -> None:
    medians = {name: statistics.median(values) for name, values in times.items()}
    ours = medians["plat doctor"]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"template {args.type}, runs={args.runs}, {os.cpu_count()} CPUs, load average {load}")
    for name, values in times.items():
        ratio = f"doctor/{name} = {ours / medians[name]:.2f}" if name != "plat doctor" else ""
        print(f"  {name:20s} median {medians[name]:.3f}s  {ratio:32s} ({' '.join(f'{v:.2f}' for v in values)})")


def _rules_run(plat: str, service: Path, root: Path, env: dict[str, str]) -> str:
    import json

    out = subprocess.run(
        [plat, "doctor", str(service), "--json", "--fail-on", "critical"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    data = json.loads(out.stdout)
    skipped = [s["family"] for s in data["skipped"]]
    return f"{len(data['rules_run'])} rules, {len(data['findings'])} findings, level {data['level']}" + (
        f", skipped {skipped}" if skipped else ""
    )


if __name__ == "__main__":
    main()
