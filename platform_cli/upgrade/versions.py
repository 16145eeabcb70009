"""Template-set versions: parsing, ordering, tags, and the changelog entries between two versions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from platform_cli.errors import UsageError

_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?:\+.*)?$")


@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    text: str


def key(version: str) -> tuple[int, ...]:
    """Sort key of `0.2.0`, `v0.2.0` or `v0.2.0+dev.1234abcd` (build metadata is ignored)."""
    match = _VERSION.match(version.strip())
    if not match:
        raise UsageError(f"{version!r} is not a version", hint="versions look like 1.2.0")
    parts = tuple(int(p) for p in match.group(1).split("."))
    return parts + (0,) * (3 - len(parts))


def plain(version_or_tag: str) -> str:
    """`v0.2.0+dev.1` -> `0.2.0`."""
    key(version_or_tag)
    return version_or_tag.strip().removeprefix("v").split("+", 1)[0]


def is_version(text: str) -> bool:
    return _VERSION.match(text.strip()) is not None


def crossed(current: str, target: str, versions: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Versions v with current < v <= target, oldest first."""
    low, high = key(current), key(target)
    return tuple(sorted((v for v in set(versions) if low < key(v) <= high), key=key))


def changelog(path: Path) -> tuple[ChangelogEntry, ...]:
    """The `## <version>` sections of a CHANGELOG.md, in file order."""
    if not path.is_file():
        return ()
    entries: list[ChangelogEntry] = []
    version: str | None = None
    lines: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^##\s+\[?v?([0-9][^\]\s]*)\]?", line)
        if heading:
            if version:
                entries.append(ChangelogEntry(version, "\n".join(lines).strip()))
            version, lines = heading.group(1), []
        elif version:
            lines.append(line)
    if version:
        entries.append(ChangelogEntry(version, "\n".join(lines).strip()))
    return tuple(e for e in entries if is_version(e.version))


def entries_between(path: Path, current: str, target: str) -> tuple[ChangelogEntry, ...]:
    entries = {e.version: e for e in changelog(path)}
    return tuple(entries[v] for v in crossed(current, target, list(entries)))
