"""`plat fleet status|upgrade|plan` and `plat fleet campaign status`: the typer commands and their
human views. Here doctor and the upgrade engine are handed to the fleet commands as collaborators.

Exit codes: 0 done (a row or a service may carry an error, shown with its reason); 1 the GitOps repo
or a flag could not be used; 2 usage error; 3 unexpected error; 12 `fleet upgrade --timeout` passed
while a wave's gate still held the campaign.
"""

from dataclasses import replace
from typing import Annotated, Any

import typer

from platform_cli.cli.shared import ForgeOpt, GithubUrlOpt, JsonOpt, OrgOpt, connect, examples, guard

fleet_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Every registered service at once: status and upgrade waves."
)
campaign_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Fleet upgrade campaigns.")
fleet_app.add_typer(campaign_app, name="campaign")

TeamOpt = Annotated[str | None, typer.Option("--team", help="Only the services this team owns.")]
TemplateOpt = Annotated[str | None, typer.Option("--template", help="Only the services of this template.")]
ServicesOpt = Annotated[str | None, typer.Option("--services", help="Only these services (comma-separated).")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", min=1, help="Services checked in parallel (default: 2 x CPUs).")]
PrometheusOpt = Annotated[
    str | None,
    typer.Option("--prometheus-url", envvar="PLAT_PROMETHEUS_URL", help="Prometheus to read SLO budgets from."),
]


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(s.strip() for s in (text or "").split(",") if s.strip())


def context(
    where: tuple[str | None, str | None, str | None], jobs: int | None = None, prometheus_url: str | None = None
):
    """Settings, the forge, and the collaborators: `plat doctor`, the DORA bands of `plat dora` and
    (with a URL) the SLO budgets. `plat dashboard build` computes its fleet document with them too."""
    from platform_cli.checks.tools import Tools
    from platform_cli.commands import doctor as doctor_cmd
    from platform_cli.commands import fleet as cmd
    from platform_cli.fleet.status import DoctorSummary
    from platform_cli.gitops import records

    settings, the_forge = connect(*where)
    tools = Tools.discover()
    gitops = records.Shared()  # the GitOps repo read once a scan (and worker), not once a service

    def doctor(path):
        report = doctor_cmd.doctor(path, settings, tools=tools, forge=lambda: the_forge, gitops_reader=gitops)
        return DoctorSummary.of(report)

    slo = _slo_reader(prometheus_url) if prometheus_url else None
    collab = cmd.Collaborators(doctor=doctor, slo=slo, dora=_dora_bands(settings, the_forge))
    return settings, the_forge, replace(collab, jobs=jobs) if jobs else collab


def _dora_bands(settings, the_forge):
    """The DORA bands of every service deployed to production in `plat dora`'s default window (a
    service with no deploy there has none); a GitOps history that cannot be read gives none (the
    rows show no bands, the scan goes on)."""
    from platform_cli.commands import dora as dora_cmd
    from platform_cli.dora.summary import Selection
    from platform_cli.errors import PlatError

    def bands() -> dict:
        try:
            services = dora_cmd.dora(settings, the_forge, Selection("production", None, None))["services"]
        except PlatError:
            return {}
        return {name: metrics["bands"] for name, metrics in services.items() if metrics["deployments"]}

    return bands


def _slo_reader(url: str):
    from platform_cli.fleet.slo import budgets_reader
    from platform_cli.prometheus import Prometheus

    return budgets_reader(Prometheus(url))


def status(
    team: TeamOpt = None,
    template: TemplateOpt = None,
    jobs: JobsOpt = None,
    prometheus_url: PrometheusOpt = None,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """One row per registered service: template version and lag, doctor level, open upgrade PR, SLO budget.

    Exit codes: 0 the scan finished (rows may carry an error); 1 the GitOps repo could not be read.
    """

    def body(console) -> None:
        from platform_cli.commands import fleet as cmd

        settings, the_forge, collab = context((forge, org, github_url), jobs, prometheus_url)
        result = cmd.status(settings, the_forge, collab, cmd.Selection(team=team, template=template))
        console.emit(result.to_json(), lambda c: _render_status(c, result.to_json()))

    guard(json_, body)


def upgrade(
    to: Annotated[str, typer.Option("--to", help="The template version to roll out.")],
    team: TeamOpt = None,
    services: ServicesOpt = None,
    canary: Annotated[str | None, typer.Option("--canary", help="The first wave (comma-separated).")] = None,
    wave_size: Annotated[int, typer.Option("--wave-size", help="Services per wave after the canaries.")] = 10,
    max_open: Annotated[
        int | None, typer.Option("--max-open", help="At most this many upgrade PRs open at a time.")
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait", help="Hold each wave until the previous one merged clean (--no-wait: all at once)."
        ),
    ] = True,
    once: Annotated[
        bool, typer.Option("--once", help="At a wave's gate, stop and say what it waits for instead of waiting.")
    ] = False,
    poll: Annotated[
        str, typer.Option("--poll", metavar="SECONDS", help="While waiting, look again this often (300, 5m).")
    ] = "300",
    timeout: Annotated[
        str | None,
        typer.Option("--timeout", metavar="SECONDS", help="Give up waiting after this long (2h, 3d); exit 12."),
    ] = None,
    shard: Annotated[str | None, typer.Option("--shard", help="Only shard I/N of the services (a matrix job).")] = None,
    jobs: JobsOpt = None,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Open (or update) each service's upgrade pull request, wave by wave, waiting at each wave's gate.

    Exit codes: 0 every wave went out, or (--once) the run stopped at a wave's gate (services may
    have failed, each with its reason); 1 bad flags or no GitOps repo; 12 --timeout passed while
    waiting. A stopped run resumes: run it again.
    """

    def body(console) -> None:
        from platform_cli import forge as forges
        from platform_cli.commands import fleet as cmd
        from platform_cli.commands import upgrade as upgrade_cmd
        from platform_cli.fleet.rounds import seconds

        every, limit = seconds("--poll", poll), seconds("--timeout", timeout) if timeout else None
        settings, the_forge, collab = context((forge, org, github_url), jobs)

        def upgrader(path, version, on):
            req = upgrade_cmd.UpgradeRequest(path=path, to=version, yes=True)
            return upgrade_cmd.upgrade(req, settings, on)

        req = cmd.UpgradeRequest(
            to=to,
            selection=cmd.Selection(team=team, services=_split(services)),
            canary=_split(canary),
            wave_size=wave_size,
            max_open=max_open,
            wait=wait,
            once=once,
            poll=every,
            timeout=limit,
            shard=shard,
        )
        waiting = cmd.Waiting(progress=console.step, reconnect=lambda: forges.create(settings))
        result = cmd.upgrade(req, settings, the_forge, collab, upgrader, waiting)
        console.emit(result.to_json(), lambda c: _render_campaign(c, result.to_json()))
        if result.timed_out:
            from platform_cli.cli.shared import ExitCode

            raise typer.Exit(ExitCode.WAITING)

    guard(json_, body)


def plan(
    shards: Annotated[int, typer.Option("--shards", help="How many matrix jobs to split the fleet into.")],
    to: Annotated[str | None, typer.Option("--to", help="The template version (recorded in the plan).")] = None,
    team: TeamOpt = None,
    services: ServicesOpt = None,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Split the fleet into N shards: a GitHub Actions matrix (`matrix.include`), each service once.

    Exit codes: 0 planned; 1 bad flags or no GitOps repo.
    """

    def body(console) -> None:
        from platform_cli.commands import fleet as cmd

        settings, the_forge = connect(forge, org, github_url)
        selection = cmd.Selection(team=team, services=_split(services))
        result = cmd.plan(settings, the_forge, shards, selection, to)
        data = result.to_json()

        def human(c) -> None:
            rows = [(m["shard"], m["count"], m["services"]) for m in data["matrix"]["include"]]
            c.table(f"{data['services']} services in {shards} shards", ("shard", "services", "names"), rows)

        console.emit(data, human)

    guard(json_, body)


def campaign_status(
    to: Annotated[str | None, typer.Option("--to", help="The campaign's version (default: the newest).")] = None,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    org: OrgOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Each service's state in a campaign: pending, pr-open, conflicts, merged, current, failed (why).

    Exit codes: 0 shown; 1 no campaign has run here.
    """

    def body(console) -> None:
        from platform_cli.commands import fleet as cmd

        settings, the_forge, collab = context((forge, org, github_url))
        result = cmd.campaign_status(settings, the_forge, collab, to)
        console.emit(result.to_json(), lambda c: _render_campaign(c, result.to_json()))

    guard(json_, body)


def _render_status(console, data: dict[str, Any]) -> None:
    rows = []
    for s in data["services"]:
        doc, pr, lag = s["doctor"], s["upgrade_pr"], s["lag"]
        rows.append(
            (
                s["service"],
                s["owner"],
                f"{s['template'] or '?'} {s['version'] or '?'}",
                "?"
                if lag["versions"] is None
                else f"{lag['versions']} ({lag['days'] if lag['days'] is not None else '?'}d)",
                f"{doc['level']} ({doc['high_findings']} high)" if doc else "-",
                "-" if not pr else f"#{pr['number']}{' conflicts' if pr['conflicts'] else ''}",
                "-" if not s["slo"] else _percent(s["slo"]["budget_remaining"]),
                s["error"] or "",
            )
        )
    console.table(
        f"fleet of {data['org']}",
        ("service", "team", "template", "behind", "doctor", "upgrade PR", "budget", "error"),
        rows,
    )
    summary = data["summary"]
    scan = data["scan"]
    console.print(
        f"{summary['services']} services · {summary['behind']} behind · {summary['open_upgrade_prs']} upgrade PRs "
        f"open · {summary['errors']} errors · doctor ran {scan['doctor_runs']}, cached {scan['doctor_cached']}",
        style="bold",
    )
    for title, key in (("per version", "by_version"), ("per level", "by_level"), ("per team", "by_team")):
        console.print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in summary[key].items()))


def _lag(lag: dict[str, Any]) -> str:
    if lag["versions"] is None:
        return "?"
    days = "?" if lag["days"] is None else lag["days"]
    return f"{lag['versions']} ({days}d)"


def _percent(value: float | None) -> str:
    return "no data" if value is None else f"{value:.0%}"


def _render_campaign(console, data: dict[str, Any]) -> None:
    rows = [
        (s["service"], s["wave"], s["state"], f"#{s['pull_request']}" if s["pull_request"] else "-", s["reason"] or "")
        for s in data["services"]
    ]
    console.table(f"upgrade to {data['to']}", ("service", "wave", "state", "PR", "reason"), rows)
    counts = ", ".join(f"{k} {v}" for k, v in data["counts"].items())
    waiting = f" · {'gave up waiting: ' if data.get('timed_out') else ''}{data['waiting']}" if data["waiting"] else ""
    console.print(f"{counts or 'no services'}{waiting}", style="bold")


fleet_app.command("status")(status)
fleet_app.command("upgrade")(upgrade)
fleet_app.command("plan")(plan)
campaign_app.command("status")(campaign_status)
EXAMPLES = examples(
    "plat fleet status --team payments",
    "plat fleet upgrade --to 0.3.0 --canary payments-api --wave-size 10 --poll 10m --timeout 3d",
    "plat fleet upgrade --to 0.3.0 --once",
    "plat fleet plan --shards 8 --json",
    doc="docs/fleet.md",
)
