"""The Forge protocol: what plat needs from a code host. Local and GitHub forges implement it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from platform_cli.models import ChangedFile, PullRequest


@dataclass(frozen=True)
class RepoSetup:
    """How a new service repo is guarded: protected `main`, the owning team, deployment environments."""

    team: str  # the owning team's slug: gets maintain access and reviews production deployments
    environments: tuple[str, ...] = ("staging", "production")
    required_checks: tuple[str, ...] = ()  # status checks `main` requires (from the golden-path workflows)
    required_reviews: int = 1
    reviewed_environments: tuple[str, ...] = ("production",)  # deployments wait for the team's approval
    topics: tuple[str, ...] = ()
    platform_team: str = ""  # reviews platform-owned files (named in CODEOWNERS): gets write access; "" = none


@dataclass(frozen=True)
class ActionsNames:
    """The names of the GitHub Actions variables and secrets a repo's workflows can read: its own and
    the organization's ones shared with it (values are never read)."""

    variables: frozenset[str]
    secrets: frozenset[str]


@dataclass(frozen=True)
class Issue:
    """An issue of a repo's tracker (GitHub issues), as plat reads incidents from it."""

    number: int
    title: str
    body: str
    opened: int  # seconds since the epoch
    closed: int | None  # None while open
    labels: tuple[str, ...] = ()
    url: str = ""  # the issue's page


class IssueTracker(Protocol):
    """A forge's issue tracker, where incidents are filed as issues (GitHub): what `Forge.issue_tracker`
    hands out where the forge has one."""

    def open_issue(self, org: str, repo: str, title: str, body: str, label: str) -> Issue:
        """File an issue carrying `label`, creating the label first when the repo does not have it."""

    def issue(self, org: str, repo: str, number: int) -> Issue | None:
        """The issue numbered `number`; None when there is none (or the number is a pull request's)."""

    def close_issue(self, org: str, repo: str, number: int) -> Issue: ...


def fetch_url(location: str) -> str:
    """A repo's clone URL as git and Terraform's `git::` module sources read it on any machine: a URL
    unchanged (GitHub: https://github.com/ORG/REPO.git), a local forge's path as a file:// URL."""
    return location if "://" in location else Path(location).resolve().as_uri()


class Forge(Protocol):
    name: str

    def repo_url(self, org: str, repo: str) -> str:
        """The clone URL (never carries a credential)."""

    def repo_exists(self, org: str, repo: str) -> bool: ...

    def create_repo(self, org: str, repo: str, description: str = "") -> str:
        """Create an empty repo; return its clone URL. Raises ForgeError if it exists."""

    def delete_repo(self, org: str, repo: str) -> None: ...

    def configure_repo(self, org: str, repo: str, setup: RepoSetup) -> str:
        """Protect `main`, grant the team access, create the environments (idempotent; a no-op where the
        forge has no such notions, like the local one). Return what was done, for the progress line."""

    def grant_write(self, org: str, repo: str, team: str) -> None:
        """Give `team` write access to the repo (idempotent; a no-op where the forge has no teams): GitHub
        ignores a CODEOWNERS team that cannot write, and the GitOps repo's names each service's team."""

    def check_teams(self, org: str, teams: tuple[str, ...]) -> None:
        """Raise ForgeError naming the first of `teams` (slugs; "" ignored) the org does not have,
        before anything is created for them. A no-op where the forge has no teams (the local one)."""

    def share_workflows(self, org: str, repo: str) -> None:
        """Let the org's other repos use this (private) repo's reusable workflows and actions: GitHub's
        Actions access setting. A no-op where the forge has no such setting (the local forge)."""

    def actions_names(self, org: str, repo: str) -> ActionsNames | None:
        """The Actions variables and secrets the repo's workflows can read; None where the forge runs
        no Actions (the local forge)."""

    def push(self, local: Path, org: str, repo: str, refspecs: list[str]) -> None:
        """Push refs of the local repo at `local`; the forge supplies any credentials."""

    def clone(self, org: str, repo: str, dest: Path) -> None: ...

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
        """Commit `files` (path -> text) on top of branch `base` (None: a first commit) and point
        `branch` at the result, without a working clone; return the commit sha. `branch` moves only
        from where it was read (ForgeError when it moved meanwhile). `at`: author and committer date
        (None: git's own, honouring GIT_AUTHOR_DATE / GIT_COMMITTER_DATE)."""

    def labelled_issues(self, org: str, repo: str, label: str, cache: Path) -> tuple[Issue, ...]:
        """The repo's issues (open and closed) carrying `label`, read with conditional requests whose
        ETags are kept under `cache`; () where the forge has no issue tracker (the local forge)."""

    def issue_tracker(self) -> IssueTracker | None:
        """The forge's issue tracker, where `plat incident` files incidents (GitHub); None where the forge
        has none (the local forge): incidents are then recorded in the GitOps repo."""

    def mirror(self, org: str, repo: str, cache: Path) -> Path:
        """A bare repo on this machine holding the repo's branches as they are now, to read its history
        with git: the repo itself on the local forge, a fetched copy under `cache` elsewhere."""

    def branch_sha(self, org: str, repo: str, branch: str) -> str | None: ...

    def delete_branch(self, org: str, repo: str, branch: str) -> None: ...

    def open_pull_request(self, org: str, repo: str, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a PR, or update and return the open one already proposing `head`."""

    def list_pull_requests(self, org: str, repo: str, state: str | None = None) -> tuple[PullRequest, ...]: ...

    def get_pull_request(self, org: str, repo: str, number: int) -> PullRequest: ...

    def pull_request_files(self, org: str, repo: str, number: int) -> tuple[ChangedFile, ...]:
        """What an open pull request changes against its base: each file with its diff."""

    def merge_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        """Merge with a merge commit (never squash: upgrades need the ancestry)."""

    def close_pull_request(self, org: str, repo: str, number: int) -> PullRequest: ...
