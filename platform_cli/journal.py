"""A per-run journal: which steps finished and what they created, so runs resume and roll back."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_cli.config import Settings
from platform_cli.errors import PlatError

Checker = Callable[[Any], bool]
KINDS = ("directory", "repo", "branch", "pull_request")


class JournalError(PlatError):
    """A journal plat cannot read: damaged, or not one of plat's."""


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
    def open(cls, path: Path, key: Mapping[str, Any], steps: Mapping[str, Checker] | None = None) -> Journal:
        """The journal at `path` (a new one when there is none). `steps`: step -> a check of the value
        it records; a journal whose known steps hold other values is not one plat wrote."""
        journal = cls(path, key)
        if path.is_file() or path.is_symlink():
            journal.key, journal.steps, journal.created, journal.complete = _load(path)
        elif path.exists():
            raise _unreadable(path, "it is not a file")
        checks = (steps or {}).items()
        odd = sorted(step for step, ok in checks if step in journal.steps and not ok(journal.steps[step]))
        if odd:
            raise _unreadable(path, f"the values of {', '.join(odd)} are not what plat records")
        return journal

    def unusable(self, why: str) -> JournalError:
        """The error for a journal that reads but is not what its command wrote."""
        return _unreadable(self.path, why)

    @property
    def exists(self) -> bool:
        return self.path.is_file()

    def done(self, step: str) -> bool:
        return step in self.steps

    def intend(self, *created: Created) -> None:
        """Note what a step is about to create, before it exists: a kill mid-step leaves it ours."""
        self.created.extend(c for c in created if c not in self.created)
        self._write()

    def forget(self, item: Created) -> None:
        """Un-note an intention that did not come true (someone else made the thing first)."""
        if item in self.created:
            self.created.remove(item)
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
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        data = {
            "key": self.key,
            "steps": self.steps,
            "complete": self.complete,
            "created": [{"kind": c.kind, "target": c.target} for c in self.created],
        }
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):  # a killed writer's (the run holds
            stale.unlink(missing_ok=True)  # the service's lock: no one else writes this journal)


def _load(path: Path) -> tuple[dict, dict, list[Created], bool]:
    """The journal's parts, checked: anything else is a JournalError naming the file."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _unreadable(path, _why(exc)) from None
    if not isinstance(data, dict):
        raise _unreadable(path, f"it holds a JSON {type(data).__name__}, not a journal")
    key, steps, created, complete = (data.get(k) for k in ("key", "steps", "created", "complete"))
    if not (isinstance(key, dict) and isinstance(steps, dict) and isinstance(complete, bool)):
        raise _unreadable(path, "it lacks the key, steps or complete fields of a plat journal")
    if not isinstance(created, list) or not all(_is_created(c) for c in created):
        raise _unreadable(path, "its created list is not a list of {kind, target}")
    return key, steps, [Created(c["kind"], c["target"]) for c in created], complete


def _is_created(item: object) -> bool:
    return (
        isinstance(item, dict)
        and set(item) == {"kind", "target"}
        and item["kind"] in KINDS
        and isinstance(item["target"], str)
    )


def _why(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(exc, ValueError):
        return f"it is not valid JSON ({exc})"
    return f"it cannot be read ({exc.strerror or exc})" if isinstance(exc, OSError) else str(exc)


def _unreadable(path: Path, why: str) -> JournalError:
    return JournalError(
        f"the journal {path} of an earlier `plat new service` cannot be used: {why}",
        hint=(
            f"restore it from a backup, or delete {path} to forget that run "
            "(what it created then stays: remove the working clone, repo and registration branch by hand)"
        ),
    )


def _is_sha(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{40}", value) is not None


def _is_strings(value: object, keys: tuple[str, ...] = ()) -> bool:
    return (
        isinstance(value, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        and all(k in value for k in keys)
    )


NEW_SERVICE_STEPS: dict[str, Checker] = {
    "publish": lambda v: _is_strings(v, ("platform_sha", "platform_tag", "template_src", "template_tag")),
    "rendered": _is_strings,
    "render": lambda v: v is True,
    "commit": _is_sha,
    "repo": lambda v: v is True,
    "push": lambda v: v is True,
    "configure": lambda v: v is True,
    "gitops": lambda v: v is True or _is_strings(v, ("main",)),
    "registration": _is_sha,
    "pull_request": lambda v: type(v) is int and v > 0,
}


NEW_SERVICE_STEP_NAMES = ("publish", "render", "commit", "repo", "push", "configure", "gitops", "pull_request")


def open_new_service(path: Path, key: Mapping[str, Any]) -> Journal:
    """The journal of a `plat new service` run, checked as that command writes it."""
    journal = Journal.open(path, key, NEW_SERVICE_STEPS)
    if not journal.exists:
        return journal
    key = journal.key
    shaped = set(key) == {"template", "directory", "answers"} and isinstance(key["answers"], dict)
    if not (shaped and isinstance(key["template"], str) and isinstance(key["directory"], str)):
        raise journal.unusable("its key is not the template, directory and answers of a `plat new service`")
    if journal.complete and not all(journal.done(step) for step in NEW_SERVICE_STEP_NAMES):
        raise journal.unusable("it says the run finished, but not every step is recorded")
    return journal


def fingerprint(root: Path) -> dict[str, str]:
    """Each file under `root` (`.git` left out) -> a digest of its content and executable bit."""
    prints = {}
    for rel in _files(root):
        path = root / rel
        mode = "x" if path.stat().st_mode & 0o100 else "-"
        prints[rel] = f"{mode}{hashlib.sha256(path.read_bytes()).hexdigest()}"
    return prints


def _files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    )


def journal_path(settings: Settings, name: str) -> Path:
    """Where the journal of `plat new service NAME` lives (per forge and org)."""
    return settings.home / "journal" / settings.forge / settings.org / f"{name}.json"
