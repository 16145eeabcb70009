"""The embedded default forge: bare git repos on disk, pull requests as refs plus JSON records.

Layout under `root`:
  <org>/<repo>.git                    a bare repo (clone it, push to it, inspect it with git)
  <org>/<repo>.git/refs/pull/<n>/head the pull request's head, like GitHub's refs
  <org>/<repo>.git/plat/pulls/<n>.json the pull request record (title, body, state, branches)
  <org>/<repo>.git/plat/last-pull     the highest pull request number given
  <org>/<repo>.git/plat/open-heads/<b> the number of the open pull request of head branch <b>
                                      (URL-quoted): found without reading every record
  <org>/<repo>.git/plat/setup.json    how GitHub would guard the repo (required checks, team,
                                      environments): recorded, not enforced
  .incoming/<pid>-<random>            a repo being made: `git init --bare` runs here, and the finished
                                      repo is renamed into place, so a killed run never leaves a half-made
                                      repo where one is expected (the next run removes its leftovers)

While a pull request is open, `refs/pull/<n>/head` is a symbolic ref to its head branch, so it follows
every push to that branch (as GitHub's does); merging or closing pins it to the last head commit.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, fields, replace
from pathlib import Path
from urllib.parse import quote

from platform_cli import git, locks
from platform_cli.errors import ForgeError, NotFoundError
from platform_cli.forge.base import ActionsNames, Issue, IssueTracker, RepoSetup
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
        """Made aside and renamed into place: the repo appears whole or not at all."""
        path = self._path(org, repo)
        if self.repo_exists(org, repo):
            raise ForgeError(
                f"repo {org}/{repo} already exists on the local forge",
                hint=f"choose another name, or remove {path} if it is yours",
            )
        self._discard_half_made(path)
        aside = self._incoming()
        git.init(aside, bare=True)
        (aside / "description").write_text(description + "\n", encoding="utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            aside.rename(path)
        except OSError:  # another run made it first, in between
            shutil.rmtree(aside, ignore_errors=True)
            raise ForgeError(
                f"repo {org}/{repo} already exists on the local forge", hint="choose another name"
            ) from None
        return self.repo_url(org, repo)

    def delete_repo(self, org: str, repo: str) -> None:
        """Renamed aside first (the repo is gone at once, whole), then removed."""
        path = self._path(org, repo)
        if not path.exists():
            return
        aside = self._incoming()
        path.rename(aside / "deleted")
        shutil.rmtree(aside)

    def _incoming(self) -> Path:
        """A fresh folder for a repo being made or removed, on the forge's own disk; a killed run's
        leftovers there are removed first."""
        base = self.root / ".incoming"
        base.mkdir(parents=True, exist_ok=True)
        for old in base.iterdir():
            pid = old.name.split("-", 1)[0]
            if not (pid.isdigit() and _alive(int(pid))):
                shutil.rmtree(old, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))

    def _discard_half_made(self, path: Path) -> None:
        """A folder at a repo's place without HEAD, holding nothing but what `git init` makes, was
        left by an interrupted creation: no repo is there, so it goes. Anything else is refused."""
        if (path / "HEAD").is_file() or not (path.exists() or path.is_symlink()):
            return
        if not (path.is_dir() and not path.is_symlink() and _only_init_leftovers(path)):
            raise ForgeError(
                f"{path} is in the way of a repo on the local forge (it is not a git repo)",
                hint=f"move or remove {path}",
            )
        shutil.rmtree(path)

    def configure_repo(self, org: str, repo: str, setup: RepoSetup) -> str:
        """Nothing to enforce on disk (branch protection, teams and environments are GitHub's): the
        setup is recorded in plat/setup.json, so what GitHub would require can be read back."""
        record = self._require(org, repo) / "plat" / "setup.json"
        record.parent.mkdir(parents=True, exist_ok=True)
        tmp = record.with_name(f".setup.json.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(setup), indent=2), encoding="utf-8")
        tmp.replace(record)
        return (
            f"recorded in {record} ({len(setup.required_checks)} required checks; "
            "branch protection, teams, environments are enforced on GitHub only)"
        )

    def share_workflows(self, org: str, repo: str) -> None:
        """Every repo on disk can read every other: nothing to share."""

    def grant_write(self, org: str, repo: str, team: str) -> None:
        """No teams on disk: nothing to grant."""

    def check_teams(self, org: str, teams: tuple[str, ...]) -> None:
        """No teams on disk: nothing to check."""

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
            git.update_ref(path, f"refs/heads/{branch}", sha, expected or "0" * 40)
        except git.GitError as exc:
            raise ForgeError(
                f"branch {branch} of {org}/{repo} moved while plat committed to it",
                hint="run the same command again",
            ) from exc
        return sha

    def labelled_issues(self, org: str, repo: str, label: str, cache: Path) -> tuple[Issue, ...]:
        return ()  # no issue tracker: plat records incidents in the GitOps repo

    def issue_tracker(self) -> IssueTracker | None:
        return None  # no issue tracker: plat records incidents in the GitOps repo

    def mirror(self, org: str, repo: str, cache: Path) -> Path:
        """The repo itself: it is on this disk already."""
        return self._require(org, repo)

    def branch_sha(self, org: str, repo: str, branch: str) -> str | None:
        path = self._require(org, repo)
        loose = path / "refs" / "heads" / branch  # read as a file: a fleet scan asks this of every repo
        sha = loose.read_text(encoding="ascii").strip() if loose.is_file() else ""
        return (
            sha
            if len(sha) == 40 and all(c in "0123456789abcdef" for c in sha)
            else git.resolve(path, f"refs/heads/{branch}")
        )

    def delete_branch(self, org: str, repo: str, branch: str) -> None:
        path = self._path(org, repo)
        if git.ref_exists(path, f"refs/heads/{branch}"):
            git.delete_ref(path, f"refs/heads/{branch}")

    def open_pull_request(self, org: str, repo: str, head: str, base: str, title: str, body: str) -> PullRequest:
        if self.branch_sha(org, repo, head) is None:
            raise ForgeError(f"branch {head} does not exist in {org}/{repo}", hint="push the branch first")
        with locks.hold(self._pulls_dir(org, repo) / ".lock", f"the pull requests of {org}/{repo}", wait=True):
            existing = self._open_for_head(org, repo, head)
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
            git.symbolic_ref(self._path(org, repo), f"refs/pull/{number}/head", f"refs/heads/{head}")
            self._save(org, repo, pr)
        return pr

    def list_pull_requests(self, org: str, repo: str, state: str | None = None) -> tuple[PullRequest, ...]:
        self._require(org, repo)
        records = sorted(self._records(org, repo).items())
        pulls = (_read_record(path) for _, path in records)
        return tuple(pr for pr in pulls if state is None or pr.state == state)

    def get_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        path = self._pulls_dir(org, repo) / f"{number}.json"
        if not (path.exists() or path.is_symlink()):
            raise NotFoundError(
                f"no pull request #{number} in {org}/{repo}", hint=f"list them: plat pr list {org}/{repo}"
            )
        return _read_record(path)

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
            if not git.merge(work, f"origin/{pr.head}", message):  # not a conflict: GitError, git's own reason
                raise ForgeError(
                    f"pull request #{number} does not merge cleanly into {pr.base}",
                    hint=f"merge {pr.base} into {pr.head}, resolve the conflicts and push",
                )
            git.push(work, "origin", [f"HEAD:refs/heads/{pr.base}"])
            self._pin_head(org, repo, number, git.rev_parse(work, f"origin/{pr.head}"))
        merged = replace(pr, state="merged")
        self._save(org, repo, merged)
        return merged

    def close_pull_request(self, org: str, repo: str, number: int) -> PullRequest:
        pr = self.get_pull_request(org, repo, number)
        head = self.branch_sha(org, repo, pr.head)
        if head and pr.state == "open":
            self._pin_head(org, repo, number, head)
        closed = replace(pr, state="closed")
        self._save(org, repo, closed)
        return closed

    def _pin_head(self, org: str, repo: str, number: int, sha: str) -> None:
        """A pull request that is no longer open keeps its last head, whatever its branch does next."""
        git.point_ref(self._path(org, repo), f"refs/pull/{number}/head", sha)

    def _pulls_dir(self, org: str, repo: str) -> Path:
        return self._path(org, repo) / "plat" / "pulls"

    def _records(self, org: str, repo: str) -> dict[int, Path]:
        """The pull request records, by number (files not named `<number>.json` are not records)."""
        return {int(p.stem): p for p in self._pulls_dir(org, repo).glob("*.json") if p.stem.isdigit()}

    def _open_for_head(self, org: str, repo: str, head: str) -> PullRequest | None:
        """The open pull request proposing `head`, by its index entry (not a scan of every record)."""
        entry = self._heads_dir(org, repo) / quote(head, safe="")
        number = entry.read_text(encoding="utf-8").strip() if entry.is_file() else ""
        if not number.isdigit() or not (self._pulls_dir(org, repo) / f"{number}.json").is_file():
            return None
        pr = self.get_pull_request(org, repo, int(number))
        return pr if pr.state == "open" and pr.head == head else None

    def _heads_dir(self, org: str, repo: str) -> Path:
        """`plat/open-heads/<head>`: the number of the open pull request of each head branch; built from
        the records once, for a forge written before the index existed."""
        folder = self._path(org, repo) / "plat" / "open-heads"
        if not folder.is_dir():
            folder.mkdir(parents=True)
            for pr in self.list_pull_requests(org, repo, "open"):
                (folder / quote(pr.head, safe="")).write_text(str(pr.id), encoding="utf-8")
        return folder

    def _next_number(self, org: str, repo: str) -> int:
        """One more than the highest number given: the counter `plat/last-pull`, which `_save` moves before it
        writes a record; the records are read only where there is no counter yet (an older forge)."""
        counter = self._path(org, repo) / "plat" / "last-pull"
        given = counter.read_text(encoding="utf-8").strip() if counter.is_file() else ""
        return (int(given) if given.isdigit() else max(self._records(org, repo), default=0)) + 1

    def _save(self, org: str, repo: str, pr: PullRequest) -> None:
        folder = self._pulls_dir(org, repo)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{pr.id}.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(asdict(pr), indent=2), encoding="utf-8")
        last = self._next_number(org, repo) - 1
        if pr.id > last or not (folder.parent / "last-pull").is_file():  # the counter first: a kill in between
            (folder.parent / "last-pull").write_text(str(max(pr.id, last)), encoding="utf-8")  # skips a number
        tmp.replace(folder / f"{pr.id}.json")
        entry = self._heads_dir(org, repo) / quote(pr.head, safe="")
        if pr.state == "open":
            entry.write_text(str(pr.id), encoding="utf-8")
        elif entry.is_file() and entry.read_text(encoding="utf-8") == str(pr.id):
            entry.unlink()

    def _require(self, org: str, repo: str) -> Path:
        if not self.repo_exists(org, repo):
            raise ForgeError(
                f"repo {org}/{repo} does not exist on the local forge", hint=f"list repos: ls {self.root / org}"
            )
        return self._path(org, repo)


def _read_record(path: Path) -> PullRequest:
    """A pull request record, checked: a damaged or foreign one is a ForgeError naming the file."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _bad_record(path, f"it cannot be read as JSON ({type(exc).__name__})") from None
    wanted = {f.name: int if f.name == "id" else str for f in fields(PullRequest)}
    if not isinstance(data, dict) or set(data) - set(wanted) or set(wanted) - {"body"} - set(data):
        raise _bad_record(path, "it is not a pull request record (fields id, repo, title, head, base, state, url)")
    wrong = sorted(k for k, v in data.items() if type(v) is not wanted[k])
    if wrong or data["state"] not in ("open", "merged", "closed") or data["id"] != int(path.stem):
        raise _bad_record(path, f"its {', '.join(wrong) or 'state or id'} field holds something else")
    return PullRequest(**data)


def _bad_record(path: Path, why: str) -> ForgeError:
    return ForgeError(
        f"the pull request record {path} is damaged: {why}",
        hint=f"restore it, or delete {path} to forget that pull request (its branch and commits stay)",
    )


INIT_ENTRIES = frozenset({"config", "description", "hooks", "info", "objects", "refs", "branches", "HEAD"})


def _only_init_leftovers(path: Path) -> bool:
    """Nothing in `path` but the skeleton `git init --bare` writes: no object, no ref."""
    if not {p.name for p in path.iterdir()} <= INIT_ENTRIES:
        return False
    stored = [p for sub in ("objects", "refs") for p in (path / sub).rglob("*") if p.is_file()]
    return not stored


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _as_fetch(refspec: str) -> str:
    force, spec = ("+", refspec[1:]) if refspec.startswith("+") else ("", refspec)
    if ":" not in spec:
        ref = spec if spec.startswith("refs/") else f"refs/heads/{spec}"
        spec = f"{ref}:{ref}"
    return force + spec
