"""The embedded default forge: bare git repos on disk, pull requests as refs plus JSON records.

Layout under `root`:
  <org>/<repo>.git                    a bare repo (clone it, push to it, inspect it with git)
  <org>/<repo>.git/refs/pull/<n>/head the pull request's head, like GitHub's refs
  <org>/<repo>.git/plat/pulls/<n>.json the pull request record (title, body, state, branches)
  <org>/<repo>.git/plat/setup.json    how GitHub would guard the repo (required checks, team,
                                      environments): recorded, not enforced
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict, replace
from pathlib import Path

from platform_cli import git
from platform_cli.errors import ForgeError
from platform_cli.forge.base import ActionsNames, Issue, RepoSetup
from platform_cli.models import ChangedFile, PullRequest


class LocalForge:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, org: str, repo: str) -> Path:
        return self.root / org / f"{repo}.git"

    def repo_url(self, org: str, repo: str) -> str:
        return str(self._path(org, repo))

    def repo_exists(self, org: str, repo: str) -> bool:
        return (self._path(org, repo) / "HEAD").is_file()

    def create_repo(self, org: str, repo: str, description: str = "") -> str:
        path = self._path(org, repo)
        if path.exists():
            raise ForgeError(
                f"repo {org}/{repo} already exists on the local forge",
                hint=f"choose another name, or remove {path} if it is yours",
            )
        git.init(path, bare=True)
        (path / "description").write_text(description + "\n", encoding="utf-8")
        return self.repo_url(org, repo)

    def delete_repo(self, org: str, repo: str) -> None:
        shutil.rmtree(self._path(org, repo), ignore_errors=True)

    def configure_repo(self, org: str, repo: str, setup: RepoSetup) -> str:
        """Nothing to enforce on disk (branch protection, teams and environments are GitHub's): the
        setup is recorded in plat/setup.json, so what GitHub would require can be read back."""
        record = self._require(org, repo) / "plat" / "setup.json"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(asdict(setup), indent=2), encoding="utf-8")
        return (
            f"recorded in {record} ({len(setup.required_checks)} required checks; "
            "branch protection, teams, environments are enforced on GitHub only)"
        )

    def share_workflows(self, org: str, repo: str) -> None:
        """Every repo on disk can read every other: nothing to share."""

    def actions_names(self, org: str, repo: str) -> ActionsNames | None:
        return None  # no Actions run on the local forge

    def push(self, local: Path, org: str, repo: str, refspecs: list[str]) -> None:
        """As `git push` of `refspecs` (a bare name is a branch) from `local`; done as a fetch by the
        forge's repo, which spares git a process on each side (~30 % faster)."""
        git.fetch_into(self._require(org, repo), local, [_as_fetch(spec) for spec in refspecs])

    def clone(self, org: str, repo: str, dest: Path) -> None:
        self._require(org, repo)
        git.clone(self.repo_url(org, repo), dest)

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
        """Moves `branch` only if it is still where it was read (a compare-and-swap, as GitHub's leased
        push): a concurrent change is never lost, the caller gets a ForgeError and may retry."""
        path = self._require(org, repo)
        parent = self.branch_sha(org, repo, base) if base else None
        expected = parent if base == branch else self.branch_sha(org, repo, branch)
        sha = git.commit_tree(path, parent, files, message, at)
        try:
            git.run(["update-ref", f"refs/heads/{branch}", sha, expected or "0" * 40], path)
        except git.GitError as exc:
            raise ForgeError(
                f"branch {branch} of {org}/{repo} moved while plat committed to it",
                hint="run the same command again",
            ) from exc
        return sha

    def labelled_issues(self, org: str, repo: str, label: str, cache: Path) -> tuple[Issue, ...]:
        return ()  # no issue tracker: plat records incidents in the GitOps repo

    def mirror(self, org: str, repo: str, cache: Path) -> Path:
        """The repo itself: it is on this disk already."""
        return self._require(org, repo)

    def branch_sha(self, org: str, repo: str, branch: str) -> str | None:
        return git.resolve(self._require(org, repo), f"refs/heads/{branch}")

    def delete_branch(self, org: str, repo: str, branch: str) -> None:
        path = self._path(org, repo)
        if git.ref_exists(path, f"refs/heads/{branch}"):
            git.run(["update-ref", "-d", f"refs/heads/{branch}"], path)

    def open_pull_request(self, org: str, repo: str, head: str, base: str, title: str, body: str) -> PullRequest:
        sha = self.branch_sha(org, repo, head)
        if sha is None:
            raise ForgeError(f"branch {head} does not exist in {org}/{repo}", hint="push the branch first")
        existing = next((p for p in self.list_pull_requests(org, repo, "open") if p.head == head), None)
        number = existing.id if existing else self._next_number(org, repo)
        pr = PullRequest(
            id=number,
            repo=f"{org}/{repo}",
            title=title,
            head=head,
            base=base,
            state="open",
            url=f"{self.repo_url(org, repo)}#pull/{number}",
            body=body,
        )
        git.run(["update-ref", f"refs/pull/{number}/head", sha], self._path(org, repo))
        self._save(org, repo, pr)
        return pr

    def list_pull_requests(self, org: str, repo: str, state: str | None = None) -> tuple[PullRequest, ...]:
        self._require(org, repo)
        records = sorted(self._pulls_dir(org, repo).glob("*.json"), key=lambda p: int(p.stem))
        pulls = (PullRequest(**json.loads(p.read_text(encoding="utf-8"))) for p in records)
        return tuple(pr for pr in pulls if state is None or pr.state == state)

    def get_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        path = self._pulls_dir(org, repo) / f"{number}.json"
        if not path.is_file():
            raise ForgeError(f"no pull request #{number} in {org}/{repo}", hint=f"list them: plat pr list {org}/{repo}")
        return PullRequest(**json.loads(path.read_text(encoding="utf-8")))

    def pull_request_files(self, org: str, repo: str, number: int) -> tuple[ChangedFile, ...]:
        pr = self.get_pull_request(org, repo, number)
        head = f"refs/heads/{pr.head}" if self.branch_sha(org, repo, pr.head) else f"refs/pull/{number}/head"
        return git.changed_files(self._path(org, repo), f"refs/heads/{pr.base}...{head}")

    def merge_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        pr = self.get_pull_request(org, repo, number)
        if pr.state != "open":
            raise ForgeError(
                f"pull request #{number} in {org}/{repo} is {pr.state}", hint="only open pull requests merge"
            )
        with tempfile.TemporaryDirectory(prefix="plat-merge-") as tmp:
            work = Path(tmp) / "work"
            git.clone(self.repo_url(org, repo), work, branch=pr.base)
            message = f"Merge pull request #{number} from {pr.head}\n\n{pr.title}"
            try:
                git.run(["merge", "--no-ff", "--no-edit", "-m", message, f"origin/{pr.head}"], work)
            except git.GitError as exc:
                if not git.run(["diff", "--name-only", "--diff-filter=U"], work):
                    raise  # not a conflict: git's own reason is the message
                raise ForgeError(
                    f"pull request #{number} does not merge cleanly into {pr.base}",
                    hint=f"merge {pr.base} into {pr.head}, resolve the conflicts and push",
                ) from exc
            git.push(work, "origin", [f"HEAD:refs/heads/{pr.base}"])
        merged = replace(pr, state="merged")
        self._save(org, repo, merged)
        return merged

    def close_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        closed = replace(self.get_pull_request(org, repo, number), state="closed")
        self._save(org, repo, closed)
        return closed

    def _pulls_dir(self, org: str, repo: str) -> Path:
        return self._path(org, repo) / "plat" / "pulls"

    def _next_number(self, org: str, repo: str) -> int:
        return max((int(p.stem) for p in self._pulls_dir(org, repo).glob("*.json")), default=0) + 1

    def _save(self, org: str, repo: str, pr: PullRequest) -> None:
        folder = self._pulls_dir(org, repo)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{pr.id}.json.tmp"
        tmp.write_text(json.dumps(asdict(pr), indent=2), encoding="utf-8")
        tmp.replace(folder / f"{pr.id}.json")

    def _require(self, org: str, repo: str) -> Path:
        if not self.repo_exists(org, repo):
            raise ForgeError(
                f"repo {org}/{repo} does not exist on the local forge", hint=f"list repos: ls {self.root / org}"
            )
        return self._path(org, repo)


def _as_fetch(refspec: str) -> str:
    force, spec = ("+", refspec[1:]) if refspec.startswith("+") else ("", refspec)
    if ":" not in spec:
        ref = spec if spec.startswith("refs/") else f"refs/heads/{spec}"
        spec = f"{ref}:{ref}"
    return force + spec
