"""`plat gitops codeowners`: the GitOps repo's CODEOWNERS, regenerated on main from its tenancy records
(docs/delivery.md). Exit codes: 0 up to date, regenerated or planned; 1 an error, or with --check a stale file."""

from typing import Annotated

import typer

from platform_cli.cli.shared import ForgeOpt, GithubUrlOpt, JsonOpt, OrgOpt, connect, examples, guard

DOC = "docs/delivery.md"
gitops_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The organisation's GitOps repo.")


@gitops_app.command(
    "codeowners",
    epilog=examples(
        "plat gitops codeowners", "plat gitops codeowners --check", "plat gitops codeowners --dry-run --json", doc=DOC
    ),
)
def codeowners(
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 when CODEOWNERS on main is stale.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the file it would commit; change nothing.")] = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Regenerate CODEOWNERS on the GitOps main: each service's team owns its apps/, incidents/ and catalog paths."""

    def body(console) -> None:
        from platform_cli.commands import gitops as cmd

        settings, the_forge = connect(forge, org, github_url, checkout=False)
        result = cmd.regenerate(settings, the_forge, check=check, dry_run=dry_run)
        console.emit(result.to_json(), lambda c: _view(c, result, check))

    guard(json_, body)


def _view(console, result, check: bool) -> None:
    services = len(result.owners.services)
    for path in result.owners.skipped:
        console.print(f"left out {path}: no usable service name or team (its paths stay the platform team's)")
    what = f"CODEOWNERS of {result.repo} ({services} services)"
    if result.dry_run and not check:
        console.print(result.content.rstrip("\n"))
        console.print(f"would regenerate {what}" if result.stale else f"{what} is up to date")
    elif result.commit:
        console.print(f"regenerated {what}: commit {result.commit[:12]}")
    else:
        console.print(f"{what} is up to date")
