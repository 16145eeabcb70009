"""Versioned template migrations (`templates/migrations.yml`), run once when an upgrade crosses them.

    "0.3.0":
      - rename_question: {from: port, to: http_port}
      - move_file: {from: chart/values.yaml, to: deploy/values.yaml}

A question rename is applied to the recorded answers before the render; a file move is committed
on the baseline branch before the render and merged into the upgrade branch on its own, so git
carries local edits to the new path however much the template rewrites the file afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platform_cli.errors import TemplateError
from platform_cli.upgrade import versions

KINDS = ("rename_question", "move_file")
FILE_NAME = "migrations.yml"


@dataclass(frozen=True)
class Migration:
    version: str
    kind: str  # rename_question | move_file
    source: str  # `from`
    target: str  # `to`

    def describe(self) -> str:
        what = "question" if self.kind == "rename_question" else "file"
        return f"{self.version}: {what} {self.source} → {self.target}"


def load(path: Path) -> tuple[Migration, ...]:
    if not path.is_file():
        return ()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TemplateError(f"cannot parse {path}: {exc}", hint="fix the migrations file") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{path} is not a mapping of version: [steps]", hint="see docs/upgrade.md")
    return tuple(m for version, steps in data.items() for m in _steps(path, str(version), steps or ()))


def _steps(path: Path, version: str, steps: Any) -> list[Migration]:
    out = []
    for step in steps:
        if not (isinstance(step, dict) and len(step) == 1 and next(iter(step)) in KINDS):
            raise TemplateError(
                f"{path}: {version}: unknown migration step {step!r}",
                hint=f"each step is one of {', '.join(KINDS)}: {{from: ..., to: ...}}",
            )
        kind, args = next(iter(step.items()))
        if not isinstance(args, dict) or not args.get("from") or not args.get("to"):
            raise TemplateError(f"{path}: {version}: {kind} needs `from` and `to`", hint="see docs/upgrade.md")
        out.append(Migration(versions.plain(version), kind, str(args["from"]), str(args["to"])))
    return out


def crossing(all_: tuple[Migration, ...], current: str, target: str) -> tuple[Migration, ...]:
    """The migrations an upgrade from `current` to `target` crosses, oldest first, in file order."""
    todo = set(versions.crossed(current, target, [m.version for m in all_]))
    return tuple(sorted((m for m in all_ if m.version in todo), key=lambda m: versions.key(m.version)))


def rename_answers(answers: Mapping[str, Any], migrations: tuple[Migration, ...]) -> dict[str, Any]:
    out = dict(answers)
    for m in migrations:
        if m.kind == "rename_question" and m.source in out and m.target not in out:
            out[m.target] = out.pop(m.source)
    return out


def moves(migrations: tuple[Migration, ...]) -> tuple[Migration, ...]:
    return tuple(m for m in migrations if m.kind == "move_file")
