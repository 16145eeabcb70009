"""The typer app: parse flags, build collaborators, call a command, print. The one error boundary.

Exit codes: 0 success; 1 a PlatError (bad input, refused operation; message + hint on stderr);
2 usage error (typer); 3 an unexpected error (short report). Heavy libraries (copier, rich,
PyGithub) are imported lazily so `plat --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, add_completion=False,
                  help="plat: golden-path services — create, upgrade, check.")
new_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Create things on the golden path.")
config_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Inspect plat's settings.")
pr_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Pull requests plat opened on the forge.")
app.add_typer(new_app, name="new")
app.add_typer(config_app, name="config")
app.add_typer(pr_app, name="pr")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one machine-readable JSON document.")]
ForgeOpt = Annotated[Optional[str], typer.Option("--forge", help="Forge to use: local (default).")]
OrgOpt = Annotated[Optional[str], typer.Option("--org", help="Organisation on the forge.")]


def _guard(json_mode: bool, body: Callable[[Any], None]) -> None:
    """Run a command body with its console; map errors to exit codes."""
    from platform_cli.console import Console
    from platform_cli.errors import PlatError

    console = Console(json_mode=json_mode)
    try:
        body(console)
    except PlatError as exc:
        console.error(exc.message, exc.hint)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.error("interrupted", "run the same command again to resume")
        raise typer.Exit(1) from None
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the one boundary for the unexpected
        console.error(f"unexpected error: {type(exc).__name__}: {exc}",
                      "this is a bug in plat; please report it with the command you ran")
        raise typer.Exit(3) from None


def _settings(**flags: Any):
    from platform_cli import config

    return config.load(flags=flags)


@new_app.command("service")
def new_service(
    name: Annotated[Optional[str], typer.Argument(help="Service name (DNS-1035 label).")] = None,
    type_: Annotated[Optional[str], typer.Option("--type", help="Template: http-api, worker or cronjob.")] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", help="Owning team slug.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Answer a template question: KEY=VALUE.")] = None,
    answers_file: Annotated[Optional[Path], typer.Option("--answers-file", help="YAML file of answers.")] = None,
    directory: Annotated[Optional[Path], typer.Option("--dir", help="Where the working clone goes (default ./NAME).")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Accept defaults; never prompt.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")] = False,
    rollback: Annotated[bool, typer.Option("--rollback", help="Remove what a run for NAME created.")] = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
) -> None:
    """Create a service repo from a golden-path template and open its GitOps registration.

    Exit codes: 0 created (or planned with --dry-run); 1 bad input or a failed step (re-run to resume).
    """
    def body(console) -> None:
        from platform_cli import forge as forges
        from platform_cli.commands import new, rollback as rb
        from platform_cli.errors import UsageError
        from platform_cli import render_output

        settings = _settings(forge=forge, org=org).settings
        the_forge = forges.create(settings)
        if rollback:
            if not name:
                raise UsageError("--rollback needs the service NAME", hint="plat new service NAME --rollback")
            result = rb.rollback_service(name, settings, the_forge)
            console.emit(result.to_json(), lambda c: render_output.rollback(c, result))
            return
        request = new.NewRequest(name=name, template=type_, owner=owner, sets=tuple(set_ or ()),
                                 answers_file=answers_file, directory=directory, yes=yes, dry_run=dry_run)
        result = new.new_service(request, settings, the_forge, cwd=Path.cwd(),
                                 prompter=_prompter(yes, json_), progress=console.step)
        console.emit(result.to_json(), lambda c: render_output.new_result(c, result))

    _guard(json_, body)


@config_app.command("show")
def config_show(json_: JsonOpt = False) -> None:
    """Print the effective settings and where each came from (flag, env, file, default)."""
    def body(console) -> None:
        from platform_cli.commands import config as config_cmd

        rows = config_cmd.show(_settings())
        data = {r.key: {"value": r.value, "source": r.source} for r in rows}
        console.emit(data, lambda c: c.table("plat settings", ("setting", "value", "source"),
                                             [(r.key, r.value, r.source) for r in rows]))

    _guard(json_, body)


@pr_app.command("list")
def pr_list(
    repo: Annotated[str, typer.Argument(help="ORG/REPO or REPO (e.g. gitops).")],
    state: Annotated[Optional[str], typer.Option("--state", help="open, merged or closed.")] = None,
    json_: JsonOpt = False, forge: ForgeOpt = None, org: OrgOpt = None,
) -> None:
    """List pull requests of a repo on the forge."""
    def body(console) -> None:
        from platform_cli import forge as forges, render_output
        from platform_cli.commands import pr

        settings = _settings(forge=forge, org=org).settings
        pulls = pr.list_pulls(forges.create(settings), repo, settings.org, state)
        console.emit({"pull_requests": [render_output.pr_json(p) for p in pulls]},
                     lambda c: render_output.pr_table(c, pulls))

    _guard(json_, body)


@pr_app.command("show")
def pr_show(
    repo: Annotated[str, typer.Argument(help="ORG/REPO or REPO.")],
    number: Annotated[int, typer.Argument(help="Pull request number.")],
    json_: JsonOpt = False, forge: ForgeOpt = None, org: OrgOpt = None,
) -> None:
    """Show one pull request with its body."""
    def body(console) -> None:
        from platform_cli import forge as forges, render_output
        from platform_cli.commands import pr

        settings = _settings(forge=forge, org=org).settings
        p = pr.show_pull(forges.create(settings), repo, settings.org, number)
        console.emit(render_output.pr_json(p), lambda c: render_output.pr_detail(c, p))

    _guard(json_, body)


@pr_app.command("merge")
def pr_merge(
    repo: Annotated[str, typer.Argument(help="ORG/REPO or REPO.")],
    number: Annotated[int, typer.Argument(help="Pull request number.")],
    json_: JsonOpt = False, forge: ForgeOpt = None, org: OrgOpt = None,
) -> None:
    """Merge a pull request with a merge commit."""
    def body(console) -> None:
        from platform_cli import forge as forges, render_output
        from platform_cli.commands import pr

        settings = _settings(forge=forge, org=org).settings
        p = pr.merge_pull(forges.create(settings), repo, settings.org, number)
        console.emit(render_output.pr_json(p), lambda c: c.print(f"merged #{p.id} into {p.base} of {p.repo}"))

    _guard(json_, body)


def _prompter(yes: bool, json_mode: bool):
    """Prompt only on a terminal; without one plat never prompts (and lists what is missing)."""
    if yes or json_mode or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    from platform_cli.prompts import Prompter

    return Prompter()


def main() -> None:
    app()
