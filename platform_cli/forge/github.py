"""The GitHub forge (github.com or GitHub Enterprise), over PyGithub: the only PyGithub user in plat.

REST calls go through `Api` (counted, retried, translated into ForgeError); git goes over HTTPS with
the token in an environment-only extraHeader (`GitRemote`). Whether a repo exists and its branches
are read with `git ls-remote`, and GitOps commits are built locally and pushed, so none of them costs
a REST call. With an ETag cache folder, the reads a fleet scan repeats (pull request lists, a pull
request, a repo) are conditional requests: an unchanged answer is a free 304. See docs/github.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platform_cli.errors import ForgeError, NotFoundError
from platform_cli.forge import github_actions, github_issues
from platform_cli.forge.base import ActionsNames, Issue, IssueTracker, RepoSetup
from platform_cli.forge.github_client import Api, ApiError, ConnectionLost, Credentials, Sleep, credentials_from_env
from platform_cli.forge.github_git import GitRemote
from platform_cli.forge.github_setup import configure, grant_write, team_id
from platform_cli.models import ChangedFile, PullRequest

PUBLIC_API = "https://api.github.com"
REPO_DEFAULTS = {
    "private": True,
    "has_wiki": False,
    "has_projects": False,
    "allow_squash_merge": False,
    "allow_rebase_merge": False,
    "allow_merge_commit": True,
    "delete_branch_on_merge": True,
}


def web_url(api_url: str) -> str:
    """https://api.github.com -> https://github.com; https://HOST/api/v3 -> https://HOST."""
    api_url = api_url.rstrip("/")
    if api_url == PUBLIC_API:
        return "https://github.com"
    if not api_url.endswith("/api/v3"):
        raise ForgeError(
            f"github_url {api_url} is not a GitHub API URL",
            hint="use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server",
        )
    return api_url[: -len("/api/v3")]


class GitHubForge:
    name = "github"

    def __init__(
        self, api_url: str, creds: Credentials, *, sleep: Sleep = time.sleep, etags: Path | None = None
    ) -> None:
        self.api = Api(api_url, creds, sleep=sleep)
        self.etags = etags  # the ETag cache's folder: None sends every read unconditionally
        self.git = GitRemote(web_url(api_url), self.api.token)
        self._exists: dict[tuple[str, str], bool] = {}
        self._pulls: dict[tuple[str, str, int], PullRequest] = {}
        self._branches: dict[tuple[str, str], dict[str, str]] = {}  # refs seen by ls-remote, kept while we write
        self._team_ids: dict[tuple[str, str], int] = {}  # teams found by check_teams

    @property
    def api_calls(self) -> int:
        """REST requests counted against the rate limit (304s are not: see `not_modified`)."""
        return self.api.count

    @property
    def not_modified(self) -> int:
        """Conditional requests GitHub answered 304: free of rate limit."""
        return self.api.not_modified

    def _etag(self, org: str, repo: str, what: str) -> Path | None:
        return None if self.etags is None else self.etags / org / f"{repo}.{what}.json"

    # --- repos ---
    def repo_url(self, org: str, repo: str) -> str:
        return self.git.url(org, repo)

    def repo_exists(self, org: str, repo: str) -> bool:
        """Asked over git (its branches are kept for branch_sha); the REST API answers only when git
        failed for another reason than a missing repo, and explains that failure (token, scopes, 5xx)."""
        if (org, repo) not in self._exists:
            try:
                refs = self.git.probe(org, repo)
            except ForgeError:
                self._exists[(org, repo)] = self._rest_exists(org, repo)
            else:
                self._exists[(org, repo)] = refs is not None
                if refs is not None:
                    self._branches[(org, repo)] = refs
        return self._exists[(org, repo)]

    def _rest_exists(self, org: str, repo: str) -> bool:
        try:
            self.api.call("GET", f"/repos/{org}/{repo}", cache=self._etag(org, repo, "repo"))
        except ApiError as exc:
            if exc.status != 404:
                raise
            return False
        return True

    def create_repo(self, org: str, repo: str, description: str = "") -> str:
        try:
            self.api.call("POST", f"/orgs/{org}/repos", {"name": repo, "description": description, **REPO_DEFAULTS})
        except ApiError as exc:
            raise _create_error(exc, org, repo) from None
        self._exists[(org, repo)] = True
        self._branches[(org, repo)] = {}  # a new repo is empty
        return self.repo_url(org, repo)

    def delete_repo(self, org: str, repo: str) -> None:
        self._branches.pop((org, repo), None)
        try:
            self.api.call("DELETE", f"/repos/{org}/{repo}")
        except ApiError as exc:
            if exc.status == 403:
                raise ForgeError(
                    f"not allowed to delete {org}/{repo} on GitHub",
                    hint="deleting needs the delete_repo scope (or App administration: write); "
                    "delete it in the repo settings instead",
                ) from None
            if exc.status != 404:
                raise
        self._exists[(org, repo)] = False

    def configure_repo(self, org: str, repo: str, setup: RepoSetup) -> str:
        configure(self.api, org, repo, setup, self._team_ids)
        teams = f"teams {setup.team}, {setup.platform_team}" if setup.platform_team else f"team {setup.team}"
        return (
            f"main protected ({len(setup.required_checks)} required checks), {teams}, "
            f"environments {', '.join(setup.environments)}"
        )

    def grant_write(self, org: str, repo: str, team: str) -> None:
        grant_write(self.api, org, repo, team)

    def check_teams(self, org: str, teams: tuple[str, ...]) -> None:
        """Each team (slug) exists in the org: asked before a repo is created for it (ids kept for
        configure_repo, so the check costs no extra call when the repo is then configured)."""
        for team in dict.fromkeys(t for t in teams if t):
            if (org, team) not in self._team_ids:
                self._team_ids[(org, team)] = team_id(self.api, org, team)

    # --- Actions ---
    def share_workflows(self, org: str, repo: str) -> None:
        github_actions.share(self.api, org, repo)

    def actions_names(self, org: str, repo: str) -> ActionsNames | None:
        return github_actions.names(self.api, org, repo)

    # --- git ---
    def push(self, local: Path, org: str, repo: str, refspecs: list[str]) -> None:
        self._branches.pop((org, repo), None)
        self.git.push(local, org, repo, refspecs)

    def clone(self, org: str, repo: str, dest: Path) -> None:
        self.git.clone(org, repo, dest)

    def commit_files(
        self,
        org: str,
        repo: str,
        branch: str,
        base: str | None,
        files: dict[str, str],
        message: str,
        at: str | None = None,
    ) -> str:
        refs = self._refs(org, repo)
        if base and f"refs/heads/{base}" not in refs:
            raise ForgeError(f"branch {base} does not exist in {org}/{repo}", hint="push the branch first")
        ref = f"refs/heads/{branch}"
        self._branches.pop((org, repo), None)
        sha = self.git.commit_files(org, repo, branch, base, files, message, refs.get(ref), at)
        self._branches[(org, repo)] = {**refs, ref: sha}
        return sha

    def labelled_issues(self, org: str, repo: str, label: str, cache: Path) -> tuple[Issue, ...]:
        return github_issues.labelled(self.api, org, repo, label, cache / org / f"{repo}.issues-{label}.json")

    def issue_tracker(self) -> IssueTracker | None:
        return github_issues.Tracker(self.api, self.etags)

    def mirror(self, org: str, repo: str, cache: Path) -> Path:
        self._branches.pop((org, repo), None)
        return self.git.mirror(org, repo, cache / org / f"{repo}.git")

    def branch_sha(self, org: str, repo: str, branch: str) -> str | None:
        return self._refs(org, repo).get(f"refs/heads/{branch}")

    def delete_branch(self, org: str, repo: str, branch: str) -> None:
        self._branches.pop((org, repo), None)
        try:
            self.api.call("DELETE", f"/repos/{org}/{repo}/git/refs/heads/{branch}")
        except ApiError as exc:
            if exc.status not in (404, 422):  # 422: the branch is already gone
                raise

    def _refs(self, org: str, repo: str) -> dict[str, str]:
        if self._exists.get((org, repo)) is False:
            raise _missing(org, repo)
        if (org, repo) not in self._branches:
            self._branches[(org, repo)] = self.git.refs(org, repo)
        return self._branches[(org, repo)]

    # --- pull requests ---
    def open_pull_request(self, org: str, repo: str, head: str, base: str, title: str, body: str) -> PullRequest:
        """One call when new; when GitHub says one is already open for `head`, update that one."""
        try:
            _, data = self.api.call(
                "POST", f"/repos/{org}/{repo}/pulls", {"title": title, "body": body, "head": head, "base": base}
            )
        except ApiError as exc:
            if exc.status == 404:
                raise _missing(org, repo) from None
            if exc.status != 422:
                raise
            if "already exists" not in exc.errors_text:
                raise _pull_error(exc, org, repo, head, base) from None
            _, found = self.api.call(
                "GET", f"/repos/{org}/{repo}/pulls", params={"state": "open", "head": f"{org}:{head}", "base": base}
            )
            _, data = self.api.call(
                "PATCH", f"/repos/{org}/{repo}/pulls/{found[0]['number']}", {"title": title, "body": body}
            )
        return self._remember(org, repo, data)

    def list_pull_requests(self, org: str, repo: str, state: str | None = None) -> tuple[PullRequest, ...]:
        query = {"open": "open", None: "all"}.get(state, "closed")
        pulls: list[PullRequest] = []
        for page in range(1, 100):
            try:
                _, data = self.api.call(
                    "GET",
                    f"/repos/{org}/{repo}/pulls",
                    params={"state": query, "per_page": 100, "page": page},
                    cache=self._etag(org, repo, f"pulls-{query}-{page}"),
                )
            except ApiError as exc:
                raise (_missing(org, repo) if exc.status == 404 else exc) from None
            pulls += [self._remember(org, repo, d) for d in data]
            if len(data) < 100:
                break
        return tuple(sorted((p for p in pulls if state is None or p.state == state), key=lambda p: p.id))

    def get_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        if (org, repo, number) in self._pulls:
            return self._pulls[(org, repo, number)]
        try:
            _, data = self.api.call(
                "GET", f"/repos/{org}/{repo}/pulls/{number}", cache=self._etag(org, repo, f"pull-{number}")
            )
        except ApiError as exc:
            if exc.status != 404:
                raise
            raise NotFoundError(
                f"no pull request #{number} in {org}/{repo}",
                hint=f"list them: plat pr list {org}/{repo} --forge github",
            ) from None
        return self._remember(org, repo, data)

    def pull_request_files(self, org: str, repo: str, number: int) -> tuple[ChangedFile, ...]:
        files: list[ChangedFile] = []
        for page in range(1, 31):  # GitHub lists at most 3,000 files of a pull request
            _, data = self.api.call(
                "GET", f"/repos/{org}/{repo}/pulls/{number}/files", params={"per_page": 100, "page": page}
            )
            files += [ChangedFile(d["filename"], d["status"], _patch(d)) for d in data]
            if len(data) < 100:
                break
        return tuple(files)

    def merge_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        """One PUT. When its answer is lost (or refused), GitHub is asked whether the pull request
        merged before anything is sent again: a merge is never reported as a conflict."""
        self._pulls.pop((org, repo, number), None)
        self._branches.pop((org, repo), None)
        pr = self.get_pull_request(org, repo, number)
        if pr.state != "open":
            raise ForgeError(
                f"pull request #{number} in {org}/{repo} is {pr.state}", hint="only open pull requests merge"
            )
        try:
            self._put_merge(org, repo, pr)
        except ConnectionLost:
            if self._merged(org, repo, number) is None:
                self._put_merge(org, repo, pr)  # it did not merge: sending it again is safe
        except ApiError as exc:
            if exc.status not in (405, 409):
                raise
            if self._merged(org, repo, number) is None:
                raise ForgeError(
                    f"pull request #{number} does not merge into {pr.base}: {exc.data.get('message', '')}",
                    hint=f"merge {pr.base} into {pr.head}, resolve the conflicts and push; "
                    "check the required reviews and checks",
                ) from None
        merged = PullRequest(**{**pr.__dict__, "state": "merged"})
        self._pulls[(org, repo, number)] = merged
        return merged

    def _put_merge(self, org: str, repo: str, pr: PullRequest) -> None:
        self.api.call(
            "PUT",
            f"/repos/{org}/{repo}/pulls/{pr.id}/merge",
            {"merge_method": "merge", "commit_title": f"Merge pull request #{pr.id} from {pr.head}"},
        )

    def _merged(self, org: str, repo: str, number: int) -> PullRequest | None:
        """The pull request as GitHub has it now, when it is merged; None otherwise."""
        self._pulls.pop((org, repo, number), None)
        now = self.get_pull_request(org, repo, number)
        return now if now.state == "merged" else None

    def close_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        _, data = self.api.call("PATCH", f"/repos/{org}/{repo}/pulls/{number}", {"state": "closed"})
        return self._remember(org, repo, data)

    def _remember(self, org: str, repo: str, data: Mapping[str, Any]) -> PullRequest:
        state = "merged" if data.get("merged") or data.get("merged_at") else data["state"]
        pr = PullRequest(
            id=data["number"],
            repo=f"{org}/{repo}",
            title=data["title"],
            head=data["head"]["ref"],
            base=data["base"]["ref"],
            state=state,
            url=data["html_url"],
            body=data.get("body") or "",
        )
        self._pulls[(org, repo, pr.id)] = pr
        return pr


def _patch(data: Mapping[str, Any]) -> str:
    """GitHub's hunks under the header `git diff` writes, so both forges' patches read alike."""
    if not data.get("patch"):
        return ""
    old = data.get("previous_filename") or data["filename"]
    return f"diff --git a/{old} b/{data['filename']}\n--- a/{old}\n+++ b/{data['filename']}\n{data['patch']}\n"


def _missing(org: str, repo: str) -> ForgeError:
    return ForgeError(
        f"repo {org}/{repo} does not exist on GitHub (or the token cannot see it)",
        hint=f"check the name, and that the token has access to {org}",
    )


def _pull_error(exc: ApiError, org: str, repo: str, head: str, base: str) -> ForgeError:
    fields = {e.get("field") for e in exc.data.get("errors", []) if isinstance(e, dict)}
    if fields & {"head", "base"}:
        missing = head if "head" in fields else base
        return ForgeError(f"branch {missing} does not exist in {org}/{repo}", hint="push the branch first")
    return exc


def _create_error(exc: ApiError, org: str, repo: str) -> ForgeError:
    if exc.missing_scopes():
        return exc
    if exc.status == 422 and "already exists" in exc.errors_text:
        return ForgeError(
            f"repo {org}/{repo} already exists on GitHub, and it is not one plat created in this run",
            hint="choose another service name (someone else owns that one, or the token cannot see it)",
        )
    if exc.status in (403, 404):
        return ForgeError(
            f"organization {org} not found on GitHub, or the token may not create repos in it",
            hint="check --org / PLAT_ORG; the token needs the repo scope and membership in the org "
            "(an App needs administration: write on the org)",
        )
    return exc


def from_settings(settings: Any, environ: Mapping[str, str] | None = None) -> GitHubForge:
    env = os.environ if environ is None else environ
    api_url = getattr(settings, "github_url", "") or PUBLIC_API
    return GitHubForge(api_url, credentials_from_env(env), etags=etag_folder(settings.home, api_url))


def etag_folder(home: Path, api_url: str) -> Path:
    """PLAT_HOME/cache/github/<API host>: the ETag cache of one GitHub (github.com, or an Enterprise host)."""
    return home / "cache" / "github" / (urlsplit(api_url).netloc.replace(":", "_") or "github")
