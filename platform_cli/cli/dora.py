"""`plat dora`: the five DORA metrics per service, team and org; `plat dora report --month YYYY-MM`: the
monthly review in Markdown. Exit codes: 0 measured; 1 an error (message + hint)."""

from typing import Annotated

import typer

from platform_cli.cli.shared import ForgeOpt, GithubUrlOpt, JsonOpt, OrgOpt, connect, examples, guard

DOC = "docs/delivery.md"
dora_app = typer.Typer(
    rich_markup_mode=None,
    invoke_without_command=True,
    help="DORA metrics from the GitOps history: frequency, lead time, change fail rate, recovery, rework.",
    epilog=examples(
        "plat dora",
        "plat dora --team payments --since 2026-11-01 --until 2026-12-01",
        "plat dora --service payments-api --json",
        "plat dora report --month 2026-11",
        doc=DOC,
    ),
)
EnvOpt = Annotated[str, typer.Option("--env", help="The environment whose deploys count.")]


@dora_app.callback()
def dora(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team's services (the owner).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Window start: a date or ISO timestamp.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Window end (exclusive); default now.")] = None,
    env: EnvOpt = "production",
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """The five DORA metrics per service, per team and for the org, over deploys that landed in the window."""
    if ctx.invoked_subcommand:
        return

    def body(console) -> None:
        from platform_cli.commands import dora as cmd
        from platform_cli.dora.summary import Selection

        settings, the_forge = connect(forge, org, github_url, checkout=False)
        selection = Selection(env, service, team)
        result = cmd.dora(settings, the_forge, selection, since, until)
        console.emit(result, lambda c: _view(c, result))

    guard(json_, body)


@dora_app.command("report", epilog=examples("plat dora report --month 2026-11 > review-2026-11.md", doc=DOC))
def report(
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM.")],
    env: EnvOpt = "production",
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """The monthly review in Markdown: per team the five metrics, bands, change from last month, slowest stage."""

    def body(console) -> None:
        from platform_cli.commands import dora as cmd

        settings, the_forge = connect(forge, org, github_url, checkout=False)
        console.print(cmd.report(settings, the_forge, month, env).rstrip("\n"))

    guard(False, body)


def _view(console, result: dict) -> None:
    window = result["window"]
    rows = [("org", m) for m in [result["org"]]]
    rows += [(f"team {t}", m) for t, m in result["teams"].items()]
    rows += [(s, m) for s, m in result["services"].items()]
    console.table(
        f"DORA, {result['environment']} deploys {window['since']} – {window['until']}",
        ("", "deploys/week", "lead time p50", "change fail", "recovery p50", "rework"),
        [(name, *_cells(m)) for name, m in rows],
    )
    for unknown in result["unknown_sources"]:
        console.print(
            f"note: {unknown['service']} deploy {unknown['deploy'][:12]} pins {unknown['source'][:12]}, "
            "no longer in the service repo (force-pushed?): its lead time is unknown"
        )


def _cells(m: dict) -> tuple[str, ...]:
    b = m["bands"]

    def band(key: str) -> str:
        return f" ({b[key]})" if b[key] else ""

    def pct(v):
        return "—" if v is None else f"{v:.0%}"

    def dur(v):
        if v is None:
            return "—"
        return f"{v / 86400:.1f} d" if v >= 86400 else f"{v / 3600:.1f} h" if v >= 3600 else f"{v / 60:.0f} min"

    return (
        f"{m['deploys_per_week']:.1f}{band('deployment_frequency')}",
        dur(m["lead_time_seconds"]["median"]) + band("lead_time"),
        pct(m["change_fail_rate"]) + band("change_fail_rate"),
        dur(m["recovery_seconds"]["median"]) + band("recovery_time"),
        pct(m["rework_rate"]),
    )
