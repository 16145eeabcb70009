"""What every CLI command shares: common options, settings, prompter, and the error boundary."""


import sys
from typing import Annotated, Any, Callable, Optional

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one machine-readable JSON document.")]
ForgeOpt = Annotated[Optional[str], typer.Option("--forge", help="Forge to use: local (default) or github.")]
GithubUrlOpt = Annotated[Optional[str], typer.Option(
    "--github-url", help="GitHub API URL (GitHub Enterprise Server: https://HOST/api/v3).")]
OrgOpt = Annotated[Optional[str], typer.Option("--org", help="Organisation on the forge.")]


def guard(json_mode: bool, body: Callable[[Any], None]) -> None:
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


def load_settings(checkout: bool = True, **flags: Any):
    """Resolved settings; with a template_url, template_source becomes its checkout at template_ref."""
    from platform_cli import config

    resolved = config.load(flags=flags)
    s = resolved.settings
    if not (checkout and s.template_url):
        return resolved
    from platform_cli import source

    path = source.checkout(s.template_url, s.template_ref, s.home)
    return config.ResolvedSettings(config.with_overrides(s, template_source=path),
                                   {**resolved.sources, "template_source": f"{s.template_url}@{s.template_ref}"})


def prompter_for(yes: bool, json_mode: bool):
    """Prompt only on a terminal; without one plat never prompts (and lists what is missing)."""
    if yes or json_mode or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    from platform_cli.prompts import Prompter

    return Prompter()
