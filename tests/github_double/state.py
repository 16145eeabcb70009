"""What the GitHub double remembers: orgs, teams, repos (real bare git repos), pull requests."""

from __future__ import annotations

import itertools
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

_ids = itertools.count(1000)


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def git(repo: Path, *args: str, input: str | None = None) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        input=input,
        capture_output=True,
        text=True,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(repo),
            "GIT_AUTHOR_NAME": "GitHub",
            "GIT_AUTHOR_EMAIL": "noreply@github.test",
            "GIT_COMMITTER_NAME": "GitHub",
            "GIT_COMMITTER_EMAIL": "noreply@github.test",
        },
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr}")
    return proc.stdout.strip()


@dataclass
class Pull:
    number: int
    title: str
    body: str
    head: str
    base: str
    state: str = "open"
    merged: bool = False
    merge_sha: str | None = None


@dataclass
class Shared:
    """An organization Actions variable or secret and the repos it is shared with."""

    value: str = ""
    visibility: str = "all"  # all | private | selected
    selected: set[str] = field(default_factory=set)  # repo names, when visibility is `selected`

    def reaches(self, repo: Repo) -> bool:
        return self.visibility == "all" or (self.visibility == "private" and repo.private) or repo.name in self.selected


@dataclass
class Repo:
    org: str
    name: str
    path: Path
    id: int = field(default_factory=lambda: next(_ids))
    private: bool = True
    description: str = ""
    settings: dict = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    protection: dict[str, dict] = field(default_factory=dict)
    environments: dict[str, dict] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)  # slug -> permission
    pulls: list[Pull] = field(default_factory=list)
    actions_access: str = "none"  # who may call its workflows: none | user | organization | enterprise
    variables: dict[str, str] = field(default_factory=dict)  # Actions variables: name -> value
    secrets: set[str] = field(default_factory=set)  # Actions secrets (names: values are never read back)
    issues: list[dict] = field(default_factory=list)  # GitHub's issue JSON (number, title, body, state, labels, ...)
    labels: dict[str, dict] = field(default_factory=dict)  # name -> GitHub's label JSON

    def branches(self) -> dict[str, str]:
        out = git(self.path, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/")
        return dict(line.split(" ", 1) for line in out.splitlines() if line)


class State:
    def __init__(
        self, root: Path, orgs: tuple[str, ...] = ("acme",), teams: tuple[str, ...] = ("team-a", "team-b", "platform")
    ) -> None:
        self.root = root
        self.lock = threading.RLock()
        self.orgs = {org: next(_ids) for org in orgs}
        self.teams = {(org, t): next(_ids) for org in orgs for t in teams}
        self.repos: dict[tuple[str, str], Repo] = {}
        self.foreign: set[tuple[str, str]] = set()  # names taken by repos the token cannot see
        self.org_variables: dict[tuple[str, str], Shared] = {}  # (org, name) -> organization Actions variable
        self.org_secrets: dict[tuple[str, str], Shared] = {}
        self.forbidden: list[str] = []  # regexes of REST paths the token may not use: 403
        self.now: Callable[[], str] = _utc_now  # the clock of issue creation and closing (tests may set it)

    def repo(self, org: str, name: str) -> Repo | None:
        return self.repos.get((org, name.removesuffix(".git")))

    def create(self, org: str, name: str, **settings) -> Repo:
        path = self.root / org / f"{name}.git"
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "-q", "--bare", "--initial-branch=main", str(path)], check=True, capture_output=True
        )
        git(path, "config", "http.receivepack", "true")
        repo = Repo(
            org=org,
            name=name,
            path=path,
            private=settings.pop("private", True),
            description=settings.pop("description", "") or "",
            settings=settings,
        )
        self.repos[(org, name)] = repo
        return repo

    def delete(self, org: str, name: str) -> None:
        repo = self.repos.pop((org, name))
        subprocess.run(["rm", "-rf", str(repo.path)], check=True)

    def pull_files(self, repo: Repo, pull: Pull) -> list[dict]:
        """GitHub's shape of `git diff base...head`: filename, status, and the hunks as `patch`."""
        branches = repo.branches()
        revs = f"{branches[pull.base]}...{branches[pull.head]}"
        words = {"A": "added", "M": "modified", "D": "removed"}
        out = []
        for row in git(repo.path, "diff", "--no-renames", "--name-status", revs).splitlines():
            status, path = row.split("\t", 1)
            patch = git(repo.path, "diff", "--no-renames", revs, "--", path)
            hunks = patch[patch.index("@@") :] if "@@" in patch else ""
            out.append({"filename": path, "status": words.get(status, "modified"), "patch": hunks})
        return out

    def merge(self, repo: Repo, pull: Pull) -> str | None:
        """A merge commit of head into base (the real thing, with git merge-tree); None on conflict."""
        branches = repo.branches()
        base, head = branches[pull.base], branches[pull.head]
        proc = subprocess.run(
            ["git", "merge-tree", "--write-tree", base, head],
            cwd=repo.path,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            return None
        tree = proc.stdout.split()[0]
        message = f"Merge pull request #{pull.number} from {repo.org}/{pull.head}\n\n{pull.title}"
        sha = git(repo.path, "commit-tree", tree, "-p", base, "-p", head, "-m", message)
        git(repo.path, "update-ref", f"refs/heads/{pull.base}", sha, base)
        return sha
