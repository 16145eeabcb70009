"""The only module that runs git. Every call goes through `run`, which raises GitError."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

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
READ_ONLY = {"GIT_OPTIONAL_LOCKS": "0"}  # `git status` leaves the index as it is (no stat-cache refresh)


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
    errors: str = "strict",
) -> str:
    """Run git with `args` in `cwd`; return stdout stripped of its trailing newline. `errors`: how
    bytes that are not UTF-8 are decoded ("replace" where the output shows a user's file content)."""
    argv = ("git", *_identity_flags(), *args)
    started = time.monotonic()
    proc = subprocess.run(
        argv,
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        errors=errors,
        env={**_env(), **(env or {})},
        check=False,
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


def as_plat(date: str) -> dict[str, str]:
    """Commit as plat at `date`: commits made from the same inputs are the same commits."""
    return {**REPRODUCIBLE_ENV, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}


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
    return bool(run(["status", "--porcelain", *([] if untracked else ["--untracked-files=no"])], repo, env=READ_ONLY))


def worktree_status(repo: Path) -> tuple[bool, bool]:
    """(uncommitted changes to tracked files?, untracked files?) from one `git status`."""
    lines = run(["status", "--porcelain"], repo, env=READ_ONLY).splitlines()
    return any(not line.startswith("??") for line in lines), any(line.startswith("??") for line in lines)


def status_lines(repo: Path) -> list[str]:
    """Every path `git status --porcelain` knows in `repo`: changed, untracked and ignored alike."""
    return run(["status", "--porcelain", "--ignored", "--untracked-files=all"], repo, env=READ_ONLY).splitlines()


def ref_shas(repo: Path, patterns: list[str], short: bool = False) -> list[tuple[str, str]]:
    """(sha, ref name) of every ref under `patterns` (`refs/heads`, `refs/tags`, ...); `short` names."""
    name = "%(refname:short)" if short else "%(refname)"
    out = run(["for-each-ref", f"--format=%(objectname) {name}", *patterns], repo)
    return [(sha, ref) for sha, _, ref in (line.partition(" ") for line in out.splitlines())]


def checkout_new(repo: Path, branch: str, start: str) -> None:
    """Check out `branch`, made (or reset) at `start`."""
    run(["checkout", "-q", "-B", branch, start], repo)


def remove_paths(repo: Path, paths: list[str]) -> None:
    """`git rm -r` the paths that exist of `paths` (from the index and the working tree)."""
    run(["rm", "-r", "-q", "--ignore-unmatch", "--", *paths], repo)


def clear_worktree(root: Path) -> None:
    """Empty `root`, except its `.git`."""
    for child in root.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


@contextmanager
def private_index() -> Iterator[dict[str, str]]:
    """The environment of a throwaway index (the repo's own index is never touched), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="plat-index-") as tmp:
        yield {"GIT_INDEX_FILE": str(Path(tmp) / "index")}


def commit_tree(repo: Path, parent: str | None, files: dict[str, str], message: str, at: str | None = None) -> str:
    """Commit `files` (path -> text) on top of `parent` (None: a root commit) with a throwaway index:
    no working tree, no ref moved; return the new commit's sha. `at`: the author and committer date
    (any date git reads); None keeps git's own (GIT_AUTHOR_DATE / GIT_COMMITTER_DATE, else now)."""
    with private_index() as index:
        if parent:
            run(["read-tree", parent], repo, env=index)
        blobs = [Path(index["GIT_INDEX_FILE"]).with_name(f"blob-{i}") for i in range(len(files))]
        for blob, text in zip(blobs, files.values(), strict=True):
            blob.write_bytes(text.encode("utf-8"))
        shas = run(["hash-object", "-w", "--no-filters", "--stdin-paths"], repo, input="".join(f"{b}\n" for b in blobs))
        entries = "".join(f"100644 {sha}\t{name}\n" for sha, name in zip(shas.split(), files, strict=True))
        run(["update-index", "--add", "--index-info"], repo, input=entries, env=index)
        tree = run(["write-tree"], repo, env=index)
    dates = {"GIT_AUTHOR_DATE": at, "GIT_COMMITTER_DATE": at} if at else None
    return commit_of(repo, tree, [parent] if parent else [], message, env=dates)


def tree_of(repo: Path, directory: Path) -> str:
    """The tree of every file in `directory` (executable bits included), written into `repo`'s objects
    through a throwaway index; `directory` need not be a work tree of `repo`."""
    with private_index() as index:
        env = {**index, "GIT_DIR": run(["rev-parse", "--absolute-git-dir"], repo), "GIT_WORK_TREE": str(directory)}
        run(["-c", "core.fileMode=true", "add", "-A", "."], directory, env=env)
        return run(["write-tree"], directory, env=env)


def export(repo: Path, rev: str, dest: Path) -> None:
    """Write the files of `rev` into `dest` (no `.git`), through a throwaway index."""
    with private_index() as index:
        run(["--work-tree", str(dest), "checkout", rev, "--", "."], repo, env=index)


def commit_of(repo: Path, tree: str, parents: list[str], message: str, env: dict[str, str] | None = None) -> str:
    """A commit of `tree` with `parents`; no ref moves."""
    return run(["commit-tree", tree, *(a for p in parents for a in ("-p", p)), "-m", message], repo, env=env)


def cat_files(repo: Path, specs: list[str]) -> dict[str, str | None]:
    """The content of many objects (`REV:PATH` or blob shas) in one `git cat-file --batch`: spec ->
    text, None when it does not exist."""
    if not specs:
        return {}
    batch = "".join(f"{s}\n" for s in specs) + "0" * 40 + "\n"  # a last, missing object: no content at the end
    out = run(["cat-file", "--batch"], repo, input=batch, errors="surrogateescape").encode(errors="surrogateescape")
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
    The cache is only a cache: when a killed run left its lock behind, a throwaway index is used.
    """
    if not (git_dir / "HEAD").is_file():
        init(git_dir, bare=True)
    try:
        return _tree_id(work_tree, pathspecs, git_dir, index, exclude)
    except GitError:
        if not index.with_name(index.name + ".lock").exists():
            raise
    with private_index() as throwaway:
        return _tree_id(work_tree, pathspecs, git_dir, Path(throwaway["GIT_INDEX_FILE"]), exclude)


def _tree_id(work_tree: Path, pathspecs: list[str], git_dir: Path, index: Path, exclude: tuple[str, ...]) -> str:
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


# A network transfer slower than LOW_SPEED_LIMIT bytes/s for LOW_SPEED_TIME seconds is stopped (git has no
# timeout of its own: a stalled push would wait forever). PLAT_GIT_LOW_SPEED_TIME changes the seconds.
LOW_SPEED_LIMIT = 1000
LOW_SPEED_TIME = 60


def run_remote(args: tuple[str, ...] | list[str], cwd: Path | None = None, **options: Any) -> str:
    """`run` for a git command that talks to a remote over the network: a stalled transfer stops
    (http.lowSpeedLimit / http.lowSpeedTime) with a message that says so."""
    seconds = os.environ.get("PLAT_GIT_LOW_SPEED_TIME", "").strip()
    seconds = seconds if seconds.isdigit() and int(seconds) > 0 else str(LOW_SPEED_TIME)
    limits = ("-c", f"http.lowSpeedLimit={LOW_SPEED_LIMIT}", "-c", f"http.lowSpeedTime={seconds}")
    try:
        return run([*limits, *args], cwd, **options)
    except GitError as exc:
        if "too slow" in exc.stderr.lower() or "timed out" in exc.stderr.lower():
            raise NetworkTimeout(tuple(args), exc.code, exc.stderr, int(seconds)) from None
        raise GitError(tuple(args), exc.code, exc.stderr) from None


class NetworkTimeout(GitError):
    """A git transfer stalled (less than LOW_SPEED_LIMIT bytes/s for the time allowed) and was stopped."""

    def __init__(self, args: tuple[str, ...], code: int, stderr: str, seconds: int) -> None:
        super().__init__(args, code, stderr)
        self.message = f"git {args[0]} stalled: less than {LOW_SPEED_LIMIT} bytes/s for {seconds}s, so it was stopped"
        self.hint = (
            "check the network (VPN, proxy) and run the same command again: it resumes; "
            "PLAT_GIT_LOW_SPEED_TIME=SECONDS allows a slower link longer"
        )


def push(repo: Path, remote: str, refspecs: list[str]) -> None:
    run_remote(["push", remote, *refspecs], repo)  # not -q: a rejection is told on stderr


def fetch_into(repo: Path, source: Path, refspecs: list[str]) -> None:
    """Fetch `refspecs` from the repo at `source` into `repo` (what a push from `source` does)."""
    run(["fetch", "--no-tags", "--no-write-fetch-head", str(source), *refspecs], repo)  # not -q: see push


def remote_refs(url: str) -> dict[str, str]:
    """`git ls-remote` as {ref: sha}."""
    out = run_remote(["ls-remote", url])
    refs = {}
    for line in out.splitlines():
        sha, ref = line.split("\t", 1)
        refs[ref] = sha
    return refs


def mirror(repo: Path, dest: Path) -> None:
    """A bare copy of every ref of the local `repo` that borrows its objects (nothing is written to
    `repo`): what a dry run works in."""
    run(["clone", "-q", "--mirror", "--shared", str(repo), str(dest)])


def clone(url: str, dest: Path, branch: str | None = None) -> None:
    run_remote(["clone", "-q", *(["--branch", branch] if branch else []), url, str(dest)])


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
    worktree_prune(repo)  # stale worktrees of interrupted runs
    run(["worktree", "add", "-q", "--detach", str(path), rev], repo)


def worktree_remove(repo: Path, path: Path) -> None:
    if not succeeds(["worktree", "remove", "--force", str(path)], repo):
        worktree_prune(repo)


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


# --- reading and moving what plat manages (no call site outside this module spells git's arguments) ---


def is_clean(repo: Path, untracked: bool = True) -> bool:
    return not has_changes(repo, untracked)


def untracked_files(repo: Path) -> frozenset[str]:
    """Files git does not track and does not ignore."""
    return frozenset(p for p in run(["ls-files", "--others", "--exclude-standard", "-z"], repo).split("\0") if p)


def tags(repo: Path, pattern: str = "v*") -> list[str]:
    return run(["tag", "--list", pattern], repo).split()


def tag(repo: Path, name: str, rev: str) -> None:
    run(["tag", name, rev], repo)


def message(repo: Path, rev: str) -> str:
    """The full message of commit `rev`."""
    return run(["log", "-1", "--format=%B", rev], repo)


def committer_date(repo: Path, rev: str) -> str:
    """The committer date of `rev` (strict ISO 8601)."""
    return run(["log", "-1", "--format=%cI", rev], repo)


def log(
    repo: Path,
    revs: list[str],
    fmt: str,
    paths: tuple[str, ...] | list[str] = (),
    limit: int = 0,
    first_parent: bool = False,
    raw: bool = False,
    no_walk: bool = False,
) -> str:
    """`git log --format=fmt revs -- paths`: only the newest `limit` commits (0: all), `first_parent`
    alone, `raw` each commit's changed files (full blob ids, no renames, a merge against its first
    parent), `no_walk` the commits of `revs` themselves in the order given."""
    args = ["log", f"--format={fmt}", *(["--no-walk=unsorted"] if no_walk else [])]
    args += ["--raw", "--no-abbrev", "--no-renames", "--diff-merges=first-parent"] if raw else []
    args += [*(["--first-parent"] if first_parent else []), *([f"--max-count={limit}"] if limit else [])]
    return run([*args, *revs, "--", *paths], repo)


COMMIT_GRAPH = ["rev-list", "--all", "--parents", "--timestamp", "--topo-order"]


def commit_graph(repo: Path) -> str:
    """Every commit reachable from any ref, in topological order, one per line: `<committer unix
    time> <sha> <parent sha>...` (`git rev-list --all --parents --timestamp --topo-order`)."""
    return run(COMMIT_GRAPH, repo)


def entries(repo: Path, rev: str, paths: tuple[str, ...] | list[str], recursive: bool = False) -> list[str]:
    """The paths of `rev`'s entries under `paths` (a `dir/` lists what is directly in it; `recursive`:
    every file below), one per line as `git ls-tree` prints them."""
    out = run(["ls-tree", *(["-r"] if recursive else []), "--name-only", rev, "--", *paths], repo)
    return [name for name in out.splitlines() if name]


def tag_dates(repo: Path, pattern: str = "v*") -> dict[str, str]:
    """Each tag matching `pattern` -> its creation date as git prints it (unix seconds): an annotated
    tag's own date, else its commit's."""
    out = run(["for-each-ref", "--format=%(refname:strip=2) %(creatordate:unix)", f"refs/tags/{pattern}"], repo)
    return dict(line.partition(" ")[::2] for line in out.splitlines())


def lines_at(repo: Path, revs: list[str], pathspecs: list[str]) -> str:
    """`REV:PATH NUL text` rows of every line of the text files under `pathspecs` in each of `revs`, in one
    `git grep`; GitError (exit 1) when there is no such line."""
    return run(["grep", "--null", "-I", "-e", "", *revs, "--", *pathspecs], repo)


def checkout_clean(repo: Path, rev: str) -> None:
    """Check out `rev` detached, dropping every local change and every untracked or ignored file."""
    run(["checkout", "-q", "--force", "--detach", rev], repo)
    run(["clean", "-q", "-f", "-d", "-x"], repo)


def add_remote(repo: Path, name: str, url: str) -> None:
    run(["remote", "add", name, url], repo)


def set_upstream(repo: Path, branch: str, upstream: str) -> None:
    """Make `upstream` (e.g. origin/main) what local `branch` tracks."""
    run(["branch", "-q", f"--set-upstream-to={upstream}", branch], repo)


def absolute_git_dir(repo: Path) -> str:
    return run(["rev-parse", "--absolute-git-dir"], repo)


def set_branch(repo: Path, name: str, rev: str, force: bool = False) -> None:
    """Create branch `name` at `rev` (`force`: move it there if it exists); no upstream is set."""
    run(["branch", "-q", "--no-track", *(["-f"] if force else []), name, rev], repo)


def update_ref(repo: Path, ref: str, new: str, old: str | None = None) -> None:
    """Point `ref` at `new`, only if it still points at `old` (when given)."""
    run(["update-ref", ref, new, *([old] if old else [])], repo)


def update_refs(repo: Path, updates: dict[str, str]) -> None:
    """Point each ref at its new value (a sha or any revision) in one `git update-ref --stdin`."""
    run(["update-ref", "--stdin"], repo, input="".join(f"update {ref} {new}\n" for ref, new in updates.items()))


def point_ref(repo: Path, ref: str, new: str) -> None:
    """Point `ref` itself at `new`: a symbolic ref becomes a plain one (the ref it named stays put)."""
    run(["update-ref", "--no-deref", ref, new], repo)


def symbolic_ref(repo: Path, ref: str, target: str) -> None:
    """Make `ref` follow the ref `target` (a symbolic ref)."""
    run(["symbolic-ref", ref, target], repo)


def delete_ref(repo: Path, ref: str) -> None:
    run(["update-ref", "-d", ref], repo)


def newest_commit(repo: Path, revs: list[str], grep: str, ancestry_path: bool = False) -> str | None:
    """The newest commit of `revs` (rev-list arguments, e.g. ["--all"] or ["a..b"]) whose message
    contains `grep` (a fixed string), in topological order; None when there is none."""
    found = run(
        [
            "rev-list",
            "-n",
            "1",
            "--topo-order",
            *(["--ancestry-path"] if ancestry_path else []),
            "--fixed-strings",
            f"--grep={grep}",
            *revs,
        ],
        repo,
    )
    return found or None


def changed_paths(repo: Path, a: str, b: str) -> frozenset[str]:
    """Paths that differ between revisions `a` and `b`."""
    return frozenset(p for p in run(["diff", "--name-only", "-z", a, b], repo).split("\0") if p)


def name_status(
    repo: Path, base: str, rev: str | None = "HEAD", renames: bool = True
) -> tuple[tuple[str, str, str], ...]:
    """(status letter, path, old path or "") of each file that differs from `base` to `rev`
    (None: to the index)."""
    args = ["diff", "--name-status", "-z", "-M" if renames else "--no-renames"]
    out = run([*args, *(["--cached", base] if rev is None else [base, rev])], repo)
    fields = iter(f for f in out.split("\0") if f)
    result = []
    for status in fields:
        first = next(fields)
        result.append((status[0], next(fields), first) if status[0] in "RC" else (status[0], first, ""))
    return tuple(result)


def diff(
    repo: Path,
    *revs: str,
    paths: tuple[str, ...] | list[str] = (),
    renames: bool = True,
    unified: int | None = None,
    prefixes: tuple[str, str] | None = None,
    reverse: bool = False,
) -> str:
    """`git diff revs -- paths` as text: with rename detection (`renames`), `unified` lines of context,
    `prefixes` instead of a/ and b/, `reverse` swapping both sides. A diff is shown, never applied:
    bytes that are not UTF-8 read as �."""
    args = ["-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "-M" if renames else "--no-renames"]
    args += [f"-U{unified}"] if unified is not None else []
    args += [f"--src-prefix={prefixes[0]}", f"--dst-prefix={prefixes[1]}"] if prefixes else []
    args += ["-R"] if reverse else []
    return run([*args, *revs, "--", *paths], repo, errors="replace")


def checkout_paths(repo: Path, rev: str, paths: list[str] | tuple[str, ...]) -> None:
    """Restore `paths` from `rev` into the index and the working tree."""
    run(["checkout", rev, "--", *paths], repo)


def move(repo: Path, source: str, target: str) -> None:
    run(["mv", "--", source, target], repo)


# --- merges ---

UNMERGED = ("UU", "AA", "UD", "AU", "UA", "DU", "DD")


def merge(repo: Path, rev: str, message_: str, env: dict[str, str] | None = None, label: str = "") -> bool:
    """Merge `rev` into HEAD with a merge commit (plain conflict markers, no rerere); True when it
    merged, False when it stopped on conflicts (see `unmerged`). `env`: the commit's identity and
    date; `label`: the name conflict markers give `rev` (a ref of this worktree alone), not its sha."""
    args = ["-c", "core.fileMode=true", "-c", "merge.conflictStyle=merge", "-c", "rerere.enabled=false"]
    if label:
        update_ref(repo, f"refs/worktree/{label}", rev)
        rev = f"refs/worktree/{label}"
    try:
        run([*args, "merge", "--no-ff", "--no-edit", "-q", "-m", message_, rev], repo, env=env)
    except GitError:
        if not unmerged(repo):
            raise
        return False
    return True


def merge_ours(repo: Path, rev: str) -> None:
    """Start a merge of `rev` (unrelated history allowed) that keeps HEAD's tree; the caller commits."""
    run(["merge", "-q", "-s", "ours", "--no-ff", "--no-commit", "--allow-unrelated-histories", rev], repo)


def unmerged(repo: Path) -> dict[str, str]:
    """Each conflicted path of a stopped merge -> its two-letter status (UU, AA, UD, AU, UA, DU, DD)."""
    fields = iter(run(["status", "--porcelain=v1", "-z", "--untracked-files=no"], repo).split("\0"))
    out = {}
    for entry in fields:
        if not entry:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":
            next(fields, None)  # the original path of a staged rename
        if code in UNMERGED:
            out[path] = code
    return out


def take_theirs(repo: Path, path: str) -> None:
    """Resolve a conflicted `path` as the merged-in side's version, staged."""
    run(["checkout", "--theirs", "--", path], repo)
    add(repo, [path])


def drop(repo: Path, path: str) -> None:
    """Resolve a conflicted `path` as deleted (index and working tree)."""
    run(["rm", "-q", "--cached", "--ignore-unmatch", "--", path], repo)
    (repo / path).unlink(missing_ok=True)


def add(repo: Path, paths: list[str]) -> None:
    run(["add", "--", *paths], repo)


def worktree_prune(repo: Path) -> None:
    """Forget worktrees whose folder is gone (those of killed runs, once their scratch folder was swept).
    A `git worktree add` killed midway leaves its entry locked ("initializing"), which prune keeps:
    such an entry whose folder is gone is unlocked first (no finished worktree carries that lock)."""
    admin = Path(run(["rev-parse", "--git-common-dir"], repo))
    for entry in (repo / admin / "worktrees").glob("*"):
        gitdir, locked = entry / "gitdir", entry / "locked"
        if locked.is_file() and locked.read_text(errors="replace").strip() == "initializing" and gitdir.is_file():
            if not Path(gitdir.read_text(errors="replace").strip()).parent.exists():
                locked.unlink()
    run(["worktree", "prune"], repo)


def worktrees(repo: Path) -> tuple[Path, ...]:
    """Every registered worktree of `repo`, its main one first."""
    out = run(["worktree", "list", "--porcelain"], repo)
    return tuple(Path(line.removeprefix("worktree ")) for line in out.splitlines() if line.startswith("worktree "))


def grep_lines(repo: Path, pattern: str) -> str:
    """`path NUL line NUL text` rows of the tracked text files' lines matching the extended regex
    `pattern` ("" when none matches)."""
    args = ["-c", "core.quotePath=false", "grep", "-I", "-n", "-z", "--full-name", "-E", pattern, "--", "."]
    try:
        return run(args, repo)
    except GitError as exc:
        if exc.code == 1:  # nothing matched
            return ""
        raise
