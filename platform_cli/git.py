"""The only module that runs git. Every call goes through `run`, which raises GitError."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from platform_cli.errors import PlatError
from platform_cli.models import ChangedFile

FALLBACK_IDENTITY = ("plat", "plat@localhost")
REPRODUCIBLE_ENV = {
    "GIT_AUTHOR_NAME": FALLBACK_IDENTITY[0],
    "GIT_AUTHOR_EMAIL": FALLBACK_IDENTITY[1],
    "GIT_COMMITTER_NAME": FALLBACK_IDENTITY[0],
    "GIT_COMMITTER_EMAIL": FALLBACK_IDENTITY[1],
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}


class GitError(PlatError):
    """A git command failed; carries the command, its exit code and stderr."""

    def __init__(self, args: tuple[str, ...], code: int, stderr: str) -> None:
        super().__init__(
            f"git {' '.join(args[:2])} failed (exit {code}): {reason(stderr)}",
            hint="run the same git command by hand to see the full error",
        )
        self.args_ = args
        self.code = code
        self.stderr = stderr


def reason(stderr: str) -> str:
    """The line of git's stderr that says what went wrong (not a `To ...`/`From ...` or hint line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    told = [line for line in lines if line.startswith(("fatal:", "error:", "! ["))]
    plain = [line for line in lines if not line.startswith(("hint:", "To ", "From "))]
    return (told or plain or lines or ["no output"])[0]


# Called after every git command with (args, cwd, exit code, seconds): `plat --verbose` shows them.
# Credentials never travel in args (see forge/github_git.py), so what observers see is safe to print.
_observers: list[Callable[[tuple[str, ...], Path | None, int, float], None]] = []


def observe(observer: Callable[[tuple[str, ...], Path | None, int, float], None]) -> Callable[[], None]:
    """Call `observer` after every git command until the returned function is called."""
    _observers.append(observer)
    return lambda: _observers.remove(observer)


def run(
    args: tuple[str, ...] | list[str],
    cwd: Path | None = None,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run git with `args` in `cwd`; return stdout stripped of its trailing newline."""
    argv = ("git", *_identity_flags(), *args)
    started = time.monotonic()
    proc = subprocess.run(
        argv, cwd=cwd, input=input, capture_output=True, text=True, env={**_env(), **(env or {})}, check=False
    )
    for observer in _observers:
        observer(tuple(args), cwd, proc.returncode, time.monotonic() - started)
    if proc.returncode != 0:
        raise GitError(tuple(args), proc.returncode, proc.stderr)
    return proc.stdout.rstrip("\n")


def succeeds(args: tuple[str, ...] | list[str], cwd: Path | None = None) -> bool:
    try:
        run(args, cwd)
    except GitError:
        return False
    return True


def init(path: Path, branch: str = "main", bare: bool = False) -> None:
    run(["init", "-q", f"--initial-branch={branch}", *(["--bare"] if bare else []), str(path)])


def commit_all(repo: Path, message: str, reproducible: bool = False) -> str:
    """Stage everything (executable bits included) and commit; return the new commit sha.

    `reproducible` commits as plat at a fixed date: the same content and parent give the same sha
    on every machine (used for releases plat publishes itself).
    """
    stage_all(repo)
    return commit(repo, message, env=REPRODUCIBLE_ENV if reproducible else None)


def stage_all(repo: Path) -> None:
    """`git add -A`, recording executable bits whatever the repo's core.fileMode says."""
    run(["-c", "core.fileMode=true", "add", "-A"], repo)


def commit(repo: Path, message: str, env: dict[str, str] | None = None) -> str:
    """Commit what is staged (an empty commit too), hooks skipped; return the new commit sha."""
    run(["-c", "core.fileMode=true", "commit", "-q", "--no-verify", "--allow-empty", "-m", message], repo, env=env)
    return rev_parse(repo, "HEAD")


def toplevel(path: Path) -> Path | None:
    """The root of the work tree holding `path`, or None when it is in none (or does not exist)."""
    try:
        return Path(run(["rev-parse", "--show-toplevel"], path if path.is_dir() else path.parent))
    except (GitError, OSError):
        return None


def has_changes(repo: Path, untracked: bool = True) -> bool:
    """Uncommitted changes to tracked files, and (`untracked`) files git does not track yet."""
    return bool(run(["status", "--porcelain", *([] if untracked else ["--untracked-files=no"])], repo))


def clear_worktree(root: Path) -> None:
    """Empty `root`, except its `.git`."""
    for child in root.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def commit_tree(repo: Path, parent: str | None, files: dict[str, str], message: str, at: str | None = None) -> str:
    """Commit `files` (path -> text) on top of `parent` (None: a root commit) with a throwaway index:
    no working tree, no ref moved; return the new commit's sha. `at`: the author and committer date
    (any date git reads); None keeps git's own (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE, else now)."""
    with tempfile.TemporaryDirectory(prefix="plat-index-") as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if parent:
            run(["read-tree", parent], repo, env=index)
        blobs = [Path(tmp) / f"blob-{i}" for i in range(len(files))]
        for blob, text in zip(blobs, files.values(), strict=True):
            blob.write_bytes(text.encode("utf-8"))
        shas = run(["hash-object", "-w", "--no-filters", "--stdin-paths"], repo, input="".join(f"{b}\n" for b in blobs))
        entries = "".join(f"100644 {sha}\t{name}\n" for sha, name in zip(shas.split(), files, strict=True))
        run(["update-index", "--add", "--index-info"], repo, input=entries, env=index)
        tree = run(["write-tree"], repo, env=index)
    dates = {"GIT_AUTHOR_DATE": at, "GIT_COMMITTER_DATE": at} if at else None
    return run(["commit-tree", tree, *(["-p", parent] if parent else []), "-m", message], repo, env=dates)


def cat_files(repo: Path, specs: list[str]) -> dict[str, str | None]:
    """The content of many objects (`REV:PATH` or blob shas) in one `git cat-file --batch`: spec ->
    text, None when it does not exist."""
    if not specs:
        return {}
    out = run(["cat-file", "--batch"], repo, input="".join(f"{s}\n" for s in specs) + "0" * 40 + "\n").encode()
    found: dict[str, str | None] = {}
    pos = 0
    for spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if header[-1] == b"missing" or len(header) < 3:
            found[spec], pos = None, end + 1
            continue
        size = int(header[2])
        found[spec] = out[end + 1 : end + 1 + size].decode("utf-8", errors="replace")
        pos = end + 1 + size + 1
    return found


def content_id(work_tree: Path, pathspecs: list[str], git_dir: Path, index: Path, exclude: tuple[str, ...] = ()) -> str:
    """The tree id of the files under `pathspecs` in `work_tree`: paths, content and executable bits.

    Blobs go into `git_dir` (created bare if missing); `index` is git's own stat cache between calls,
    so files unchanged since the last call are not read again. `exclude`: directory names to skip.
    """
    if not (git_dir / "HEAD").is_file():
        init(git_dir, bare=True)
    env = {"GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(work_tree), "GIT_INDEX_FILE": str(index)}
    specs = [*pathspecs, *(f":(exclude,glob)**/{name}/**" for name in exclude)]
    run(["-c", "core.fileMode=true", "-c", "core.autocrlf=false", "add", "-A", "-f", "--", *specs], work_tree, env=env)
    return run(["write-tree"], work_tree, env=env)


def rev_parse(repo: Path, rev: str) -> str:
    return run(["rev-parse", "--verify", "-q", f"{rev}^{{commit}}"], repo)


def resolve(repo: Path, ref: str) -> str | None:
    """The commit `ref` points to, or None when there is no such ref."""
    try:
        return rev_parse(repo, ref)
    except GitError:
        return None


def ref_exists(repo: Path, ref: str) -> bool:
    return succeeds(["rev-parse", "--verify", "-q", ref], repo)


def push(repo: Path, remote: str, refspecs: list[str]) -> None:
    run(["push", remote, *refspecs], repo)  # not -q: a rejection is told on stderr


def fetch_into(repo: Path, source: Path, refspecs: list[str]) -> None:
    """Fetch `refspecs` from the repo at `source` into `repo` (what a push from `source` does)."""
    run(["fetch", "--no-tags", "--no-write-fetch-head", str(source), *refspecs], repo)  # not -q: see push


def remote_refs(url: str) -> dict[str, str]:
    """`git ls-remote` as {ref: sha}."""
    out = run(["ls-remote", url])
    refs = {}
    for line in out.splitlines():
        sha, ref = line.split("\t", 1)
        refs[ref] = sha
    return refs


def clone(url: str, dest: Path, branch: str | None = None) -> None:
    run(["clone", "-q", *(["--branch", branch] if branch else []), url, str(dest)])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    env["LC_ALL"] = "C"
    return env


@lru_cache(maxsize=1)
def _identity_flags() -> tuple[str, ...]:
    """Use the user's identity when configured, plat's own otherwise (commits must not fail).

    Only the global and system configuration count (GIT_DIR points nowhere): an identity set in
    the repo plat happens to start in is absent from the temporary clones it also commits in."""
    proc = subprocess.run(
        ("git", "config", "--get", "user.email"),
        capture_output=True,
        text=True,
        env={**_env(), "GIT_DIR": os.devnull},
        check=False,
    )
    if proc.stdout.strip():
        return ()
    name, email = FALLBACK_IDENTITY
    return ("-c", f"user.name={name}", "-c", f"user.email={email}")


# --- helpers for upgrades (baseline branch, worktrees, merges) ---


def show(repo: Path, rev: str, path: str) -> str | None:
    """The content of `path` at `rev`, or None when it is not there."""
    try:
        return run(["show", f"{rev}:{path}"], repo)
    except GitError:
        return None


def is_ancestor(repo: Path, ancestor: str, rev: str) -> bool:
    return succeeds(["merge-base", "--is-ancestor", ancestor, rev], repo)


def merge_base(repo: Path, a: str, b: str) -> str | None:
    try:
        return run(["merge-base", a, b], repo)
    except GitError:
        return None


def current_branch(repo: Path) -> str | None:
    try:
        return run(["symbolic-ref", "-q", "--short", "HEAD"], repo)
    except GitError:
        return None


def worktree_add(repo: Path, path: Path, rev: str) -> None:
    run(["worktree", "prune"], repo)  # stale worktrees of interrupted runs
    run(["worktree", "add", "-q", "--detach", str(path), rev], repo)


def worktree_remove(repo: Path, path: Path) -> None:
    if not succeeds(["worktree", "remove", "--force", str(path)], repo):
        run(["worktree", "prune"], repo)


def tracked_files(repo: Path, rev: str) -> tuple[str, ...]:
    out = run(["ls-tree", "-r", "-z", "--name-only", rev], repo)
    return tuple(p for p in out.split("\0") if p)


STATUS = {"A": "added", "M": "modified", "D": "removed", "R": "renamed", "C": "added", "T": "modified"}


def changed_files(repo: Path, revisions: str) -> tuple[ChangedFile, ...]:
    """The files `git diff revisions` changes (e.g. `main...topic`), each with its own patch."""
    args = ["-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "-M"]
    fields = [f for f in run([*args, "--name-status", "-z", revisions], repo).split("\0") if f]
    patches = _patches_by_path(run([*args, revisions], repo))
    out, i = [], 0
    while i < len(fields):
        status = fields[i][0]
        path = fields[i + 2] if status in "RC" else fields[i + 1]
        out.append(ChangedFile(path, STATUS.get(status, "modified"), patches.get(path, "")))
        i += 3 if status in "RC" else 2
    return tuple(out)


def _patches_by_path(diff: str) -> dict[str, str]:
    """`git diff` output split into each file's part, keyed by its (new) path."""
    parts = re.split(r"(?m)^(?=diff --git )", diff)
    return {part.split("\n", 1)[0].rsplit(" b/", 1)[-1]: part for part in parts if part.startswith("diff --git ")}
