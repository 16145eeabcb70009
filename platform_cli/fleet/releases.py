"""Template releases the fleet is measured against: the latest version of each template, every
version published, and when each was released (a date in the changelog heading, else the date of
the release tag in the template source's git repo)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from platform_cli import git, templates
from platform_cli.errors import PlatError
from platform_cli.upgrade import targets, versions

HEADING = re.compile(r"^##\s+\[?v?([0-9][^\]\s]*)\]?.*?(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Releases:
    latest: str | None  # the latest version of the template; None: the platform does not know it
    known: tuple[str, ...]  # every published version, oldest first
    dates: dict[str, datetime]  # version -> when it was released, where known

    def lag(self, current: str | None) -> tuple[int | None, datetime | None]:
        """Versions behind the latest (negative: ahead of it), and since when: the first newer
        release's date, where known."""
        if self.latest is None or not current or not versions.is_version(current):
            return None, None
        if versions.key(current) > versions.key(self.latest):
            return -len(versions.crossed(self.latest, current, [*self.known, current])), None
        newer = versions.crossed(current, self.latest, [*self.known, self.latest])
        return len(newer), (self.dates.get(newer[0]) if newer else None)


def load(template_source: Path, store_root: Path, name: str) -> Releases:
    try:
        if name not in templates.available(template_source):
            return Releases(None, (), {})
        known = targets.available(template_source, store_root / name)
    except PlatError:
        return Releases(None, (), {})
    return Releases(known[-1], known, {**_tag_dates(template_source), **_changelog_dates(template_source)})


def _changelog_dates(template_source: Path) -> dict[str, datetime]:
    """Dates written in the changelog's headings: `## 0.2.0 (2026-11-20)`, `## [0.2.0] - 2026-11-20`."""
    path = templates.templates_root(template_source) / "CHANGELOG.md"
    if not path.is_file():
        return {}
    dates = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = HEADING.match(line)
        if match:
            dates[versions.plain(match[1])] = datetime.strptime(match[2], "%Y-%m-%d").replace(tzinfo=UTC)
    return dates


def _tag_dates(template_source: Path) -> dict[str, datetime]:
    """The dates of the `v<version>` tags of the template source, when it is a git checkout (the
    platform team's release tags; the template store's tags are reproducible, so dateless)."""
    if not (template_source / ".git").exists():
        return {}
    dates = {}
    for tag, stamp in git.tag_dates(template_source, "v*").items():
        if versions.is_version(tag) and stamp.isdigit():
            dates[versions.plain(tag)] = datetime.fromtimestamp(int(stamp), UTC)
    return dates
