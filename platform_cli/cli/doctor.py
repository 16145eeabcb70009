"""`plat doctor`: the typer command and how its report looks to a human.

Exit codes: 0 no finding at or above --fail-on (and --fix done); 1 error (not a service repo,
dirty worktree for --fix, bad exemptions file); 2 usage error; 3 unexpected error;
4 findings at or above --fail-on severity (default high).
"""

from pathlib import Path
from typing import Annotated, Any

import typer

from platform_cli.cli.shared import ExitCode, ForgeOpt, GithubUrlOpt, JsonOpt, examples, guard, load_settings

EXAMPLES = examples(
    "plat doctor",
    "plat doctor --diff",
    "plat doctor --fix --dry-run",
    "plat doctor --json",
    "plat doctor --sarif > doctor.sarif",
    doc="docs/doctor.md",
)


def doctor(
    path: Annotated[Path, typer.Argument(help="The service repo (default: the current directory).")] = Path("."),
    diff: Annotated[bool, typer.Option("--diff", help="Show the diff of drifted platform-owned files.")] = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix", help="Restore drifted platform-owned files from the template baseline (shows the diff first)."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --fix: show what would be restored; change nothing.")
    ] = False,
    deep: Annotated[bool, typer.Option("--deep", help="Also run checkov, zizmor and promtool when installed.")] = False,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on", help="Exit 4 when a finding is at least this severe: info, low, medium, high, critical."
        ),
    ] = "high",
    sarif: Annotated[
        bool, typer.Option("--sarif", help="Print the report as SARIF 2.1.0 on stdout (for code scanning upload).")
    ] = False,
    json_: JsonOpt = False,
    forge: ForgeOpt = None,
    github_url: GithubUrlOpt = None,
) -> None:
    """Check a service against the golden path: template drift, version lag, policy findings — each with its fix.

    Exit codes: 0 clean (nothing at or above --fail-on); 1 error; 4 findings at or above --fail-on.
    """
    from platform_cli.checks.finding import SEVERITIES

    if fail_on not in SEVERITIES:
        raise typer.BadParameter(f"must be one of {', '.join(SEVERITIES)}", param_hint="--fail-on")

    def body(console) -> None:
        settings = load_settings(forge=forge, github_url=github_url).settings  # the forge: Actions settings
        if fix:
            _fix(console, path, settings, dry_run)
            return
        from platform_cli.commands import doctor as cmd

        report = cmd.doctor(path, settings, deep=deep, with_diff=diff)
        if sarif:
            from platform_cli.checks.registry import all_rules
            from platform_cli.cli import sarif as sarif_mod

            console.emit(sarif_mod.to_sarif(report, all_rules()), lambda c: None)
        else:
            console.emit(
                {**report.to_json(), "fail_on": fail_on, "failing": len(report.failing(fail_on))},
                lambda c: render(c, report, fail_on),
            )
        if report.failing(fail_on):
            raise typer.Exit(ExitCode.FINDINGS)

    guard(json_ or sarif, body)


def _fix(console, path: Path, settings: Any, dry_run: bool) -> None:
    from platform_cli.commands import doctor as cmd

    plan = cmd.fix_plan(path, settings)
    if not console.json_mode:
        console.print(plan.diff or "no drift: every platform-owned file matches the template baseline")
    restored = () if dry_run else cmd.apply_fix(plan)
    data = {
        "path": str(plan.root),
        "baseline": plan.baseline,
        "files": list(plan.paths),
        "restored": list(restored),
        "dry_run": dry_run,
        "diff": plan.diff,
    }

    def human(c) -> None:
        verb = "would restore" if dry_run else "restored"
        for p in plan.paths:
            c.print(f"{verb} {p} from {plan.baseline}", style="green")
        if restored:
            c.print("review with `git diff --cached`, then commit", style="bold")

    console.emit(data, human)


def render(console, report: Any, fail_on: str) -> None:
    from platform_cli.checks.finding import LEVELS

    latest = f"v{report.latest_version}" if report.latest_version else "unknown"
    lag = (
        "lag unknown"
        if not report.latest_version
        else f"{report.versions_behind} behind"
        if report.versions_behind
        else "up to date"
    )
    console.print(
        f"{report.service}: template {report.template} {report.version_in_use} (latest {latest}, {lag})", style="bold"
    )
    for note in report.notes:
        console.print(f"note: {note}", style="yellow")
    for s in report.skipped:
        unverified = " — not verified, so no level they belong to is awarded" if s.unverified else ""
        console.print(f"skipped {s.family} ({', '.join(s.rules)}): {s.reason}{unverified}", style="yellow")
    for level in LEVELS:
        rows = [
            (f.rule_id, f.severity, f"{f.file}:{f.line}", f.message, f.remediation)
            for f in report.findings
            if f.level == level
        ]
        if rows:
            console.table(f"{level} ({len(rows)})", ("id", "severity", "where", "finding", "fix"), rows)
    if report.exempted:
        console.table(
            "exempted",
            ("id", "where", "owner", "expires", "reason"),
            [(f.rule_id, f"{f.file}:{f.line}", e.owner, e.expires, e.reason) for f, e in report.exempted],
        )
    if report.diff:
        console.print(report.diff)
    failing = len(report.failing(fail_on))
    console.print(
        f"level {report.level} · score {report.score}/100 · {len(report.findings)} finding(s), "
        f"{failing} at or above {fail_on} · {len(report.exempted)} exempted · "
        f"{len(report.rules_run)} rules run",
        style="bold green" if not report.findings else "bold",
    )
