"""Benchmark `plat new service --yes` against raw `copier copy` of the same template, same answers.

    .venv/bin/python bench/new.py [--runs 7] [--type http-api]

Both render the same template release (the git repo plat publishes to its template store, at the
same tag) with the same answers; plat also commits, creates and pushes the repo and opens the
GitOps pull request. Also `plat --help` against `copier --help`. Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import yaml

from _timing import VENV_BIN, compare, hermetic_env, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--type", default="http-api")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plat-bench-") as tmp:
        root = Path(tmp)
        env = hermetic_env(root / "home")
        plat, copier = str(VENV_BIN / "plat"), str(VENV_BIN / "copier")
        # Warm-up run: publishes the platform and template releases, as any first use does.
        timed([plat, "new", "service", "warmup", "--type", args.type, "--owner", "bench-team", "--yes"], root, env)
        recorded = yaml.safe_load((root / "warmup" / ".copier-answers.yml").read_text())
        src, ref = recorded.pop("_src_path"), recorded.pop("_commit")

        def plat_new(i: int) -> float:
            return timed([plat, "new", "service", f"svc-{i}", "--type", args.type, "--owner", "bench-team",
                          "--yes"], root, env)

        def copier_copy(i: int) -> float:
            answers = root / f"answers-{i}.yml"
            answers.write_text(yaml.safe_dump({**recorded, "service_name": f"raw-{i}"}))
            return timed([copier, "copy", "--trust", "--defaults", "--quiet", "--vcs-ref", ref,
                          "--data-file", str(answers), src, str(root / f"raw-{i}")], root, env)

        compare(f"plat new service ({args.type}) vs copier copy", plat_new, copier_copy, args.runs)
        compare("plat --help vs copier --help",
                lambda _: timed([plat, "--help"], root, env), lambda _: timed([copier, "--help"], root, env), args.runs)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
