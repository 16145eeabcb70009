"""Publish the bundled platform content as git releases plat can pin to.

- Each template becomes a git repo in the template store (`PLAT_HOME/templates/<name>`), tagged
  `v<version>`, so copier records `_src_path` and `_commit` and `copier update` keeps working.
- On the forge, the platform repo (`<org>/platform`) is pushed and tagged, so rendered services pin
  the workflows and modules by a real commit sha. It is the plat project itself, pip-installable at
  that sha (`pip install "platform-cli @ git+…@SHA"`, as the workflows install plat): pyproject.toml,
  setup.py and the platform_cli package, plus the golden-path content with the reusable workflows
  under `.github/workflows/`. What the template source lacks of the project (a source that holds
  only templates and workflows) comes from the running plat.
A release is re-published only when its content changes (a content digest is kept beside it).

Runs in parallel share this state, so each release is published under a lock of PLAT_HOME
(`locks/template-NAME.lock`, `locks/platform-ORG-REPO.lock`; a second run waits). A store repo is made
aside and renamed into place; the stamps are replaced whole; an unreadable stamp is a cache miss (the
release is worked out again and the stamp rewritten), and git lock files a killed run left in plat's
own repos are removed while the lock is held (nobody else can be using them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from platform_cli import config, git, layout, locks
from platform_cli.forge.base import Forge
from platform_cli.models import Template

IGNORED = ("__pycache__", ".pytest_cache")
PACKAGE = "platform_cli"


@dataclass(frozen=True)
class Release:
    source: str  # where it lives: a path or URL
    tag: str  # e.g. v0.1.0
    sha: str  # the tagged commit
    version: str  # e.g. 0.1.0


def template_release(template: Template, store_root: Path) -> Release:
    repo = store_root / template.name
    with _locked(store_root.parent, f"template-{template.name}", f"the template store of {template.name}"):
        _ensure_store_repo(repo)
        _clear_stale_git_locks(repo / ".git")
        digest = _digest(template.path, ["."], template.version, repo / ".git", "plat-source.index")
        cached = _cached(repo / ".git" / "plat-release.json", digest)
        if cached and git.ref_exists(repo, f"refs/tags/{cached['tag']}"):
            return Release(str(repo), cached["tag"], cached["sha"], template.version)
        _replace_tree(repo, {"": template.path})
        tag, sha = _commit_and_tag(repo, template.version, digest, f"{template.name} template v{template.version}")
        _remember(repo / ".git" / "plat-release.json", digest, tag, sha)
    return Release(str(repo), tag, sha, template.version)


@contextmanager
def _locked(home: Path, name: str, what: str) -> Iterator[None]:
    with locks.hold(locks.shared_lock(home, name), what, wait=True):
        yield


def _ensure_store_repo(repo: Path) -> None:
    """The store repo, made aside and renamed into place; a half-made one is made again."""
    if not _whole(repo / ".git"):
        _make_aside(repo, bare=False)


def _ensure_cache_repo(git_dir: Path) -> None:
    """The bare repo caching the content ids of a release's sources; a half-made one is made again."""
    if not _whole(git_dir):
        _make_aside(git_dir, bare=True)


def _whole(git_dir: Path) -> bool:
    """A git dir `git init` finished: one killed mid-init lacks some of these."""
    files, dirs = ("HEAD", "config"), ("objects", "refs")
    return all((git_dir / f).is_file() for f in files) and all((git_dir / d).is_dir() for d in dirs)


def _make_aside(repo: Path, bare: bool) -> None:
    """`git init` beside `repo`, then renamed into its place (whatever was there goes: plat's own,
    half-made). Called with the lock held, so other runs' leftovers beside it are dead."""
    repo.parent.mkdir(parents=True, exist_ok=True)
    for old in repo.parent.glob(f".new-{repo.name}-*"):
        shutil.rmtree(old, ignore_errors=True)
    aside = Path(tempfile.mkdtemp(prefix=f".new-{repo.name}-", dir=repo.parent))
    git.init(aside, bare=bare)
    if repo.is_dir() and not repo.is_symlink():
        shutil.rmtree(repo)
    elif repo.exists() or repo.is_symlink():
        repo.unlink()
    aside.rename(repo)


def _clear_stale_git_locks(git_dir: Path) -> None:
    """`index.lock` and friends left by a git that was killed: only this run can be using them now."""
    if git_dir.is_dir():
        for stale in [*git_dir.glob("*.lock"), *(git_dir / "refs").rglob("*.lock")]:
            stale.unlink(missing_ok=True)


def platform_release(
    forge: Forge, org: str, repo: str, template_source: Path, version: str, cache: Path, dry_run: bool = False
) -> Release:
    """The platform release of `version`, published on the forge if it is not yet. With `dry_run`,
    the release it would publish: the same reproducible commit, made in a temporary clone and
    neither pushed nor remembered (the forge and the cache are left as they are)."""
    with _locked(cache.parent, f"platform-{org}-{repo}", f"the platform release {org}/{repo}"):
        return _platform_release(forge, org, repo, template_source, version, cache, dry_run)


def _platform_release(
    forge: Forge, org: str, repo: str, template_source: Path, version: str, cache: Path, dry_run: bool
) -> Release:
    sources, stamp, digest = _platform_inputs(org, repo, template_source, version, cache)
    cached = _cached(stamp, digest)
    exists = forge.repo_exists(org, repo)
    if cached and exists:
        return Release(forge.repo_url(org, repo), cached["tag"], cached["sha"], version)
    if not exists and not dry_run:
        forge.create_repo(org, repo, "The platform: plat, golden-path templates, reusable workflows, modules")
    if not dry_run and forge.branch_sha(org, repo, "main") is None:  # a new platform repo: let the org's repos
        forge.share_workflows(org, repo)  # call its workflows
    with tempfile.TemporaryDirectory(prefix="plat-platform-") as tmp:
        work = Path(tmp) / repo
        forge.clone(org, repo, work) if exists or not dry_run else git.init(work)
        _replace_tree(work, sources)
        tag, sha = _commit_and_tag(work, version, digest, f"platform v{version}")
        if not dry_run:
            forge.push(work, org, repo, ["HEAD:refs/heads/main", f"refs/tags/{tag}:refs/tags/{tag}"])
    if not dry_run:
        _remember(stamp, digest, tag, sha)
    return Release(forge.repo_url(org, repo), tag, sha, version)


def current_platform_ref(org: str, repo: str, template_source: Path, version: str, cache: Path) -> str:
    """The sha platform_release would answer now, if that release is published already (no forge call)."""
    with _locked(cache.parent, f"platform-{org}-{repo}", f"the platform release {org}/{repo}"):
        _, stamp, digest = _platform_inputs(org, repo, template_source, version, cache)
        cached = _cached(stamp, digest)
    return cached["sha"] if cached else "(not published yet)"


def _platform_inputs(
    org: str, repo: str, template_source: Path, version: str, cache: Path
) -> tuple[dict[str, Path], Path, str]:
    """The release's sources, the stamp remembering its last publication, and its content digest."""
    sources = release_sources(template_source)
    stamp = cache / f"platform-{org}-{repo}.json"
    _ensure_cache_repo(stamp.with_suffix(".git"))
    _clear_stale_git_locks(stamp.with_suffix(".git"))
    return sources, stamp, _digest_of(sources, version, stamp.with_suffix(".git"))


def release_sources(template_source: Path) -> dict[str, Path]:
    """Each path of the platform release -> the file or folder it is copied from."""
    sources = {
        dest: found
        for dest, name in layout.RELEASE.items()
        if (found := layout.find(template_source, name)) is not None
    }
    own = template_source if (template_source / PACKAGE / "__init__.py").is_file() else None
    sources[PACKAGE] = (own or config.PACKAGE_ROOT) / PACKAGE
    project = own or config.bundled_source()
    sources.update({name: project / name for name in layout.PROJECT if (project / name).is_file()})
    return sources


def _digest_of(sources: dict[str, Path], version: str, git_dir: Path) -> str:
    """One content id per folder the sources live in (git's stat cache keeps repeat calls cheap)."""
    by_root: dict[Path, list[str]] = {}
    for src in sources.values():
        by_root.setdefault(src.parent, []).append(src.name)
    parts = [
        _digest(
            root,
            sorted(names),
            version,
            git_dir,
            f"plat-source-{hashlib.sha256(str(root).encode()).hexdigest()[:12]}.index",
        )
        for root, names in sorted(by_root.items())
    ]
    placed = "\0".join(f"{dest}={src.name}" for dest, src in sorted(sources.items()))
    return hashlib.sha256("\0".join([*parts, placed]).encode()).hexdigest()


def _commit_and_tag(repo: Path, version: str, digest: str, message: str) -> tuple[str, str]:
    if not git.ref_exists(repo, "HEAD") or git.has_changes(repo):
        git.commit_all(repo, message, reproducible=True)
    head = git.rev_parse(repo, "HEAD")
    tag = f"v{version}"
    if git.ref_exists(repo, f"refs/tags/{tag}") and git.rev_parse(repo, tag) != head:
        tag = f"v{version}+dev.{digest[:8]}"  # same version, other content: a development build
    if not git.ref_exists(repo, f"refs/tags/{tag}"):
        git.tag(repo, tag, head)
    return tag, head


def _replace_tree(repo: Path, sources: dict[str, Path]) -> None:
    git.clear_worktree(repo)
    layout.copy(sources, repo)


def _digest(root: Path, paths: list[str], version: str, git_dir: Path, index: str) -> str:
    """Content and version: a version bump re-tags even when no file changed. git hashes the content
    and keeps the stat cache (`index` in `git_dir`), so an unchanged source costs one stat per file."""
    tree = git.content_id(root, paths, git_dir, git_dir / index, exclude=(*IGNORED, layout.PACKAGE_DATA))
    return hashlib.sha256(f"v{version}\0{tree}".encode()).hexdigest()


def _cached(stamp: Path, digest: str) -> dict[str, str] | None:
    """The stamp's release when it is of this content; None when it is not, or cannot be read (a
    damaged or foreign stamp is a cache miss: the release is worked out again and the stamp rewritten)."""
    try:
        data = json.loads(stamp.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("digest", "tag", "sha")):
        return None
    if not (re.fullmatch(r"[0-9a-f]{40}", data["sha"]) and re.fullmatch(r"v[0-9][\w.+-]*", data["tag"])):
        return None
    return data if data["digest"] == digest else None


def _remember(stamp: Path, digest: str, tag: str, sha: str) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_name(f".{stamp.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"digest": digest, "tag": tag, "sha": sha}), encoding="utf-8")
    os.replace(tmp, stamp)
    for stale in stamp.parent.glob(f".{stamp.name}.*.tmp"):  # a killed run's (the lock is held)
        stale.unlink(missing_ok=True)
