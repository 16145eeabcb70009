"""`plat fleet upgrade`: a template upgrade rolled out wave by wave, with a journal to resume from.

Canaries form the first wave, then waves of `wave_size` in name order. A wave's services get
their upgrade pull request (opened or updated by the upgrade engine); the next wave starts only
when every earlier pull request is merged and those services show no new doctor finding at or
above high (unless `wait` is off). One `run` goes as far as the gate lets it and says why it stopped
(`waiting`); `fleet/rounds.py` runs it again and again while a blocking run waits. The forge is the
truth: a service already at the target, or with its upgrade pull request open, is taken as it is
and never upgraded twice; the journal remembers what this machine did (and why something failed)
so a stopped run resumes where it stopped. A failure in one repo is recorded with its reason and never stops the others.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_cli.errors import NotFoundError, PlatError
from platform_cli.fleet.status import Row
from platform_cli.forge.base import Forge
from platform_cli.gitops.inventory import RegisteredService
from platform_cli.journal import Journal
from platform_cli.upgrade import versions
from platform_cli.upgrade.result import UpgradeResult

PENDING, OPEN, CONFLICTS, MERGED, CURRENT, FAILED = "pending", "pr-open", "conflicts", "merged", "current", "failed"
DONE = (OPEN, CONFLICTS, MERGED, CURRENT)  # nothing more to do for the service in this campaign
LANDED = (MERGED, CURRENT)  # its main is at the target
TOLD = ("state", "reason", "new_high", "unread")  # a change of these in a service's entry is told as progress

# runs the upgrade engine in a checkout, to a version, through the forge of the moment (a waiting
# run opens the forge again for each look: a GitHub App's installation token lives an hour)
Upgrader = Callable[[Path, str, Forge], UpgradeResult]
Measure = Callable[[RegisteredService], Row]  # a fresh status row (doctor cached by sha)
Progress = Callable[[str], None]  # one line of progress ("service: what happened")


def silent(line: str) -> None:
    pass


@dataclass(frozen=True)
class Request:
    to: str
    canary: tuple[str, ...] = ()
    wave_size: int = 10
    max_open: int | None = None
    wait: bool = True


@dataclass(frozen=True)
class ServiceState:
    service: str
    state: str
    wave: int
    pull_request: int | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CampaignResult:
    to: str
    journal: Path
    services: tuple[ServiceState, ...]
    waves: int
    waiting: str | None  # why the run stopped before the last wave (None: every wave went out)
    timed_out: bool = False  # a blocking run gave up waiting (--timeout)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.services:
            out[s.state] = out.get(s.state, 0) + 1
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "journal": str(self.journal),
            "waves": self.waves,
            "waiting": self.waiting,
            "timed_out": self.timed_out,
            "counts": self.counts,
            "services": [s.to_json() for s in self.services],
        }


def waves(services: list[str], canary: tuple[str, ...], size: int) -> tuple[tuple[str, ...], ...]:
    """Canaries first (those in the selection), then the rest in name order, `size` at a time."""
    first = tuple(c for c in canary if c in services)
    rest = sorted(s for s in services if s not in first)
    step = max(1, size)
    return ((first,) if first else ()) + tuple(tuple(rest[i : i + step]) for i in range(0, len(rest), step))


@dataclass
class Campaign:
    forge: Forge
    journal: Journal
    upgrader: Upgrader
    measure: Measure
    work: Path  # where temporary clones go
    progress: Progress = silent

    def run(self, req: Request, services: tuple[RegisteredService, ...], retry: bool = True) -> CampaignResult:
        """As far as the gate lets it go. `retry`: upgrade again the services that failed before (a new
        run does; the rounds of a waiting run do not: a repo that fails now fails in five minutes too)."""
        by_name = {s.service: s for s in services}
        plan = waves(list(by_name), req.canary, req.wave_size)
        waiting = None
        for index, wave in enumerate(plan):
            if index and req.wait:
                waiting = self._gate(plan[:index], by_name)
                if waiting:
                    break
            waiting = self._wave(wave, by_name, req, retry)
            if waiting:
                break
        if waiting is None:  # every wave went out: where do the last ones stand (merged since?)
            for name in (n for wave in plan for n in wave):
                self.refresh(name, by_name[name])
        return self.result(req.to, plan, waiting)

    def result(self, to: str, plan: tuple[tuple[str, ...], ...], waiting: str | None) -> CampaignResult:
        states = tuple(
            _state(name, i, self.journal.steps.get(name, {})) for i, wave in enumerate(plan) for name in wave
        )
        return CampaignResult(to, self.journal.path, states, len(plan), waiting)

    def _wave(self, wave: tuple[str, ...], by_name: dict[str, RegisteredService], req: Request, retry: bool):
        for name in wave:
            entry = self.journal.steps.get(name, {})
            if entry.get("state") in DONE or (entry.get("state") == FAILED and not retry):
                continue
            if req.max_open is not None and self._at_limit(req.max_open, by_name):
                return f"{req.max_open} upgrade pull requests open (--max-open): waiting for some to merge"
            self._record(name, self._upgrade(by_name[name], req.to, entry))
        return None

    def _at_limit(self, limit: int, by_name: dict[str, RegisteredService]) -> bool:
        """Whether `limit` of the campaign's pull requests are open; at the limit by the journal, the
        forge is asked again (one read per open pull request): the merged ones no longer count."""
        if self._open_count() < limit:
            return False
        for name, entry in list(self.journal.steps.items()):
            if entry.get("state") in (OPEN, CONFLICTS) and name in by_name:
                self.refresh(name, by_name[name])
        return self._open_count() >= limit

    def _open_count(self) -> int:
        return sum(1 for e in self.journal.steps.values() if e.get("state") in (OPEN, CONFLICTS))

    def _record(self, name: str, entry: dict[str, Any]) -> None:
        """Write a service's entry; tell a change of state (or of its reason) as progress."""
        before = self.journal.steps.get(name, {})
        self.journal.record(name, entry)
        if [before.get(k) for k in TOLD] != [entry.get(k) for k in TOLD]:
            self.progress(_told(name, entry))

    def _upgrade(self, reg: RegisteredService, to: str, entry: dict[str, Any]) -> dict[str, Any]:
        """Upgrade one service, unless the forge shows it done already; never raises."""
        try:
            row = self.measure(reg)
            taken = _as_found(row, to)
            if taken:
                return taken
            before = row.doctor.high_findings if row.doctor else None
            result = self._run_upgrade(reg, to)
        except PlatError as exc:
            return {"state": FAILED, "reason": exc.message}
        except Exception as exc:  # noqa: BLE001 - one repo's failure never stops the others
            return {"state": FAILED, "reason": f"{type(exc).__name__}: {exc}"}
        if result.status == "up-to-date":
            return {"state": CURRENT}
        pr = result.pull_request
        if pr is None:
            return {"state": FAILED, "reason": f"{reg.service}: the repo is not on the forge; no pull request"}
        state = CONFLICTS if result.conflicts else OPEN
        return {"state": state, "pull_request": pr.id, "high_before": before}

    def _run_upgrade(self, reg: RegisteredService, to: str) -> UpgradeResult:
        org, name = reg.org_repo
        self.work.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.work))
        try:
            self.forge.clone(org, name, tmp / name)
            return self.upgrader(tmp / name, to, self.forge)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _gate(self, earlier: tuple[tuple[str, ...], ...], by_name: dict[str, RegisteredService]) -> str | None:
        """Why the next wave may not start yet (None: it may): an earlier pull request not merged, a
        merged upgrade that brought new doctor findings at or above high, or one whose state could not
        be read this time (the gate never opens on what it could not check)."""
        unmerged, worse, unread = [], [], []
        for name in (n for wave in earlier for n in wave):
            entry = self.refresh(name, by_name[name])
            if entry.get("unread"):
                unread.append(f"{name} ({entry['unread']})")
            elif entry.get("state") in (OPEN, CONFLICTS):
                unmerged.append(name)
            elif entry.get("state") == MERGED and entry.get("new_high"):
                worse.append(f"{name} (+{entry['new_high']})")
        if worse:
            return "new doctor findings at or above high after the upgrade merged: " + ", ".join(worse)
        if unread:
            return "could not check: " + ", ".join(unread)
        if unmerged:
            return f"waiting for {len(unmerged)} upgrade pull requests to merge: " + ", ".join(unmerged)
        return None

    def refresh(self, name: str, reg: RegisteredService) -> dict[str, Any]:
        """Bring a service's journal entry up to date with its pull request (merged? closed? gone?), and
        a merged one that brought new high findings (or whose doctor gave no result) with doctor's
        result now (fixed since?). A read that fails for another reason than a pull request gone (a
        rate limit, an outage, a token refused) is noted as `unread`: the gate holds, the next look
        reads it again."""
        entry = dict(self.journal.steps.get(name, {}))
        held = entry.get("state") == MERGED and (entry.get("new_high") or entry.get("unread"))
        if entry.get("state") not in (OPEN, CONFLICTS) and not held:
            return entry
        entry.pop("unread", None)
        org, repo = reg.org_repo
        try:
            state = "merged" if held else self.forge.get_pull_request(org, repo, entry["pull_request"]).state
        except PlatError as exc:
            gone = isinstance(exc, NotFoundError)
            entry.update({"state": FAILED, "reason": exc.message} if gone else {"unread": exc.message})
        else:
            if state == "merged":
                entry.update(self._merged(reg, entry))
            elif state == "closed":
                entry.update(state=FAILED, reason=f"pull request #{entry['pull_request']} was closed unmerged")
        self._record(name, entry)
        return entry

    def _merged(self, reg: RegisteredService, entry: dict[str, Any]) -> dict[str, Any]:
        """A merged upgrade's entry: the high findings doctor finds on `main` now that it had not before."""
        row = self.measure(reg)
        if row.doctor is None:
            return {"state": MERGED, "unread": f"doctor gave no result on main: {row.error or 'unknown'}"}
        return {"state": MERGED, "new_high": max(0, row.doctor.high_findings - (entry.get("high_before") or 0))}


def _as_found(row: Row, to: str) -> dict[str, Any] | None:
    """The service's state when the forge already shows it done: at (or past) the target, or with
    the target's upgrade pull request open. None: it still needs the upgrade."""
    if row.error and row.version is None:
        raise PlatError(row.error)
    if row.version and versions.key(row.version) >= versions.key(to):
        return {"state": CURRENT}
    pr = row.upgrade_pr
    if pr and pr.version == to:
        return {"state": CONFLICTS if pr.conflicts else OPEN, "pull_request": pr.number}
    return None


def _told(name: str, entry: dict[str, Any]) -> str:
    """A service's new state as one progress line."""
    pr = f" #{entry['pull_request']}" if entry.get("pull_request") else ""
    if entry.get("unread"):
        return f"{name}: could not check the upgrade pull request{pr} ({entry['unread']}); the gate holds"
    said = {
        OPEN: f"upgrade pull request{pr} open",
        CONFLICTS: f"upgrade pull request{pr} open, with conflicts for the team to resolve",
        MERGED: f"upgrade pull request{pr} merged"
        + (f", {entry['new_high']} new doctor findings at or above high" if entry.get("new_high") else ""),
        CURRENT: "already at the version",
        FAILED: f"failed: {entry.get('reason')}",
    }
    return f"{name}: {said.get(entry.get('state', PENDING), entry.get('state', PENDING))}"


def _state(name: str, wave: int, entry: dict[str, Any]) -> ServiceState:
    reason = entry.get("reason") or entry.get("unread")
    return ServiceState(name, entry.get("state", PENDING), wave, entry.get("pull_request"), reason)
