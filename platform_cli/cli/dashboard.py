"""`plat dashboard build|serve`: the platform health site, and a local look at it.

Exit codes: 0 built (or served until Ctrl-C); 1 bad input (a document that is missing or not what
`--json` prints, an --out that is not a site plat built, a port in use); 2 usage error.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from platform_cli.cli.shared import ForgeOpt, GithubUrlOpt, JsonOpt, OrgOpt, examples, guard

dashboard_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="The platform health dashboard: a static site."
)
OutOpt = Annotated[Path, typer.Option("--out", help="Where the site goes (replaced when plat built it).")]


def live_producers(where: tuple[str | None, str | None, str | None]):
    """The documents computed here, as `plat dora --json`, `plat fleet status --json` and `plat fleet
    campaign status --json` would print them, with these settings (--forge, --org, --github-url)."""
    from platform_cli.cli.fleet import context
    from platform_cli.commands import dashboard
    from platform_cli.commands import dora as dora_cmd
    from platform_cli.commands import fleet as fleet_cmd
    from platform_cli.dora.summary import Selection
    from platform_cli.errors import UsageError

    settings, the_forge, collab = context(where)

    def campaigns() -> list[dict]:
        try:
            return [fleet_cmd.campaign_status(settings, the_forge, collab).to_json()]
        except UsageError:  # no campaign has run here
            return []

    return dashboard.Producers(
        dora=lambda since: dora_cmd.dora(settings, the_forge, Selection("production", None, None), since),
        fleet=lambda: fleet_cmd.status(settings, the_forge, collab).to_json(),
        campaigns=campaigns,
    )


@dashboard_app.command(
    "build",
    epilog=examples(
        "plat dashboard build --out site",
        "plat dashboard build --dora dora.json --fleet fleet.json --out site",
        doc="docs/dashboard.md",
    ),
)
def build(
    out: OutOpt = Path("site"),
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="First day of the DORA window (YYYY-MM-DD) when plat computes the metrics; default: plat dora's.",
        ),
    ] = None,
    dora: Annotated[
        Path | None, typer.Option("--dora", help="A saved `plat dora --json` document (with --fleet).")
    ] = None,
    fleet: Annotated[
        Path | None, typer.Option("--fleet", help="A saved `plat fleet status --json` document (with --dora).")
    ] = None,
    campaign: Annotated[
        list[Path] | None,
        typer.Option("--campaign", help="A saved `plat fleet campaign status --json` document (repeatable)."),
    ] = None,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Build the static site: org page, a page per team and per service, charts with their data tables."""
    if since is not None:
        _check_date(since)
    if (dora is None) != (fleet is None):
        raise typer.BadParameter("give both --dora and --fleet, or neither", param_hint="--dora/--fleet")

    def body(console) -> None:
        from platform_cli.commands import dashboard

        if dora and fleet:
            producers = dashboard.from_files(dora, fleet, tuple(campaign or ()))
        else:
            producers = live_producers((forge, org, github_url))
        built = dashboard.build(out.resolve(), producers, since)
        console.emit(
            built.to_json(),
            lambda c: c.print(
                f"built {built.pages} pages ({built.teams} teams, {built.services} services) in {built.out}; "
                f"open {built.out / 'index.html'} or run plat dashboard serve --dir {out}"
            ),
        )

    guard(json_, body)


@dashboard_app.command(
    "serve",
    epilog=examples("plat dashboard serve", "plat dashboard serve --dir site --port 8080", doc="docs/dashboard.md"),
)
def serve(
    directory: Annotated[Path, typer.Option("--dir", help="The built site.")] = Path("site"),
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free port).")] = 8000,
) -> None:
    """Serve a built site on http://127.0.0.1:PORT/ (the standard library's server) until Ctrl-C."""

    def body(console) -> None:
        from platform_cli.commands import dashboard

        httpd, url = dashboard.serve(directory.resolve(), port)
        console.print(f"serving {directory} on {url} (Ctrl-C stops)")
        sys.stdout.flush()  # the address, before the server blocks (a pipe buffers it otherwise)
        with httpd:
            try:
                httpd.serve_forever()
            except KeyboardInterrupt:
                console.print("stopped")

    guard(False, body)


def _check_date(value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--since") from None
