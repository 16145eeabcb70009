"""`plat fleet status`: one row per registered service, measured in parallel, doctor cached by sha.

Per service: the sha of `main` on the forge (one ref read); when the doctor cache holds that sha,
the row's template, version and doctor result come from it; otherwise the repo is cloned (or its
clone in the cache refreshed) and doctor runs on it. The open upgrade pull request, the lag and
the optional SLO budgets and DORA bands are read on every scan.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from platform_cli.checks.context import read_answers
from platform_cli.errors import PlatError
from platform_cli.fleet import checkout
from platform_cli.fleet.cache import DoctorCache
from platform_cli.fleet.releases import Releases
from platform_cli.forge.base import Forge
from platform_cli.gitops.inventory import RegisteredService
from platform_cli.service_repo import UPGRADE_PREFIX, template_name
from platform_cli.upgrade import versions

CONFLICTS = re.compile(r"\((\d+) conflicts?\)\s*$")  # the suffix plat's upgrade titles carry


class DoctorReport(Protocol):
    """What the fleet reads of a `plat doctor` report."""

    @property
    def level(self) -> str: ...

    @property
    def score(self) -> int: ...

    def failing(self, fail_on: str) -> tuple[Any, ...]: ...  # findings with to_json(), at or above fail_on


@dataclass(frozen=True)
class DoctorSummary:
    level: str
    score: int
    high_findings: int  # active findings of severity high or critical
    findings: tuple[dict[str, Any], ...] = ()  # every active finding, as `plat doctor --json` prints it

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "score": self.score,
            "high_findings": self.high_findings,
            "findings": [dict(f) for f in self.findings],
        }

    @classmethod
    def of(cls, report: DoctorReport) -> DoctorSummary:
        """A `plat doctor` report summed up: its findings are the active ones, at every severity."""
        findings = tuple(f.to_json() for f in report.failing("info"))
        return cls(report.level, report.score, len(report.failing("high")), findings)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> DoctorSummary:
        return cls(doc["level"], doc["score"], doc["high_findings"], tuple(doc.get("findings") or ()))


Doctor = Callable[[Path], DoctorSummary]  # runs doctor on a checkout
SloBudgets = Callable[[Path], dict[str, float | None] | None]  # {slo: remaining fraction} of a checkout
DoraBands = Callable[[], dict[str, dict[str, Any]]]  # service -> its DORA bands (`plat dora`), read once a scan


@dataclass(frozen=True)
class UpgradePR:
    number: int
    url: str
    version: str
    age_days: int | None
    conflicts: bool

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Row:
    registered: RegisteredService
    repo: str  # org/name on the forge
    main_sha: str | None = None
    template: str | None = None
    version: str | None = None
    latest_version: str | None = None
    lag_versions: int | None = None
    lag_days: int | None = None
    doctor: DoctorSummary | None = None
    cached: bool = False
    upgrade_pr: UpgradePR | None = None
    slo: dict[str, float | None] | None = None
    dora: dict[str, Any] | None = None
    error: str | None = None

    @property
    def service(self) -> str:
        return self.registered.service

    def to_json(self) -> dict[str, Any]:
        reg = self.registered
        remaining = [v for v in (self.slo or {}).values() if v is not None]
        return {
            "service": reg.service,
            "repo": self.repo,
            "repo_url": reg.repo_url,
            "registration": {"state": reg.registration, "pull_request": reg.pull_request},
            "owner": reg.owner,
            "system": reg.system,
            "environments": list(reg.environments),
            "deployed": dict(reg.deployed),
            "main_sha": self.main_sha,
            "template": self.template,
            "version": self.version,
            "latest_version": self.latest_version,
            "lag": {"versions": self.lag_versions, "days": self.lag_days},
            "doctor": None if self.doctor is None else {**self.doctor.to_json(), "cached": self.cached},
            "upgrade_pr": None if self.upgrade_pr is None else self.upgrade_pr.to_json(),
            "slo": None
            if self.slo is None
            else {"budget_remaining": min(remaining) if remaining else None, "slos": dict(self.slo)},
            "dora": self.dora,
            "error": self.error,
        }


@dataclass
class Scanner:
    """What a scan needs: the forge, where its cache lives, and the collaborators it calls."""

    forge: Forge
    cache_root: Path  # PLAT_HOME/cache/fleet/<forge>/<org>
    releases: Callable[[str], Releases]  # template name -> its releases
    doctor: Doctor
    platform_key: str  # what doctor results depend on besides the repo (plat and template versions)
    now: Callable[[], datetime]
    slo: SloBudgets | None = None
    dora: DoraBands | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    bands: dict[str, dict[str, Any]] = field(default_factory=dict)  # `dora()`, read once before the rows
    worker_calls: dict[str, int] = field(default_factory=dict)  # API calls made in forked workers (see scan)

    def scan(self, services: tuple[RegisteredService, ...]) -> tuple[Row, ...]:
        """Rows in the inventory's order; `jobs` services at a time, in forked worker processes where
        the platform forks (doctor is mostly Python: threads would share one core), else in threads.
        A forked worker's API calls are counted in its copy of the forge: each row's are sent back
        with it and summed in `worker_calls`."""
        self.bands = self.dora() if self.dora and services else {}
        self.worker_calls = {}
        if self.jobs <= 1 or len(services) <= 1:
            return tuple(map(self.row, services))
        if "fork" not in multiprocessing.get_all_start_methods():
            with ThreadPoolExecutor(self.jobs) as pool:
                return tuple(pool.map(self.row, services))
        global _FORKED
        _FORKED = self
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(self.jobs, mp_context=context) as pool:
                done = list(pool.map(_forked_row, services, chunksize=max(1, len(services) // (self.jobs * 8))))
        finally:
            _FORKED = None
        for _, calls in done:
            for key, n in calls.items():
                self.worker_calls[key] = self.worker_calls.get(key, 0) + n
        return tuple(row for row, _ in done)

    def row(self, reg: RegisteredService) -> Row:
        """The service's row now; never raises (a failure is the row's `error`)."""
        cache = DoctorCache(self.cache_root / "doctor", self.platform_key)
        org, name = reg.org_repo
        row = Row(reg, f"{org}/{name}")
        try:
            main = self.forge.branch_sha(org, name, "main")
            if main is None:
                return _with(row, error=f"{org}/{name} has no main branch")
            measured = _complete(cache.get(row.repo, main))
            clone = self.cache_root / "repos" / org / name
            if measured is None:
                measured = _measure(checkout.fresh(self.forge, org, name, clone, main), self.doctor)
                cache.put(row.repo, main, measured)
                row = _with(row, cached=False)
            else:
                row = _with(row, cached=True)
            row = _with(row, main_sha=main, **self._measured(measured))
            return _with(
                row,
                upgrade_pr=self._upgrade_pr(org, name, clone),
                slo=self.slo(clone) if self.slo and clone.is_dir() else None,
                dora=self.bands.get(reg.service),
            )
        except PlatError as exc:
            return _with(row, error=exc.message)
        except Exception as exc:  # noqa: BLE001 - one repo's trouble never stops the scan of the others
            return _with(row, error=f"unexpected: {type(exc).__name__}: {exc}")

    def _measured(self, data: dict[str, Any]) -> dict[str, Any]:
        template, version = data.get("template"), data.get("version")
        releases = self.releases(template) if template else Releases(None, (), {})
        behind, since = releases.lag(version)
        days = 0 if behind is not None and behind <= 0 else _days(self.now(), since)
        doc = data.get("doctor")
        return {
            "template": template,
            "version": version,
            "latest_version": releases.latest,
            "lag_versions": behind,
            "lag_days": days,
            "doctor": DoctorSummary.from_json(doc) if doc else None,
            "error": data.get("error"),
        }

    def _upgrade_pr(self, org: str, name: str, clone: Path) -> UpgradePR | None:
        pulls = [p for p in self.forge.list_pull_requests(org, name, "open") if p.head.startswith(UPGRADE_PREFIX)]
        if not pulls:
            return None
        pr = max(pulls, key=lambda p: p.id)
        opened = checkout.commit_time(clone, f"refs/remotes/origin/{pr.head}")
        age = None if opened is None else max(0, int(self.now().timestamp() - opened) // 86400)
        match = CONFLICTS.search(pr.title)
        return UpgradePR(pr.id, pr.url, pr.head.removeprefix(UPGRADE_PREFIX), age, bool(match and int(match[1])))


_FORKED: Scanner | None = None  # the scanner a forked worker inherits (closures do not pickle)


def _forked_row(reg: RegisteredService) -> tuple[Row, dict[str, int]]:
    assert _FORKED is not None
    before = api_calls(_FORKED.forge)
    row = _FORKED.row(reg)
    after = api_calls(_FORKED.forge)
    return row, {k: after[k] - before[k] for k in after}


def api_calls(forge: Forge) -> dict[str, int]:
    """The forge's API calls so far, where it counts them (GitHub): `rest`, those counted against the
    rate limit, and `not_modified`, the conditional requests answered 304 (free)."""
    counter = getattr(forge, "api_calls", 0)  # the GitHub forge's is a property
    calls = counter() if callable(counter) else counter
    if isinstance(calls, int):
        return {"rest": calls, "not_modified": int(getattr(forge, "not_modified", 0) or 0)}
    return {"rest": int(calls.get("rest", 0)), "not_modified": int(calls.get("not_modified", 0))}


def _measure(path: Path, doctor: Doctor) -> dict[str, Any]:
    """What the cache keeps of one checkout: its template, version and doctor result (or the error)."""
    try:
        answers = read_answers(path)
    except PlatError as exc:
        return {"template": None, "version": None, "doctor": None, "error": exc.message}
    tag = str(answers.get("_commit") or "")
    out: dict[str, Any] = {
        "template": template_name(answers) or None,
        "version": versions.plain(tag) if versions.is_version(tag) else None,
        "doctor": None,
        "error": None,
    }
    try:
        out["doctor"] = doctor(path).to_json()
    except PlatError as exc:
        out["error"] = f"doctor: {exc.message}"
    return out


def _complete(measured: dict[str, Any] | None) -> dict[str, Any] | None:
    """A cached measurement, or None (measure again) for one written before doctor results kept their
    findings: its row could not list them."""
    doc = (measured or {}).get("doctor")
    return None if doc is not None and "findings" not in doc else measured


def _days(now: datetime, since: datetime | None) -> int | None:
    return None if since is None else max(0, (now - since).days)


def _with(row: Row, **changes: Any) -> Row:
    return replace(row, **changes)


def summary(rows: tuple[Row, ...]) -> dict[str, Any]:
    def count(key: Callable[[Row], str | None]) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in rows:
            value = key(row)
            if value is not None:
                out[value] = out.get(value, 0) + 1
        return dict(sorted(out.items()))

    return {
        "services": len(rows),
        "by_version": count(lambda r: f"{r.template} {r.version}" if r.template else None),
        "by_level": count(lambda r: r.doctor.level if r.doctor else None),
        "by_team": count(lambda r: r.registered.owner or None),
        "behind": sum(1 for r in rows if (r.lag_versions or 0) > 0),
        "open_upgrade_prs": sum(1 for r in rows if r.upgrade_pr),
        "errors": sum(1 for r in rows if r.error),
    }
