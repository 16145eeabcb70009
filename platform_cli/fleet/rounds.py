"""A blocking `plat fleet upgrade --wait`: the campaign run again at an interval until every wave
went out, or until `--timeout`.

Each round is one `Campaign.run` (it goes as far as the gate lets it, then says what it waits
for) on a forge opened again for the round, so nothing a forge remembers within one run (the
GitHub forge keeps branches and pull requests it has read) hides a merge made since; on GitHub
the reads are conditional, and an unchanged pull request costs a free 304. The journal is written
after every step, so a waiting run that is killed resumes where it stood. The clock and the
sleep are collaborators: tests hand in ones that never wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from platform_cli.fleet.campaign import Campaign, CampaignResult, Progress, Request, silent
from platform_cli.gitops.inventory import RegisteredService

POLL_SECONDS = 300.0  # pull requests merge at the pace of reviews: every 5 minutes is soon enough


@dataclass(frozen=True)
class Pause:
    """How a blocking run waits at a gate: every `poll` seconds, for at most `timeout` seconds
    (None: until the campaign is through)."""

    poll: float = POLL_SECONDS
    timeout: float | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    progress: Progress = silent


def until_through(
    campaign: Callable[[], Campaign], req: Request, services: tuple[RegisteredService, ...], pause: Pause
) -> CampaignResult:
    """Rounds of the campaign until no gate holds it (or a round finds nothing left to wait for)."""
    started = pause.clock()
    result = campaign().run(req, services)
    told = None
    while result.waiting is not None:
        left = None if pause.timeout is None else pause.timeout - (pause.clock() - started)
        if left is not None and left <= 0:
            return replace(result, timed_out=True)
        nap = pause.poll if left is None else min(pause.poll, left)  # the last look falls on the deadline
        if result.waiting != told:
            pause.progress(f"waiting: {result.waiting}; next look in {_span(nap)} (Ctrl-C stops, a new run resumes)")
            told = result.waiting
        pause.sleep(nap)
        result = campaign().run(req, services, retry=False)
    return result


def _span(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


def seconds(flag: str, text: str) -> float:
    """`--poll`/`--timeout` as given: plain seconds (`300`) or a duration (`5m`, `1h30m`, `2d`)."""
    from platform_cli.errors import UsageError
    from platform_cli.slo.promfmt import parse_duration

    value = int(text) if text.isdigit() else parse_duration(text)
    if value is None:
        raise UsageError(f"{flag} {text!r} is not a number of seconds or a duration", hint=f"e.g. {flag} 300 or 5m")
    return float(value)
