"""The typer app: parse flags, build collaborators, call a command, print. The one error boundary.

Exit codes: 0 success; 1 a PlatError (bad input, refused operation; message + hint on stderr);
2 usage error (typer); 3 an unexpected error (short report). Heavy libraries (copier, rich,
PyGithub) are imported lazily so `plat --help` stays fast.
"""

from pathlib import Path
from typing import Annotated

import typer

from platform_cli.cli import dashboard, delivery, doctor, dora, fleet, gitops, slo, upgrade
from platform_cli.cli.shared import (
    ForgeOpt,
    GithubUrlOpt,
    JsonOpt,
    OrgOpt,
    Output,
    connect,
    examples,
    guard,
    load_settings,
    prompter_for,
)

HELP = {"help_option_names": ["-h", "--help"]}  # inherited by every sub-command
app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings=HELP,
    help="plat: golden-path services — create, upgrade, check.",
    epilog=examples(
        "plat new service payments-api --owner payments", "plat doctor", "plat upgrade --check", doc="README.md"
    ),
)
new_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Create things on the golden path.")
config_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Inspect plat's settings.")
pr_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Pull requests plat opened on the forge.")
app.add_typer(new_app, name="new")
app.add_typer(config_app, name="config")
app.add_typer(pr_app, name="pr")
app.add_typer(slo.slo_app, name="slo")
app.add_typer(dashboard.dashboard_app, name="dashboard")
app.add_typer(fleet.fleet_app, name="fleet", epilog=fleet.EXAMPLES)
# Commands in their own modules register here (explicitly, one line each):
app.command("upgrade", epilog=upgrade.UPGRADE_EXAMPLES)(upgrade.upgrade)
app.command("adopt", epilog=upgrade.ADOPT_EXAMPLES)(upgrade.adopt)
app.command("doctor", epilog=doctor.EXAMPLES)(doctor.doctor)
app.command("deploy", epilog=delivery.DEPLOY_EXAMPLES)(delivery.deploy)
app.command("promote", epilog=delivery.PROMOTE_EXAMPLES)(delivery.promote)
app.command("rollback", epilog=delivery.ROLLBACK_EXAMPLES)(delivery.rollback)
app.add_typer(delivery.incident_app, name="incident")
app.add_typer(dora.dora_app, name="dora")
app.add_typer(gitops.gitops_app, name="gitops")


def _show_version(value: bool) -> None:
    if not value:
        return
    from platform_cli.commands import version

    for line in version.describe().lines():
        typer.echo(line)
    raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            is_eager=True,
            callback=_show_version,
            help="Show plat's version, where it is installed, Python, templates.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only results and errors: no progress lines.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show the git commands plat runs.")] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Verbose, with timings and the traceback of any error.")
    ] = False,
) -> None:
    """plat: golden-path services — create, upgrade, check."""
    ctx.obj = Output(quiet=quiet, verbose=verbose, debug=debug)


@new_app.command(
    "service",
    epilog=examples(
        "plat new service payments-api --owner payments",
        "plat new service payments-api --type worker --owner payments --set port=9090 --yes",
        "plat new service payments-api --owner payments --dry-run",
        "plat new service payments-api --rollback",
        doc="README.md (plat new service)",
    ),
)
def new_service(
    name: Annotated[str | None, typer.Argument(help="Service name (DNS-1035 label).")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Template: http-api, worker or cronjob.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Owning team slug.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Answer a template question: KEY=VALUE.")] = None,
    answers_file: Annotated[Path | None, typer.Option("--answers-file", help="YAML file of answers.")] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where the working clone goes (default ./NAME).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Accept defaults; never prompt.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")] = False,
    rollback: Annotated[bool, typer.Option("--rollback", help="Remove what a run for NAME created.")] = False,
    unregister: Annotated[
        bool, typer.Option("--unregister", help="With --rollback: open a pull request removing a merged registration.")
    ] = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Create a service repo from a golden-path template and open its GitOps registration.

    Exit codes: 0 created (or planned with --dry-run); 1 bad input or a failed step (re-run to resume).
    """

    def body(console) -> None:
        from platform_cli.cli import views
        from platform_cli.commands import new
        from platform_cli.commands import rollback as rb
        from platform_cli.errors import UsageError

        settings, the_forge = connect(forge, org, github_url)
        if unregister and not rollback:
            raise UsageError("--unregister goes with --rollback", hint="plat new service NAME --rollback --unregister")
        if rollback:
            if not name:
                raise UsageError("--rollback needs the service NAME", hint="plat new service NAME --rollback")
            undone = rb.rollback_service(name, settings, the_forge, unregister=unregister)
            console.emit(undone.to_json(), lambda c: views.rollback(c, undone))
            return
        request = new.NewRequest(
            name=name,
            template=type_,
            owner=owner,
            sets=tuple(set_ or ()),
            answers_file=answers_file,
            directory=directory,
            yes=yes,
            dry_run=dry_run,
        )
        result = new.new_service(
            request, settings, the_forge, cwd=Path.cwd(), prompter=prompter_for(yes, json_), progress=console.step
        )
        console.emit(result.to_json(), lambda c: views.new_result(c, result))

    guard(json_, body)


@config_app.command("show", epilog=examples("plat config show", "plat config show --json", doc="docs/configuration.md"))
def config_show(json_: JsonOpt = False) -> None:
    """Print the effective settings and where each came from (flag, env, file, default)."""

    def body(console) -> None:
        from platform_cli.commands import config as config_cmd

        rows = config_cmd.show(load_settings(checkout=False))
        data = {r.key: {"value": r.value, "source": r.source} for r in rows}
        console.emit(
            data,
            lambda c: c.table(
                "plat settings", ("setting", "value", "source"), [(r.key, r.value, r.source) for r in rows]
            ),
        )

    guard(json_, body)


@pr_app.command(
    "list", epilog=examples("plat pr list gitops", "plat pr list payments-api --state open", doc="README.md (plat pr)")
)
def pr_list(
    repo: Annotated[str, typer.Argument(help="ORG/REPO or REPO (e.g. gitops).")],
    state: Annotated[str | None, typer.Option("--state", help="open, merged or closed.")] = None,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """List pull requests of a repo on the forge."""

    def body(console) -> None:
        from platform_cli.cli import views
        from platform_cli.commands import pr

        settings, the_forge = connect(forge, org, github_url)
        pulls = pr.list_pulls(the_forge, repo, settings.org, state)
        console.emit({"pull_requests": [views.pr_json(p) for p in pulls]}, lambda c: views.pr_table(c, pulls))

    guard(json_, body)


@pr_app.command(
    "show",
    epilog=examples(
        "plat pr show gitops 1",
        "plat pr show payments-api 2 --diff",
        "plat pr show payments-api 2 --json",
        doc="README.md (plat pr)",
    ),
)
def pr_show(
    repo: Annotated[str, typer.Argument(help="ORG/REPO or REPO.")],
    number: Annotated[int, typer.Argument(help="Pull request number.")],
    diff: Annotated[bool, typer.Option("--diff", help="Also show the diff of each changed file.")] = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Show one pull request: its body and the files it changes (their diff with --diff)."""

    def body(console) -> None:
        from platform_cli.cli import views
        from platform_cli.commands import pr

        settings, the_forge = connect(forge, org, github_url)
        detail = pr.show_pull(the_forge, repo, settings.org, number)
        console.emit(views.pr_detail_json(detail, diff), lambda c: views.pr_detail(c, detail, diff))

    guard(json_, body)


@pr_app.command(
    "merge", epilog=examples("plat pr merge gitops 1", "plat pr merge payments-api 2", doc="README.md (plat pr)")
)
def pr_merge(
    repo: Annotated[str, typer.Argument(help="ORG/REPO or REPO.")],
    number: Annotated[int, typer.Argument(help="Pull request number.")],
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Merge a pull request with a merge commit (refused while it holds conflict markers)."""

    def body(console) -> None:
        from platform_cli.cli import views
        from platform_cli.commands import pr

        settings, the_forge = connect(forge, org, github_url)
        merged = pr.merge_pull(the_forge, repo, settings.org, number, settings)
        console.emit(views.pr_json(merged), lambda c: views.pr_merged(c, merged))

    guard(json_, body)


def main() -> None:
    app()
