"""The job's work. Replace the example loop with the real task; keep it idempotent
(Kubernetes may run a job twice) and check `stop` between units of work."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config:
    items: int
    item_delay: float

    @classmethod
    def from_env(cls) -> "Config":
        items = int(os.environ.get("JOB_ITEMS", "10"))
        delay = float(os.environ.get("JOB_ITEM_DELAY_SECONDS", "0"))
        if items < 0 or delay < 0:
            raise ValueError("JOB_ITEMS and JOB_ITEM_DELAY_SECONDS must not be negative")
        return cls(items=items, item_delay=delay)


def run(config: Config, stop: threading.Event) -> int:
    """Process the work; return how many items were done."""
    done = 0
    for index in range(config.items):
        if stop.is_set():
            break
        log.debug("processing item", extra={"item": index})
        done += 1
        stop.wait(config.item_delay)
    return done
