"""The value `plat upgrade` returns, and its JSON shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from platform_cli.models import PullRequest
from platform_cli.upgrade.baseline import BASELINE_BRANCH
from platform_cli.upgrade.merge import Conflict, FileChange
from platform_cli.upgrade.versions import ChangelogEntry

STATUSES = ("up-to-date", "available", "planned", "upgraded")


@dataclass(frozen=True)
class UpgradeResult:
    repo: Path
    template: str
    current: str  # version recorded on main
    target: str
    status: str  # one of STATUSES
    changelog: tuple[ChangelogEntry, ...] = ()
    migrations: tuple[str, ...] = ()
    files: tuple[FileChange, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    kept_deleted: tuple[str, ...] = ()  # files the team deleted and the template changed: kept deleted
    team_changes: tuple[str, ...] = ()  # team-owned files the template changed: not applied (left to the team)
    dropped_answers: tuple[str, ...] = ()  # answers to questions the target no longer asks
    notes: tuple[str, ...] = ()
    branch: str = ""
    baseline_branch: str = BASELINE_BRANCH
    commit: str = ""
    pull_request: PullRequest | None = None
    diff: str = ""  # the proposed change, for --dry-run
    open_pull_request: PullRequest | None = None  # --check: an upgrade pull request already open

    @property
    def upgrade_available(self) -> bool:
        return self.status == "available"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["repo"] = str(self.repo)
        for key in ("pull_request", "open_pull_request"):
            pr = getattr(self, key)
            data[key] = None if pr is None else asdict(pr)
        for key in ("migrations", "kept_deleted", "team_changes", "dropped_answers", "notes"):
            data[key] = list(data[key])
        data["changelog"] = [asdict(e) for e in self.changelog]
        data["files"] = [asdict(f) for f in self.files]
        data["conflicts"] = [asdict(c) for c in self.conflicts]
        return data
