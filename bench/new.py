"""Benchmark `plat new service --yes` against raw `copier copy` of the same template, same answers.

    .venv/bin/python bench/new.py [--runs 7] [--type http-api] [--registered 2000]

Both render the same template release (the git repo plat publishes to its template store, at the
same tag) with the same answers; plat also commits, creates and pushes the repo and opens the
GitOps pull request. A second peer does all of that by hand: `copier copy` followed by the git
commands that create the same repo, baseline branch and registration branch. Also `plat --help`
against `copier --help`. Prints medians and ratios. Then `--registered N` services (default 2,000)
are registered in the GitOps repo at once (half merged on `main`, half open pull requests, each with
its branch and record) and `plat new service` vs `copier copy` is measured again: the ratio must stay
within 5 % of the one with (almost) no registered services.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
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


def register_many(forge_root: Path, org: str, regs: list, merged: int) -> None:
    """Registrations in the GitOps repo as `plat new service` leaves them, made in bulk: one `git
    fast-import` for the branches and the first `merged` ones on `main`, then the pull request records
    (merged or open)."""
    from platform_cli import git
    from platform_cli.forge.local import LocalForge
    from platform_cli.gitops.registration import registration_files

    forge = LocalForge(forge_root)
    repo = forge_root / org / "gitops.git"
    main = git.rev_parse(repo, "refs/heads/main")
    on_main = [f for r in regs[:merged] for f in registration_files(r).items()]
    stream = [_commit("refs/heads/main", main, on_main, "Register services in bulk")] if on_main else []
    stream += [_commit(f"refs/heads/{r.branch}", main, list(registration_files(r).items()), r.title) for r in regs]
    git.run(["fast-import", "--quiet", "--force"], repo, input="".join(stream))
    for i, reg in enumerate(regs):
        pr = forge.open_pull_request(org, "gitops", reg.branch, "main", reg.title, "bulk")
        if i < merged:
            forge._save(org, "gitops", dataclasses.replace(pr, state="merged"))


def synthetic(count: int, org: str) -> list:
    from platform_cli.gitops.registration import Registration

    names = [f"fleet-{i:04d}" for i in range(count)]
    return [Registration(n, org, "bench-team", n, f"/nowhere/{n}.git", ("staging", "production")) for n in names]


def _commit(ref: str, parent: str, files: list[tuple[str, str]], message: str) -> str:
    body = "".join(f"M 100644 inline {path}\ndata {len(text.encode())}\n{text}\n" for path, text in files)
    return (
        f"commit {ref}\ncommitter bench <bench@example.test> 1700000000 +0000\n"
        f"data {len(message.encode())}\n{message}\nfrom {parent}\n{body}\n"
    )


def main() -> None:
    args = parse_args(lambda p: p.add_argument("--registered", type=int, default=2000))
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
        if args.registered:
            few = compare(
                f"plat new service ({args.type}) vs copier copy, few registered",
                lambda i: plat_new(2000 + i),
                lambda i: copier_copy(2000 + i),
                args.runs,
            )
            with _environ(env):
                register_many(
                    root / "home" / "plat" / "forge", "local", synthetic(args.registered, "local"), args.registered // 2
                )
            many = compare(
                f"plat new service ({args.type}) vs copier copy, {args.registered} more registered",
                lambda i: plat_new(3000 + i),
                lambda i: copier_copy(3000 + i),
                args.runs,
            )
            print(f"ratio with {args.registered} registered / ratio with few: {many / few:.3f} (target <= 1.05)")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def _environ(env: dict[str, str]):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    main()
