"""`plat dora`: the five DORA metrics per service, team and org, from the GitOps history and each
service repo; `plat dora report --month`: the monthly review in Markdown."""

from __future__ import annotations

import time
from collections.abc import Callable

from platform_cli.config import Settings
from platform_cli.delivery import when
from platform_cli.delivery.landing import gitops_target
from platform_cli.dora import report as monthly
from platform_cli.dora import sources
from platform_cli.dora.metrics import Window
from platform_cli.dora.summary import Selection, summarize
from platform_cli.errors import UsageError
from platform_cli.forge.base import Forge
from platform_cli.gitops import inventory

DEFAULT_DAYS = 30


def dora(
    settings: Settings,
    forge: Forge,
    selection: Selection,
    since: str | None = None,
    until: str | None = None,
    now: Callable[[], float] = time.time,
) -> dict:
    window = _window(since, until, now)
    inventory.require(forge, settings.org, settings.gitops_repo, "no deliveries to measure")
    record = sources.gather(gitops_target(settings, forge), selection.environment, selection.keeps)
    result = summarize(record.facts, record.owners, record.services, window, selection, record.incidents)
    if selection.service and selection.service not in result["services"]:
        raise UsageError(f"no service {selection.service} in the GitOps repo", hint="check the service name")
    if selection.team and not result["services"]:
        raise UsageError(f"no service owned by team {selection.team}", hint="teams are the plat.dev/owner labels")
    return result


def report(settings: Settings, forge: Forge, month: str, environment: str = "production") -> str:
    monthly.month_window(month)  # a bad month fails before anything is read
    inventory.require(forge, settings.org, settings.gitops_repo, "no deliveries to review")
    record = sources.gather(gitops_target(settings, forge), environment, lambda service, team: True)
    return monthly.render(month, record.facts, record.owners, environment)


def _window(since: str | None, until: str | None, now: Callable[[], float]) -> Window:
    end = when.instant(until, "--until") if until else int(now()) + 1  # the current second included
    start = when.instant(since, "--since") if since else end - DEFAULT_DAYS * 86400
    if start >= end:
        raise UsageError("--since must be before --until", hint="e.g. --since 2026-11-01 --until 2026-12-01")
    return Window(start, end)
