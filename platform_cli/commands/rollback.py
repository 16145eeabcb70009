"""`plat new service NAME --rollback`: remove what one unfinished (or finished) run created."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from platform_cli import git
from platform_cli.config import Settings
from platform_cli.errors import UsageError
from platform_cli.forge.base import Forge
from platform_cli.journal import Created, Journal, journal_path


@dataclass(frozen=True)
class RollbackResult:
    service: str
    removed: tuple[str, ...]
    kept: tuple[str, ...]  # things the run created that are no longer only ours

    def to_json(self) -> dict:
        return {"service": self.service, "removed": list(self.removed), "kept": list(self.kept)}


def rollback_service(name: str, settings: Settings, forge: Forge) -> RollbackResult:
    journal = Journal.open(journal_path(settings, name), {})
    if not journal.exists:
        raise UsageError(
            f"no run of `plat new service {name}` to roll back in {settings.org}",
            hint="rollback undoes only what plat recorded creating",
        )
    commit = journal.steps.get("commit")
    created = list(reversed(journal.created))
    _refuse_if_edited(created, commit)
    removed: list[str] = []
    kept: list[str] = []
    ours = {c.target for c in created}
    for item in created:
        (removed if _undo(item, forge, name, ours) else kept).append(f"{item.kind} {item.target}")
    journal.remove()
    return RollbackResult(name, tuple(removed), tuple(kept))


def _refuse_if_edited(created: list[Created], commit: str | None) -> None:
    """Never lose a user's work: the working clone must hold nothing but what plat wrote."""
    for item in created:
        path = Path(item.target)
        if item.kind != "directory" or not (path / ".git").is_dir() or not commit:
            continue
        if git.has_changes(path) or git.run(["rev-parse", "HEAD"], path) != commit:
            raise UsageError(
                f"{path} has changes made after plat created it",
                hint="commit or move your work elsewhere, then remove the directory by hand",
            )


def _undo(item: Created, forge: Forge, service: str, ours: set[str]) -> bool:
    if item.kind == "directory":
        shutil.rmtree(item.target, ignore_errors=True)
        return True
    org_repo, _, rest = item.target.replace("#", ":").partition(":")
    org, repo = org_repo.split("/", 1)
    if not forge.repo_exists(org, repo):
        return True
    if item.kind == "pull_request":
        forge.close_pull_request(org, repo, int(rest))
    elif item.kind == "branch":
        forge.delete_branch(org, repo, rest)
    elif item.kind == "repo":
        if repo != service and _has_other_work(forge, org, repo, ours):
            return False  # a shared repo (GitOps) others have used since: keep it
        forge.delete_repo(org, repo)
    return True


def _has_other_work(forge: Forge, org: str, repo: str, ours: set[str]) -> bool:
    return any(f"{org}/{repo}#{pr.id}" not in ours for pr in forge.list_pull_requests(org, repo))
