"""`plat upgrade` and `plat adopt`: the typer commands and how their results look to a human.

Exit codes of `plat upgrade`: 0 upgraded, planned (--dry-run) or already current; 1 refused or
failed, nothing changed; 2 usage error; 3 unexpected error; 10 with --check when an upgrade is
available (for CI: `plat upgrade --check || echo "upgrade available"`); 11 upgraded, but the pull
request holds conflicts to resolve before it can merge.
"""

from pathlib import Path
from typing import Annotated, Any

import typer

from platform_cli.cli.shared import (
    ExitCode,
    ForgeOpt,
    GithubUrlOpt,
    JsonOpt,
    OrgOpt,
    connect,
    examples,
    guard,
    prompter_for,
)
from platform_cli.cli.views import plat_command

UPGRADE_EXAMPLES = examples(
    "plat upgrade",
    "plat upgrade --dry-run",
    "plat upgrade --to 0.3.0 ../payments-api",
    "plat upgrade --check   # in CI: exit 10 when an upgrade is available",
    doc="docs/upgrade.md",
)
ADOPT_EXAMPLES = examples(
    "plat adopt --type http-api --owner payments",
    "plat adopt ../legacy-api --dry-run",
    doc="docs/upgrade.md (Adopting a repo plat did not make)",
)
PathArg = Annotated[Path, typer.Argument(help="The service repo (default: the current directory).")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="Answer a template question: KEY=VALUE.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Accept defaults for new questions; never prompt.")]


def upgrade(
    path: PathArg = Path("."),
    to: Annotated[str | None, typer.Option("--to", help="Target template version (default: the latest).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Only report; exit 10 when an upgrade is available.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the diff the upgrade would propose; change nothing.")
    ] = False,
    set_: SetOpt = None,
    yes: YesOpt = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Upgrade a service to a newer template version, as a pull request that keeps local edits.

    Exit codes: 0 upgraded, planned or already current; 1 refused or failed (nothing changed);
    10 with --check when an upgrade is available; 11 upgraded with conflicts to resolve first.
    """

    def body(console) -> None:
        from platform_cli.commands import upgrade as cmd

        settings, the_forge = connect(forge, org, github_url)
        req = cmd.UpgradeRequest(path=path, to=to, check=check, dry_run=dry_run, sets=tuple(set_ or ()), yes=yes)
        result = cmd.upgrade(req, settings, the_forge, prompter=prompter_for(yes, json_), progress=console.step)
        console.emit(result.to_json(), lambda c: render_upgrade(c, result))
        if check and result.upgrade_available:
            raise typer.Exit(ExitCode.UPGRADE_AVAILABLE)
        if result.status == "upgraded" and result.conflicts:
            raise typer.Exit(ExitCode.UPGRADE_CONFLICTS)

    guard(json_, body)


def adopt(
    path: PathArg = Path("."),
    type_: Annotated[
        str | None, typer.Option("--type", help="Template the repo follows: http-api, worker, cronjob.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owning team slug.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Service name (default: the directory name).")] = None,
    set_: SetOpt = None,
    yes: YesOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what adopting would add; change nothing.")] = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Bring an existing repo under plat management so that `plat upgrade` and `plat doctor` work on it.

    Exit codes: 0 adopted (or planned with --dry-run); 1 refused (dirty, already managed, bad answers).
    """

    def body(console) -> None:
        from platform_cli.commands import adopt as cmd

        settings, the_forge = connect(forge, org, github_url)
        req = cmd.AdoptRequest(
            path=path, template=type_, owner=owner, name=name, sets=tuple(set_ or ()), yes=yes, dry_run=dry_run
        )
        result = cmd.adopt(req, settings, the_forge, prompter=prompter_for(yes, json_))
        console.emit(result.to_json(), lambda c: render_adopt(c, result))

    guard(json_, body)


def render_upgrade(console: Any, r: Any) -> None:
    if r.status == "up-to-date":
        console.print(f"{r.template} is at the latest template version {r.current}; nothing to do")
        return
    console.print(f"{r.template} template {r.current} → {r.target}", style="bold")
    for entry in r.changelog:
        console.print(f"  {entry.version}: {entry.text}")
    if r.open_pull_request:
        pr = r.open_pull_request
        console.print(f"  upgrade pull request open: #{pr.id} on {pr.repo} ({pr.head}): {pr.title}")
    if r.status == "available":
        console.print(f"  upgrade available: {plat_command()} upgrade --to {r.target}")
        return
    for note in (*r.notes, *(f"migration {m}" for m in r.migrations)):
        console.print(f"  {note}")
    for c in r.conflicts:
        console.print(f"  conflict  {c.path} ({c.kind})", style="yellow")
    for p in r.kept_deleted:
        console.print(f"  kept deleted  {p} (deleted here, changed by the template)")
    for p in r.team_changes:
        console.print(f"  not applied  {p} (team-owned; the template changed it: see the changelog)")
    if r.status == "planned":
        console.print(f"  plan: {len(r.files)} files change on {r.branch}; nothing was changed", style="bold")
        console.print(r.diff)
        return
    console.print(f"  branch {r.branch} ({len(r.files)} files changed), baseline {r.baseline_branch}")
    pr = r.pull_request
    if pr:
        console.print(f"  pull request #{pr.id} on {pr.repo}: {pr.title}")
    if r.conflicts:
        console.print(
            f"  resolve the {len(r.conflicts)} conflicts before merging: git switch {r.branch}, edit the "
            f"files above, commit, git push origin {r.branch}",
            style="bold yellow",
        )
    if pr:
        merge = f"{plat_command()} pr merge {pr.repo} {pr.id}"
        console.print(f"  {'then merge' if r.conflicts else 'merge'} it with a merge commit: {merge}")
    else:
        console.print(f"  not on the forge: git push origin {r.baseline_branch} {r.branch}, then open a pull request")


def render_adopt(console: Any, r: Any) -> None:
    verb = "Would adopt" if r.dry_run else "Adopted"
    console.print(f"{verb} {r.repo} as {r.template} {r.version}", style="bold")
    for f in r.added:
        console.print(f"  add   {f}")
    for f in r.differing:
        console.print(f"  keep  {f} (differs from the template; plat doctor reports drift)")
    if not r.dry_run:
        console.print(f"  next: git push origin main {r.baseline_branch}; later: {plat_command()} upgrade")
