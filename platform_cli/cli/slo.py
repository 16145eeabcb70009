"""`plat slo ...`: generate rules from slo.yaml, report error budgets, gate deploys on them.

Exit codes: generate — 0 written or up to date, 6 with --check when the rules are stale;
budget — 0; gate — 0 deploy allowed, 5 blocked; every command — 1 on an error (message + hint).
"""

from pathlib import Path
from typing import Annotated

import typer

from platform_cli.cli.shared import ExitCode, JsonOpt, examples, guard

slo_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="SLOs: rules from slo.yaml, error budgets, the deploy gate."
)
PathArg = Annotated[Path, typer.Argument(help="The service repo (default: current directory).")]
PromOpt = Annotated[str, typer.Option("--prometheus", help="Prometheus base URL, e.g. http://127.0.0.1:9090.")]


@slo_app.command("generate", epilog=examples("plat slo generate", "plat slo generate --check", doc="docs/slo.md"))
def generate(
    path: PathArg = Path("."),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 6 when the generated rules are stale.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Write the Prometheus rules and their promtool tests generated from slo.yaml."""

    def body(console) -> None:
        from platform_cli.commands import slo

        result = slo.generate(path.resolve(), check=check)
        data = {"files": sorted(result.files), "stale": list(result.stale), "written": not check}
        verb = "stale" if check else "written"
        console.emit(
            data,
            lambda c: c.print(
                "\n".join(f"{verb}: {f}" for f in result.stale) if result.stale else "SLO rules are up to date"
            ),
        )
        if check and result.stale:
            raise typer.Exit(ExitCode.STALE)

    guard(json_, body)


@slo_app.command("budget", epilog=examples("plat slo budget --prometheus http://127.0.0.1:9090", doc="docs/slo.md"))
def budget(prometheus: PromOpt, path: PathArg = Path("."), json_: JsonOpt = False) -> None:
    """Remaining error budget per SLO over the period, burn rates now, time until exhaustion."""

    def body(console) -> None:
        from platform_cli.commands import slo
        from platform_cli.prometheus import Prometheus

        found = slo.budgets(path.resolve(), Prometheus(prometheus))
        console.emit(
            {"budgets": [b.to_json() for b in found]},
            lambda c: c.table(
                "error budgets",
                ("slo", "objective", "budget left", "burn 5m", "burn 1h", "exhausted in"),
                [_row(b) for b in found],
            ),
        )

    guard(json_, body)


@slo_app.command(
    "gate",
    epilog=examples(
        "plat slo gate --prometheus http://127.0.0.1:9090",
        "plat slo gate --prometheus URL --label hotfix",
        doc="docs/slo.md",
    ),
)
def gate(
    prometheus: PromOpt,
    path: PathArg = Path("."),
    label: Annotated[list[str] | None, typer.Option("--label", help="Labels of the change (e.g. hotfix).")] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option("--allow", help="Labels that may deploy on an exhausted budget (default: hotfix, security)."),
    ] = None,
    on_no_data: Annotated[str, typer.Option("--on-no-data", help="fail (closed) or pass (open).")] = "fail",
    on_unreachable: Annotated[str, typer.Option("--on-unreachable", help="fail (closed) or pass (open).")] = "fail",
    json_: JsonOpt = False,
) -> None:
    """Exit 5 when an SLO's error budget is spent, unless the change carries an allowed label."""

    def body(console) -> None:
        from platform_cli.commands import slo
        from platform_cli.prometheus import Prometheus

        result = slo.gate(
            path.resolve(),
            Prometheus(prometheus),
            tuple(label or ()),
            tuple(allow or ("hotfix", "security")),
            on_no_data,
            on_unreachable,
        )
        word = "allowed" if result.allowed else "BLOCKED"
        console.emit(result.to_json(), lambda c: c.print(f"deploy {word}: {result.reason}"))
        if not result.allowed:
            raise typer.Exit(ExitCode.BLOCKED)

    guard(json_, body)


def _row(b) -> tuple[str, ...]:
    def pct(v):
        return "no data" if v is None else f"{v:.1%}"

    def rate(v):
        return "no data" if v is None else f"{v:.2f}x"

    hours = "—" if b.hours_to_exhaustion is None else f"{b.hours_to_exhaustion:.1f} h"
    return (b.slo, f"{b.objective:g}%", pct(b.remaining), rate(b.burn_rate_5m), rate(b.burn_rate_1h), hours)
