"""A per-run journal: which steps finished and what they created, so runs resume and roll back."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_cli.config import Settings


@dataclass(frozen=True)
class Created:
    kind: str  # directory | repo | branch | pull_request
    target: str  # a path, "org/repo", "org/repo:branch", "org/repo#id"


class Journal:
    """A small JSON file, rewritten atomically after every step."""

    def __init__(self, path: Path, key: Mapping[str, Any]) -> None:
        self.path = path
        self.key = dict(key)
        self.steps: dict[str, Any] = {}
        self.created: list[Created] = []
        self.complete = False

    @classmethod
    def open(cls, path: Path, key: Mapping[str, Any]) -> Journal:
        journal = cls(path, key)
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            journal.key = data["key"]
            journal.steps = data["steps"]
            journal.created = [Created(**c) for c in data["created"]]
            journal.complete = data["complete"]
        return journal

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def done(self, step: str) -> bool:
        return step in self.steps

    def intend(self, *created: Created) -> None:
        """Note what a step is about to create, before it exists: a kill mid-step leaves it ours."""
        self.created.extend(c for c in created if c not in self.created)
        self._write()

    def record(self, step: str, value: Any = True) -> None:
        self.steps[step] = value
        self._write()

    def finish(self) -> None:
        self.complete = True
        self._write()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = {
            "key": self.key,
            "steps": self.steps,
            "complete": self.complete,
            "created": [{"kind": c.kind, "target": c.target} for c in self.created],
        }
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)


def journal_path(settings: Settings, name: str) -> Path:
    """Where the journal of `plat new service NAME` lives (per forge and org)."""
    return settings.home / "journal" / settings.forge / settings.org / f"{name}.json"
