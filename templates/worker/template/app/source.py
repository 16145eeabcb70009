"""Where jobs come from. The skeleton ships a spool directory source; swap in a queue client.

SPOOL_DIR: a directory of `*.json` files, one job each; a handled job is deleted, a failed one
renamed to `*.failed`. Without SPOOL_DIR the worker idles (health and metrics still served).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol


@dataclass(frozen=True)
class Job:
    id: str
    payload: object


class Source(Protocol):
    def fetch(self) -> Optional[Job]: ...

    def ack(self, job: Job) -> None: ...

    def nack(self, job: Job) -> None: ...

    def oldest_waiting_seconds(self) -> float:
        """Age of the oldest job waiting (0 when none waits): the freshness SLO's signal."""
        ...


class IdleSource:
    def fetch(self) -> Optional[Job]:
        return None

    def oldest_waiting_seconds(self) -> float:
        return 0.0

    def ack(self, job: Job) -> None:  # pragma: no cover - never fetched
        pass

    def nack(self, job: Job) -> None:  # pragma: no cover - never fetched
        pass


class SpoolSource:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def fetch(self) -> Optional[Job]:
        for path in sorted(self.directory.glob("*.json")):
            try:
                payload = json.loads(path.read_text())
            except ValueError:
                payload = None
            return Job(id=path.name, payload=payload)
        return None

    def oldest_waiting_seconds(self) -> float:
        """A job waits from the time its file was written until it is handled (deleted or renamed)."""
        times = []
        for path in self.directory.glob("*.json"):
            try:
                times.append(path.stat().st_mtime)
            except OSError:  # handled between glob and stat
                continue
        return max(0.0, time.time() - min(times)) if times else 0.0

    def ack(self, job: Job) -> None:
        (self.directory / job.id).unlink(missing_ok=True)

    def nack(self, job: Job) -> None:
        path = self.directory / job.id
        if path.exists():
            path.rename(path.with_suffix(".failed"))


def from_env() -> Source:
    spool = os.environ.get("SPOOL_DIR")
    return SpoolSource(Path(spool)) if spool else IdleSource()
