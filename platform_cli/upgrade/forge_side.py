"""What an upgrade asks of and gives to the forge: main must be pushed, both branches pushed (only
when they moved), the pull request opened or updated (left alone when it says the same), older
upgrade pull requests closed, and the one open (for `--check`)."""

from __future__ import annotations

from platform_cli import git
from platform_cli.forge.base import Forge
from platform_cli.models import PullRequest
from platform_cli.upgrade import pull_request
from platform_cli.upgrade.baseline import BASELINE_BRANCH, MAIN, UPGRADE_PREFIX, ServiceState, UpgradeError
from platform_cli.upgrade.result import UpgradeResult


def _forge_repo(state: ServiceState, org: str) -> tuple[str, str]:
    return org, str(state.answers.get("service_name") or state.repo.name)


def require_main_on_the_forge(state: ServiceState, org: str, forge: Forge) -> None:
    """The upgrade branch is cut from local main: commits not pushed yet would reach the forge
    through it, unreviewed as what they are. Refused, before any ref moves."""
    org, name = _forge_repo(state, org)
    remote = forge.branch_sha(org, name, MAIN) if forge.repo_exists(org, name) else None
    if remote is None or remote == state.main or git.is_ancestor(state.repo, state.main, remote):
        return
    raise UpgradeError(
        f"{MAIN} here ({state.main[:12]}) holds commits that are not on the forge's {MAIN} "
        f"({remote[:12]}); the upgrade branch would carry them",
        hint=f"push them first (git push origin {MAIN}), or pull if the forge is ahead, then run plat upgrade again",
    )


def deliver(state: ServiceState, result: UpgradeResult, org: str, forge: Forge) -> PullRequest | None:
    """Push both branches and open (or update) the pull request; a branch the forge holds as it is is
    not pushed again, and an open pull request that says the same is left as it is."""
    org, name = _forge_repo(state, org)
    if not forge.repo_exists(org, name):
        return None
    branches = (BASELINE_BRANCH, result.branch)
    moved = [b for b in branches if forge.branch_sha(org, name, b) != git.resolve(state.repo, f"refs/heads/{b}")]
    if moved:
        forge.push(state.repo, org, name, [f"+refs/heads/{b}:refs/heads/{b}" for b in moved])
    title, body = pull_request.title(result), pull_request.body(result)
    open_ = forge.list_pull_requests(org, name, "open")
    pr = next((p for p in open_ if p.head == result.branch and (p.title, p.body) == (title, body)), None)
    pr = pr or forge.open_pull_request(org, name, result.branch, MAIN, title, body)
    for stale in open_:
        if stale.head.startswith(UPGRADE_PREFIX) and stale.head != result.branch:
            forge.close_pull_request(org, name, stale.id)
    return pr


def open_upgrade(state: ServiceState, org: str, forge: Forge) -> PullRequest | None:
    """The upgrade pull request open on the forge, if any (what `--check` mentions)."""
    org, name = _forge_repo(state, org)
    if not forge.repo_exists(org, name):
        return None
    return next((p for p in forge.list_pull_requests(org, name, "open") if p.head.startswith(UPGRADE_PREFIX)), None)
