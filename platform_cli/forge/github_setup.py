"""Guard a new service repo on GitHub: protect `main`, give the owning team access (and the platform
team, when one is configured, the write access a code owner needs), create the deployment environments
(production waits for the team's review). Every write is a PUT: idempotent."""

from __future__ import annotations

from collections.abc import Mapping

from platform_cli.errors import ForgeError
from platform_cli.forge.base import RepoSetup
from platform_cli.forge.github_client import Api, ApiError


def configure(api: Api, org: str, repo: str, setup: RepoSetup, known: Mapping[tuple[str, str], int]) -> None:
    """`known`: team ids already asked for (by check_teams), by (org, slug)."""
    base = f"/repos/{org}/{repo}"
    api.call("PUT", f"{base}/branches/main/protection", protection(setup))
    if setup.topics:
        api.call("PUT", f"{base}/topics", {"names": list(setup.topics)})
    team = known.get((org, setup.team)) or team_id(api, org, setup.team)
    api.call("PUT", f"/orgs/{org}/teams/{setup.team}/repos/{org}/{repo}", {"permission": "maintain"})
    if setup.platform_team:
        grant_write(api, org, repo, setup.platform_team)
    for env in setup.environments:
        api.call("PUT", f"{base}/environments/{env}", environment(setup, env, team))


def protection(setup: RepoSetup) -> dict:
    checks = {"strict": True, "contexts": list(setup.required_checks)} if setup.required_checks else None
    return {
        "required_status_checks": checks,
        "enforce_admins": False,
        "required_pull_request_reviews": {
            "required_approving_review_count": setup.required_reviews,
            "dismiss_stale_reviews": True,
            "require_code_owner_reviews": True,
        },
        "restrictions": None,
        "required_linear_history": False,  # upgrades merge with merge commits: never require linear history
        "allow_force_pushes": False,
        "allow_deletions": False,
    }


def environment(setup: RepoSetup, env: str, team_id: int) -> dict:
    if env not in setup.reviewed_environments:
        return {}
    return {
        "reviewers": [{"type": "Team", "id": team_id}],
        "deployment_branch_policy": {"protected_branches": True, "custom_branch_policies": False},
    }


def team_id(api: Api, org: str, team: str) -> int:
    try:
        _, data = api.call("GET", f"/orgs/{org}/teams/{team}")
    except ApiError as exc:
        if exc.status != 404:
            raise
        raise ForgeError(
            f"team {team} not found in the GitHub organization {org}",
            hint=f"create the team {team} in {org}, or correct the name (the owner answer, or plat's platform_team "
            "setting, must be a team slug of the org), then run the same command again; the token needs read:org",
        ) from None
    return int(data["id"])


def grant_write(api: Api, org: str, repo: str, team: str) -> None:
    """Code owners need write access: a CODEOWNERS team without it is ignored by GitHub."""
    try:
        api.call("PUT", f"/orgs/{org}/teams/{team}/repos/{org}/{repo}", {"permission": "push"})
    except ApiError as exc:
        if exc.status != 404:
            raise
        raise ForgeError(
            f"team {team} not found in the GitHub organization {org}",
            hint=f"create the team {team} in {org} ({repo}'s CODEOWNERS names it), then run the same command "
            "again: it resumes",
        ) from None
