"""`plat deploy`, `plat promote`, `plat rollback`, `plat incident open|resolve`: deliveries recorded in the
GitOps repo (docs/delivery.md). Exit codes: 0 recorded (or nothing to change); 1 an error (message + hint)."""

from typing import Annotated

import typer

from platform_cli.cli.shared import ForgeOpt, GithubUrlOpt, JsonOpt, OrgOpt, connect, examples, guard

DOC = "docs/delivery.md"
incident_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Incidents, for the DORA metrics.")
ServiceArg = Annotated[str, typer.Argument(help="The service (its name in the GitOps repo).")]
EnvOpt = Annotated[str, typer.Option("--env", help="The environment, e.g. staging or production.")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="Backfill: record a past event at this date or ISO timestamp, on main.")
]
IncidentAtOpt = Annotated[
    str | None,
    typer.Option("--at", help="Backfill: a past event at this date or timestamp (GitOps records; GitHub refuses it)."),
]
DirectOpt = Annotated[
    bool, typer.Option("--direct", help="Land on main without a pull request (the pipeline has its own approval).")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Say what would change; change nothing.")]

DEPLOY_EXAMPLES = examples(
    "plat deploy payments-api --env staging --digest sha256:9b1e… --source 3f2a…",
    "plat deploy payments-api --env production --digest sha256:9b1e… --source 3f2a… --kind hotfix",
    doc=DOC,
)
PROMOTE_EXAMPLES = examples("plat promote payments-api --from staging --to production", doc=DOC)
ROLLBACK_EXAMPLES = examples(
    "plat rollback payments-api --env production", "plat rollback payments-api --env production --to sha256:…", doc=DOC
)


def deploy(
    service: ServiceArg,
    env: EnvOpt,
    digest: Annotated[str, typer.Option("--digest", help="The image digest, sha256:<64 hex>.")],
    source: Annotated[str, typer.Option("--source", help="The service commit the image was built from (40 hex).")],
    kind: Annotated[str, typer.Option("--kind", help="normal or hotfix.")] = "normal",
    direct: DirectOpt = False,
    at: AtOpt = None,
    dry_run: DryRunOpt = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Pin SERVICE's Application for ENV to an image digest and service commit (one GitOps commit)."""

    from platform_cli.commands import deploy as cmd

    _record(
        json_,
        (forge, org, github_url),
        lambda s, f: cmd.deploy(s, f, service, env, digest, source, kind, direct, at, dry_run),
    )


def promote(
    service: ServiceArg,
    from_: Annotated[str, typer.Option("--from", help="The environment whose digest and source to promote.")],
    to: Annotated[str, typer.Option("--to", help="The environment to deploy them to.")],
    digest: Annotated[
        str | None, typer.Option("--digest", help="Promote only if --from runs this digest (the build you made).")
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="normal or hotfix.")] = "normal",
    direct: DirectOpt = False,
    at: AtOpt = None,
    dry_run: DryRunOpt = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Deploy to --to exactly the digest and source running in --from (build once, promote the same)."""

    from platform_cli.commands import deploy as cmd

    _record(
        json_,
        (forge, org, github_url),
        lambda s, f: cmd.promote(s, f, service, from_, to, direct, at, dry_run, kind, digest),
    )


def rollback(
    service: ServiceArg,
    env: EnvOpt,
    to: Annotated[str | None, typer.Option("--to", help="Roll back to the last deploy of this digest.")] = None,
    at: AtOpt = None,
    dry_run: DryRunOpt = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Back to the previous good deploy, directly on main (no review wait), naming the deploy it undoes."""

    from platform_cli.commands import deploy_rollback as cmd

    _record(json_, (forge, org, github_url), lambda s, f: cmd.rollback(s, f, service, env, to, at, dry_run))


@incident_app.command(
    "open", epilog=examples('plat incident open payments-api --title "5xx on checkout" --cause 77c0e2a', doc=DOC)
)
def incident_open(
    service: ServiceArg,
    title: Annotated[str, typer.Option("--title", help="What is wrong.")],
    cause: Annotated[
        str | None, typer.Option("--cause", help="The deploy that caused it (the id plat deploy printed).")
    ] = None,
    at: IncidentAtOpt = None,
    dry_run: DryRunOpt = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Open an incident of SERVICE (an issue of its repo on GitHub, else in the GitOps repo); prints its id."""

    from platform_cli.commands import incident as cmd

    def view(c, result) -> None:
        where = f": {result.url}" if result.url else ""
        if not result.changed:
            c.print(f"incident {result.id} is already open" + _cause(result.cause) + where)
        elif result.dry_run:
            what = result.id or f"of {result.service} (an issue of its repo)"
            c.print(f"would open incident {what}" + _cause(result.cause))
        else:
            c.print(f"incident {result.id} opened" + _cause(result.cause) + where)

    _record(
        json_, (forge, org, github_url), lambda s, f: cmd.open_incident(s, f, service, title, cause, at, dry_run), view
    )


@incident_app.command("resolve", epilog=examples("plat incident resolve 'payments-api#3'", doc=DOC))
def incident_resolve(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The incident id, SERVICE#N (N: the issue on GitHub).")],
    at: IncidentAtOpt = None,
    dry_run: DryRunOpt = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Resolve an incident."""

    from platform_cli.commands import incident as cmd

    def view(c, result) -> None:
        done = "would be resolved" if result.dry_run else "resolved"
        c.print(f"incident {result.id} " + (done if result.changed else "was already resolved"))

    _record(json_, (forge, org, github_url), lambda s, f: cmd.resolve_incident(s, f, ident, at, dry_run), view)


def _record(json_: bool, where: tuple[str | None, str | None, str | None], act, view=None) -> None:
    """Run a recording command with this plat's settings and forge; print its result (or its JSON)."""

    def body(console) -> None:

        settings, the_forge = connect(*where, checkout=False)
        result = act(settings, the_forge)
        console.emit(result.to_json(), lambda c: (view or _deployed)(c, result))

    guard(json_, body)


def _cause(cause: str | None) -> str:
    return f" (cause: deploy {cause[:12]})" if cause else ""


def _deployed(console, result) -> None:
    r = result.request
    what = f"{r.service} {r.environment} -> {r.digest} ({r.source[:12]})"
    if r.dry_run:
        console.print(f"would deploy {what}" if result.changed else f"{what} already runs: nothing to do")
    elif result.pull_request is not None:
        pr = result.pull_request
        console.print(f"deploy proposed: {what}\npull request #{pr.id} ({pr.url}): merging it deploys")
    elif not result.changed:
        console.print(f"{what} already runs: nothing to do" + (f" (deploy {result.id[:12]})" if result.id else ""))
    else:
        verb = "rolled back" if r.kind == "rollback" else "deployed"
        undoes = f", undoes {r.undoes[:12]}" if r.undoes else ""
        console.print(f"{verb} {what}: deploy {result.id[:12]}{undoes}")
