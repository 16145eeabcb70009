"""Benchmark `plat new service --yes` against raw `copier copy` of the same template, same answers.

    .venv/bin/python bench/new.py [--runs 7] [--type http-api]

Both render the same template release (the git repo plat publishes to its template store, at the
same tag) with the same answers; plat also commits, creates and pushes the repo and opens the
GitOps pull request. A second peer does all of that by hand: `copier copy` followed by the git
commands that create the same repo, baseline branch and registration branch. Also `plat --help`
against `copier --help`. Prints medians and ratios.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from _timing import VENV_BIN, compare, hermetic_env, parse_args, timed

# What a user would run after `copier copy` to get what plat leaves behind: a repo with main and
# the baseline branch pushed to a bare remote, and a registration branch in the GitOps repo.
BY_HAND = r"""
set -euo pipefail
work=$1 bare_root=$2 name=$3 gitops=$4
cd "$work" && git init -q -b main && git add -A && git commit -qm render && git branch plat/template
git init -q --bare "$bare_root/$name.git" && git remote add origin "$bare_root/$name.git"
git push -q -u origin main plat/template
tmp=$(mktemp -d) && git clone -q "$gitops" "$tmp/gitops" && cd "$tmp/gitops"
git checkout -q -b "plat/register-$name" && mkdir -p "apps/$name" catalog
printf 'kind: Application\n' > "apps/$name/staging.yaml" && printf 'kind: Application\n' > "apps/$name/production.yaml"
printf 'kind: Location\n' > "catalog/$name.yaml" && git add -A && git commit -qm "Register $name"
git push -q origin "plat/register-$name" && rm -rf "$tmp"
"""


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="plat-bench-") as tmp:
        root = Path(tmp)
        env = hermetic_env(root / "home")
        plat, copier = str(VENV_BIN / "plat"), str(VENV_BIN / "copier")
        # Warm-up run: publishes the platform and template releases, as any first use does.
        timed([plat, "new", "service", "warmup", "--type", args.type, "--owner", "bench-team", "--yes"], root, env)
        recorded = yaml.safe_load((root / "warmup" / ".copier-answers.yml").read_text())
        src, ref = recorded.pop("_src_path"), recorded.pop("_commit")

        def plat_new(i: int) -> float:
            return timed(
                [plat, "new", "service", f"svc-{i}", "--type", args.type, "--owner", "bench-team", "--yes"], root, env
            )

        def copier_copy(i: int) -> float:
            answers = root / f"answers-{i}.yml"
            answers.write_text(yaml.safe_dump({**recorded, "service_name": f"raw-{i}"}))
            return timed(
                [
                    copier,
                    "copy",
                    "--trust",
                    "--defaults",
                    "--quiet",
                    "--vcs-ref",
                    ref,
                    "--data-file",
                    str(answers),
                    src,
                    str(root / f"raw-{i}"),
                ],
                root,
                env,
            )

        def by_hand(i: int) -> float:
            start = copier_copy(100 + i)
            return start + timed(
                [
                    "bash",
                    "-c",
                    BY_HAND,
                    "by-hand",
                    str(root / f"raw-{100 + i}"),
                    str(root / "bare"),
                    f"raw-{100 + i}",
                    str(root / "home" / "plat" / "forge" / "local" / "gitops.git"),
                ],
                root,
                env,
            )

        compare(f"plat new service ({args.type}) vs copier copy", plat_new, copier_copy, args.runs)
        compare(
            f"plat new service ({args.type}) vs copier copy + the same git steps by hand",
            lambda i: plat_new(1000 + i),
            by_hand,
            args.runs,
        )
        compare(
            "plat --help vs copier --help",
            lambda _: timed([plat, "--help"], root, env),
            lambda _: timed([copier, "--help"], root, env),
            args.runs,
        )
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
