"""`plat fleet status|upgrade|plan|campaign status`: every registered service at once.

The inventory is the GitOps repo (`gitops/inventory.py`); the work is in `platform_cli.fleet`.
Doctor and the upgrade engine are collaborators passed in (the CLI hands in `plat doctor`'s and
`plat upgrade`'s functions): a command never imports another command.

Exit codes: 0 done (rows and services may carry errors, each with its reason); 1 the GitOps repo
or a flag could not be used; the CLI exits 12 when a blocking upgrade run's --timeout passed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platform_cli import __version__, locks, templates
from platform_cli.config import Settings
from platform_cli.errors import PlatError, UsageError
from platform_cli.fleet import campaign as campaign_mod
from platform_cli.fleet import releases, rounds, shards
from platform_cli.fleet.campaign import Campaign, CampaignResult, Progress, Request, Upgrader, silent
from platform_cli.fleet.status import Doctor, DoraBands, Row, Scanner, SloBudgets, api_calls, summary
from platform_cli.forge.base import Forge
from platform_cli.gitops import inventory
from platform_cli.gitops.inventory import RegisteredService
from platform_cli.journal import Journal
from platform_cli.upgrade import versions

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Selection:
    team: str | None = None
    template: str | None = None
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class Collaborators:
    """What fleet commands call besides the forge: doctor, and the optional SLO and DORA readers."""

    doctor: Doctor
    slo: SloBudgets | None = None
    dora: DoraBands | None = None  # `plat dora`'s bands per service: None until it is wired
    now: Clock = utc_now
    jobs: int = field(default_factory=lambda: 2 * (os.cpu_count() or 1))  # doctor waits on helm and git


@dataclass(frozen=True)
class FleetStatus:
    org: str
    gitops_repo: str
    generated_at: datetime
    selection: Selection
    rows: tuple[Row, ...]
    seconds: float
    api_calls: dict[str, int]
    latest: dict[str, releases.Releases]  # per template of the rows

    def to_json(self) -> dict[str, Any]:
        return {
            "org": self.org,
            "gitops_repo": self.gitops_repo,
            "generated_at": self.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "filters": {"team": self.selection.team, "template": self.selection.template},
            "latest": {name: _latest_json(r) for name, r in sorted(self.latest.items())},
            "services": [r.to_json() for r in self.rows],
            "summary": summary(self.rows),
            "scan": {
                "doctor_runs": sum(1 for r in self.rows if r.doctor and not r.cached),
                "doctor_cached": sum(1 for r in self.rows if r.doctor and r.cached),
                "seconds": round(self.seconds, 3),
            },
            "api_calls": dict(self.api_calls),
        }


def status(settings: Settings, forge: Forge, collab: Collaborators, selection: Selection | None = None) -> FleetStatus:
    selection = selection or Selection()
    started, before = time.monotonic(), api_calls(forge)
    scan = scanner(settings, forge, collab)
    rows = scan.scan(select(registered(settings, forge), selection))
    if selection.template:
        rows = tuple(r for r in rows if r.template == selection.template)
    after = {k: n + scan.worker_calls.get(k, 0) for k, n in api_calls(forge).items()}  # forked workers' too
    return FleetStatus(
        org=settings.org,
        gitops_repo=f"{settings.org}/{settings.gitops_repo}",
        generated_at=collab.now(),
        selection=selection,
        rows=rows,
        seconds=time.monotonic() - started,
        api_calls={k: after[k] - before[k] for k in after},
        latest={t: scan.releases(t) for t in {r.template for r in rows if r.template}},
    )


@dataclass(frozen=True)
class UpgradeRequest:
    to: str
    selection: Selection = Selection()
    canary: tuple[str, ...] = ()
    wave_size: int = 10
    max_open: int | None = None
    wait: bool = True  # hold each wave at its gate (False: --no-wait, every wave at once)
    once: bool = False  # at a gate, stop and say so instead of waiting (--once)
    poll: float = rounds.POLL_SECONDS  # a waiting run looks again every `poll` seconds
    timeout: float | None = None  # and gives up after this many (None: waits until through)
    shard: str | None = None  # "i/N": only this shard's services (one matrix job)


@dataclass(frozen=True)
class Waiting:
    """What a blocking run waits with: the sleep and the clock (tests hand in ones that never wait),
    a progress line writer, and a way to open the forge again for each look (a forge's memory of
    pull requests and branches holds for one look; None: the same forge)."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    progress: Progress = silent
    reconnect: Callable[[], Forge] | None = None


def upgrade(
    req: UpgradeRequest,
    settings: Settings,
    forge: Forge,
    collab: Collaborators,
    upgrader: Upgrader,
    waiting: Waiting | None = None,
) -> CampaignResult:
    """One campaign run. With `wait` (and not `once`) it blocks at each gate, looking again every
    `poll` seconds, until every wave went out or `timeout` passed (the result says `timed_out`)."""
    _check(req)
    waiting = waiting or Waiting()
    services = select(registered(settings, forge), req.selection)
    if req.shard:
        keep = set(shards.take([s.service for s in services], shards.parse(req.shard)))
        services = tuple(s for s in services if s.service in keep)
    path = journal_path(settings, req.to, req.shard)
    with locks.hold(campaign_lock(settings, path), f"the fleet campaign {path.stem}", wait=False):
        journal = Journal.open(path, {"to": req.to, "shard": req.shard})
        plan = campaign_mod.waves([s.service for s in services], req.canary, req.wave_size)
        journal.key = {"to": req.to, "shard": req.shard, "waves": [list(w) for w in plan]}

        def campaign_on(on: Forge) -> Campaign:
            return _campaign(settings, on, collab, journal, upgrader, waiting.progress)

        return _run(req, services, forge, waiting, campaign_on)


def _run(
    req: UpgradeRequest,
    services: tuple[RegisteredService, ...],
    forge: Forge,
    waiting: Waiting,
    campaign_on: Callable[[Forge], Campaign],
) -> CampaignResult:
    """One run as far as the gates allow (`--once`, `--no-wait`), or rounds of it until through."""
    request = Request(req.to, req.canary, req.wave_size, req.max_open, req.wait)
    if not req.wait or req.once:
        return campaign_on(forge).run(request, services)
    forges = iter([forge])  # the first look uses the forge handed in, later ones a new one each

    def campaign() -> Campaign:
        return campaign_on(next(forges, None) or (waiting.reconnect or (lambda: forge))())

    pause = rounds.Pause(req.poll, req.timeout, waiting.sleep, waiting.clock, waiting.progress)
    return rounds.until_through(campaign, request, services, pause)


def campaign_lock(settings: Settings, journal: Path) -> Path:
    """Held while a campaign runs (a waiting run holds it for as long as it waits): a second run of the
    same campaign (and shard) on this machine exits 1 naming the first."""
    return locks.lock_path(settings.home, f"fleet-{settings.forge}-{settings.org}-{journal.stem}")


def _check(req: UpgradeRequest) -> None:
    versions.key(req.to)
    if req.wave_size < 1 or (req.max_open is not None and req.max_open < 1):
        raise UsageError("--wave-size and --max-open must be at least 1", hint="e.g. --wave-size 10 --max-open 50")
    if req.once and not req.wait:
        raise UsageError("--once stops at a wave's gate, --no-wait has none", hint="choose one of them")
    if req.poll <= 0 or (req.timeout is not None and req.timeout < 0):
        raise UsageError("--poll must be above 0 and --timeout at least 0", hint="e.g. --poll 300 --timeout 2d")


def campaign_status(settings: Settings, forge: Forge, collab: Collaborators, to: str | None = None) -> CampaignResult:
    """Where a campaign stands (the newest one, or the one to `to`): pull requests re-read from the forge.
    While a run holds the campaign (one waiting at a gate), its journal is shown as that run keeps it:
    written by one process only, never overwritten with what this one read earlier."""
    path = journal_path(settings, to, None) if to else _newest_journal(settings)
    if not path.is_file():
        raise UsageError("no fleet campaign has run here", hint="start one: plat fleet upgrade --to VERSION")
    journal = Journal.open(path, {})
    plan = tuple(tuple(w) for w in journal.key.get("waves", []))
    run = _campaign(settings, forge, collab, journal, _no_upgrade)
    try:
        with locks.hold(campaign_lock(settings, path), f"the fleet campaign {path.stem}", wait=False):
            by_name = {s.service: s for s in registered(settings, forge)}
            for name in (n for wave in plan for n in wave if n in by_name):
                run.refresh(name, by_name[name])
    except locks.LockBusy:
        pass  # the running campaign keeps its journal current
    return run.result(str(journal.key.get("to")), plan, None)


@dataclass(frozen=True)
class ShardPlan:
    to: str | None
    shards: tuple[tuple[shards.Shard, tuple[str, ...]], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "services": sum(len(s) for _, s in self.shards),
            "matrix": {
                "include": [
                    {"shard": s.label, "services": ",".join(names), "count": len(names)} for s, names in self.shards
                ]
            },
        }


def plan(settings: Settings, forge: Forge, count: int, selection: Selection | None = None, to: str | None = None):
    """The campaign's services dealt into `count` shards: a GitHub Actions matrix (`matrix.include`)."""
    services = select(registered(settings, forge), selection or Selection())
    return ShardPlan(to, shards.split([s.service for s in services], count))


def registered(settings: Settings, forge: Forge) -> tuple[RegisteredService, ...]:
    org, repo = settings.org, settings.gitops_repo
    inventory.require(forge, org, repo, "no fleet to show")
    return inventory.read(forge, org, repo, cache_root(settings))


def select(services: tuple[RegisteredService, ...], selection: Selection) -> tuple[RegisteredService, ...]:
    unknown = sorted(set(selection.services) - {s.service for s in services})
    if unknown:
        raise UsageError(
            f"not registered in the GitOps repo: {', '.join(unknown)}", hint="plat fleet status lists the fleet"
        )
    return tuple(
        s
        for s in services
        if (not selection.team or s.owner == selection.team)
        and (not selection.services or s.service in selection.services)
    )


def scanner(settings: Settings, forge: Forge, collab: Collaborators) -> Scanner:
    store = settings.home / "templates"
    known: dict[str, releases.Releases] = {}

    def releases_of(name: str) -> releases.Releases:
        if name not in known:
            known[name] = releases.load(settings.template_source, store, name)
        return known[name]

    return Scanner(
        forge=forge,
        cache_root=cache_root(settings),
        releases=releases_of,
        doctor=collab.doctor,
        platform_key=f"plat {__version__}; templates {_template_version(settings)} at {settings.template_source}",
        now=collab.now,
        slo=collab.slo,
        dora=collab.dora,
        jobs=collab.jobs,
    )


def cache_root(settings: Settings) -> Path:
    return settings.home / "cache" / "fleet" / settings.forge / settings.org


def journal_path(settings: Settings, to: str | None, shard: str | None) -> Path:
    suffix = f".shard-{shard.replace('/', '-of-')}" if shard else ""
    return settings.home / "fleet" / settings.forge / settings.org / f"upgrade-{to}{suffix}.json"


def _campaign(
    settings: Settings,
    forge: Forge,
    collab: Collaborators,
    journal: Journal,
    upgrader: Upgrader,
    progress: Progress = silent,
) -> Campaign:
    scan = scanner(settings, forge, collab)
    return Campaign(forge, journal, upgrader, scan.row, settings.home / "cache" / "fleet-work", progress)


def _newest_journal(settings: Settings) -> Path:
    folder = settings.home / "fleet" / settings.forge / settings.org
    found = sorted(folder.glob("upgrade-*.json"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    return found[-1] if found else folder / "none.json"


def _no_upgrade(path: Path, to: str, on: Forge):
    raise PlatError("campaign status never upgrades")


def _latest_json(r: releases.Releases) -> dict[str, Any]:
    released = r.dates.get(r.latest) if r.latest else None
    return {"version": r.latest, "released_at": released.strftime("%Y-%m-%dT%H:%M:%SZ") if released else None}


def _template_version(settings: Settings) -> str:
    try:
        return templates.version(settings.template_source)
    except PlatError:
        return "unknown"
