"""`plat pr list|show|merge`: the pull requests plat opened, on any forge."""

from __future__ import annotations

from dataclasses import dataclass

from platform_cli.checks import conflicts
from platform_cli.config import Settings
from platform_cli.delivery.landing import gitops_target
from platform_cli.errors import ForgeError, PlatError, UsageError
from platform_cli.forge.base import Forge
from platform_cli.gitops import codeowners, tenancy
from platform_cli.models import ChangedFile, PullRequest

# Forges that run the GitOps repo's workflows: its codeowners.yml regenerates CODEOWNERS after a merge there.
REGENERATED_BY_WORKFLOW = frozenset({"github"})


@dataclass(frozen=True)
class PullDetail:
    pull: PullRequest
    files: tuple[ChangedFile, ...]  # what it changes against its base (open pull requests)


def split_repo(repo: str, default_org: str) -> tuple[str, str]:
    org, sep, name = repo.partition("/")
    if not sep:
        org, name = default_org, repo
    if not org or not name:
        raise UsageError(f"{repo!r} is not a repo name", hint="write ORG/REPO or REPO")
    return org, name


def list_pulls(forge: Forge, repo: str, default_org: str, state: str | None) -> tuple[PullRequest, ...]:
    if state not in (None, "open", "merged", "closed"):
        raise UsageError(f"unknown state {state!r}", hint="use open, merged or closed")
    org, name = split_repo(repo, default_org)
    return forge.list_pull_requests(org, name, state)


def show_pull(forge: Forge, repo: str, default_org: str, number: int) -> PullDetail:
    org, name = split_repo(repo, default_org)
    pull = forge.get_pull_request(org, name, number)
    return PullDetail(pull, forge.pull_request_files(org, name, number) if pull.state == "open" else ())


def merge_pull(forge: Forge, repo: str, default_org: str, number: int, settings: Settings | None = None) -> PullRequest:
    """Merge with a merge commit; refused while the pull request adds conflict markers (upgrades
    commit their conflicts that way, and neither forge would stop the merge). With `settings`: a merged
    change of the GitOps repo's tenancy records (a registration, an unregistration) regenerates its
    CODEOWNERS right away where the forge runs no workflow that would (the local forge)."""
    org, name = split_repo(repo, default_org)
    pull = forge.get_pull_request(org, name, number)
    files: tuple[ChangedFile, ...] = ()
    if pull.state == "open":
        files = forge.pull_request_files(org, name, number)
        unresolved = conflicts.in_patches(files)
        if unresolved:
            where = ", ".join(f"{path}:{line}" for path, line in unresolved)
            raise ForgeError(
                f"pull request #{number} still has unresolved conflicts: {where}",
                hint=f"resolve them on branch {pull.head} (keep the right lines, delete the "
                "<<<<<<< ======= >>>>>>> lines), commit and push, then merge again",
            )
    merged = forge.merge_pull_request(org, name, number)
    if settings is not None and _changes_owners(forge, settings, (org, name), files):
        _regenerate_codeowners(forge, settings, number)
    return merged


def _changes_owners(forge: Forge, settings: Settings, where: tuple[str, str], files: tuple[ChangedFile, ...]) -> bool:
    if where != (settings.org, settings.gitops_repo) or forge.name in REGENERATED_BY_WORKFLOW:
        return False  # not the GitOps repo, or a forge where its workflow (codeowners.yml) regenerates it
    return any(f.path.startswith(f"{tenancy.SERVICES}/") for f in files)


def _regenerate_codeowners(forge: Forge, settings: Settings, number: int) -> None:
    try:
        codeowners.regenerate(gitops_target(settings, forge), settings.platform_team)
    except PlatError as exc:
        raise PlatError(
            f"pull request #{number} merged, but {codeowners.PATH} was not regenerated: {exc.message}",
            hint=f"run {codeowners.COMMAND} (until then its new paths are the platform team's)",
        ) from exc
