"""GitHub Actions settings of a repo: who may call its reusable workflows, and which variables and
secrets its workflows can read (names only: plat never reads a value)."""

from __future__ import annotations

from platform_cli.errors import ForgeError
from platform_cli.forge.base import ActionsNames
from platform_cli.forge.github_client import Api, ApiError

# listing endpoint -> (key of the list in the answer, largest page GitHub serves)
LISTS = {
    "actions/variables": ("variables", 30),
    "actions/organization-variables": ("variables", 30),
    "actions/secrets": ("secrets", 100),
    "actions/organization-secrets": ("secrets", 100),
}


def share(api: Api, org: str, repo: str) -> None:
    """Make the private repo's reusable workflows and actions usable by the org's repos."""
    path = f"/repos/{org}/{repo}/actions/permissions/access"
    try:
        api.call("PUT", path, {"access_level": "organization"})
    except ApiError as exc:
        if exc.status not in (403, 404):
            raise
        raise ForgeError(
            f"could not let the repos of {org} use the workflows of {org}/{repo} (GitHub answered {exc.status})",
            hint=f"an admin of {org}/{repo} allows it once: gh api -X PUT repos/{org}/{repo}/actions/"
            "permissions/access -f access_level=organization (docs/github.md); "
            "then run the same command again",
        ) from None


def names(api: Api, org: str, repo: str) -> ActionsNames:
    """Four listings (more only past 30 variables or 100 secrets): the repo's and the org's shared ones."""
    found = {endpoint: _names(api, f"/repos/{org}/{repo}/{endpoint}", *spec) for endpoint, spec in LISTS.items()}
    return ActionsNames(
        variables=found["actions/variables"] | found["actions/organization-variables"],
        secrets=found["actions/secrets"] | found["actions/organization-secrets"],
    )


def _names(api: Api, path: str, key: str, per_page: int) -> frozenset[str]:
    out: set[str] = set()
    for page in range(1, 100):
        try:
            _, data = api.call("GET", path, params={"per_page": per_page, "page": page})
        except ApiError as exc:
            if exc.status in (403, 404):
                raise ForgeError(
                    f"the token may not list {path.rsplit('/', 1)[-1]} of the repo (GitHub answered {exc.status})",
                    hint="give it read access to Actions variables and secrets: the repo scope of a "
                    "classic token, or the Variables and Secrets repository permissions (read) "
                    "of a fine-grained token or GitHub App",
                ) from None
            raise
        items = data.get(key) or []
        out |= {str(item["name"]) for item in items}
        if len(items) < per_page or len(out) >= int(data.get("total_count") or 0):
            break
    return frozenset(out)
