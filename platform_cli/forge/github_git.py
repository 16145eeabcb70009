"""git over HTTPS to GitHub, authenticated without ever writing the token down.

The token travels only in an `http.<base>/.extraHeader` passed through GIT_CONFIG_COUNT /
GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n environment variables of the one git process that needs it:
never in a remote URL, a .git/config, the command line (visible in `ps`), a log line or an error.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from platform_cli import git
from platform_cli.errors import ForgeError


class GitRemote:
    """git operations against one GitHub host; `token` is asked for at each call (App tokens expire)."""

    def __init__(self, web_url: str, token: Callable[[], str]) -> None:
        self.web_url = web_url.rstrip("/")
        self._token = token
        self.calls = 0

    def url(self, org: str, repo: str) -> str:
        return f"{self.web_url}/{org}/{repo}.git"

    def run(self, args: list[str], cwd: Path | None = None, input: str | None = None) -> str:
        self.calls += 1
        try:
            return git.run_remote(args, cwd, input=input, env=self._auth_env())
        except git.NetworkTimeout:
            raise
        except git.GitError as exc:
            kind = RepoNotFound if _not_found(exc.stderr) else ForgeError
            raise kind(
                f"git {args[0]} to GitHub failed: {git.reason(exc.stderr)}",
                hint="check the repo exists and the token may push to it; run the same command again to resume",
            ) from None

    def probe(self, org: str, repo: str) -> dict[str, str] | None:
        """The branches of the repo, or None when GitHub says it does not exist (or the token cannot see
        it): a repo's existence asked over git, which costs no REST call."""
        try:
            return self.refs(org, repo)
        except RepoNotFound:
            return None

    def _auth_env(self) -> dict[str, str]:
        basic = base64.b64encode(f"x-access-token:{self._token()}".encode()).decode()
        n = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)  # keep configuration the caller passed this way
        return {
            "GIT_CONFIG_COUNT": str(n + 1),
            f"GIT_CONFIG_KEY_{n}": f"http.{self.web_url}/.extraHeader",
            f"GIT_CONFIG_VALUE_{n}": f"Authorization: Basic {basic}",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C",
        }  # git's own messages in English: a missing repo is recognised by them

    def push(self, local: Path, org: str, repo: str, refspecs: list[str]) -> None:
        self.run(["push", self.url(org, repo), *refspecs], local)

    def clone(self, org: str, repo: str, dest: Path) -> None:
        self.run(["clone", "-q", self.url(org, repo), str(dest)])

    def refs(self, org: str, repo: str, pattern: str = "refs/heads/*") -> dict[str, str]:
        out = self.run(["ls-remote", self.url(org, repo), pattern])
        return {ref: sha for sha, ref in (line.split("\t", 1) for line in out.splitlines() if line)}

    def commit_files(
        self,
        org: str,
        repo: str,
        branch: str,
        base: str | None,
        files: dict[str, str],
        message: str,
        expected: str | None,
        at: str | None = None,
    ) -> str:
        """Build the commit in a throwaway bare repo (branch `base` fetched shallowly) and push it, leased
        on `expected` (the branch's sha now; None: it must not exist) so a concurrent change is not lost."""
        with tempfile.TemporaryDirectory(prefix="plat-gh-commit-") as tmp:
            bare = Path(tmp) / "repo.git"
            git.init(bare, bare=True)
            parent = None
            if base:
                self.run(["fetch", "-q", "--depth=1", "--no-tags", self.url(org, repo), f"refs/heads/{base}"], bare)
                parent = git.rev_parse(bare, "FETCH_HEAD")
            sha = git.commit_tree(bare, parent, files, message, at)
            lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
            self.run(["push", lease, self.url(org, repo), f"{sha}:refs/heads/{branch}"], bare)
        return sha

    def mirror(self, org: str, repo: str, dest: Path) -> Path:
        """A bare copy of the repo's branches at `dest`, fetched again (only what is new) on each call."""
        if not (dest / "HEAD").is_file():
            git.init(dest, bare=True)
        self.run(["fetch", "-q", "--prune", "--no-tags", self.url(org, repo), "+refs/heads/*:refs/heads/*"], dest)
        return dest


class RepoNotFound(ForgeError):
    """GitHub's git endpoint answered 404: no such repo, or one the token cannot see."""


def _not_found(stderr: str) -> bool:
    """git's words for an HTTP 404 on the repo (`fatal: repository '…' not found`; GitHub adds
    `remote: Repository not found.`)."""
    text = stderr.lower()
    return "repository not found" in text or ("fatal: repository '" in text and "' not found" in text)
