"""`plat pr list|show|merge`: the pull requests plat opened, on any forge."""

from __future__ import annotations

from platform_cli.errors import UsageError
from platform_cli.forge.base import Forge
from platform_cli.models import PullRequest


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


def show_pull(forge: Forge, repo: str, default_org: str, number: int) -> PullRequest:
    org, name = split_repo(repo, default_org)
    return forge.get_pull_request(org, name, number)


def merge_pull(forge: Forge, repo: str, default_org: str, number: int) -> PullRequest:
    org, name = split_repo(repo, default_org)
    return forge.merge_pull_request(org, name, number)
