"""How command results look to a human (the JSON shapes live on the result values)."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from platform_cli.console import Console
from platform_cli.models import NewResult, PullRequest


def plat_command(cwd: Path | None = None) -> str:
    """How to run this plat again from `cwd` (default: here): `plat` when that finds this very plat on PATH,
    else the path it was started by (the README's first command leaves it in `.venv/bin`, off PATH)."""
    started = Path(sys.argv[0])
    if started.name != "plat" or not started.exists():
        return "plat"  # python -m platform_cli, or in-process (tests)
    found = shutil.which("plat")
    if found and Path(found).resolve() == started.resolve():
        return "plat"
    relative = os.path.relpath(started.resolve(), (cwd or Path.cwd()).resolve())
    return str(started.resolve()) if relative.startswith(f"..{os.sep}..") else relative


def new_result(console: Console, result: NewResult) -> None:
    if result.dry_run:
        console.print(
            f"Plan for {result.service} ({result.template} {result.template_version}) — nothing changed:", style="bold"
        )
        console.print(f"  render {len(result.files)} files into {result.directory}")
        console.print(f"  create repo {result.repo_url}; push main and {result.baseline_branch}")
        console.print(f"  open a pull request on {result.gitops_repo} from branch {result.gitops_branch}")
        for path in result.files:
            console.print(f"    {path}")
        return
    pr = result.pull_request
    done = "Already created" if "pull_request" in result.resumed_steps else "Created"  # a finished run, run again
    console.print(f"{done} {result.service} from {result.template} {result.template_version}", style="bold green")
    console.print(f"  working clone  {result.directory}")
    console.print(f"  repo           {result.repo_url} (branches main, {result.baseline_branch})")
    plat = plat_command()
    if pr:
        console.print(f"  registration   pull request #{pr.id} on {pr.repo}: {pr.title} [{pr.state}]")
        console.print(
            f"  next           {plat} pr merge {pr.repo} {pr.id}   (or review it: {plat} pr show {pr.repo} {pr.id})"
        )
    then = f"cd {result.directory} && {plat_command(Path(result.directory))} doctor"
    console.print(f"  then           {then}   (a walk-through: docs/tutorial.md)")


def rollback(console: Console, result: Any) -> None:
    pr = result.pull_request
    if pr is not None:
        console.print(f"Opened pull request #{pr.id} on {pr.repo}: {pr.title}", style="bold")
        plat = plat_command()
        console.print(f"  next  {plat} pr merge {pr.repo} {pr.id}, then {plat} new service {result.service} --rollback")
        return
    console.print(f"Rolled back {result.service}", style="bold")
    for item in result.removed:
        console.print(f"  removed {item}")
    for item in result.kept:
        console.print(f"  not removed {item}")


def pr_json(pr: PullRequest) -> dict[str, Any]:
    return asdict(pr)


def pr_table(console: Console, pulls: tuple[PullRequest, ...]) -> None:
    if not pulls:
        console.print("no pull requests")
        return
    console.table(
        "pull requests",
        ("#", "state", "title", "head → base"),
        [(p.id, p.state, p.title, f"{p.head} → {p.base}") for p in pulls],
    )


def pr_merged(console: Console, pr: PullRequest) -> None:
    console.print(f"merged #{pr.id} into {pr.base} of {pr.repo}")


def pr_detail_json(detail: Any, with_diff: bool) -> dict[str, Any]:
    files = [{"path": f.path, "status": f.status, **({"patch": f.patch} if with_diff else {})} for f in detail.files]
    return {**pr_json(detail.pull), "files": files}


def pr_detail(console: Console, detail: Any, with_diff: bool) -> None:
    pr = detail.pull
    console.print(f"#{pr.id} {pr.title} [{pr.state}]", style="bold")
    console.print(f"{pr.repo}: {pr.head} → {pr.base}")
    console.print(pr.url)
    console.print()
    console.print(pr.body)
    if detail.files:
        console.print(f"{len(detail.files)} files changed:", style="bold")
        for f in detail.files:
            console.print(f"  {f.status:<9} {f.path}")
    if with_diff:
        console.print("".join(f.patch for f in detail.files))
