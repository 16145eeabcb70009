"""The template baseline branch (`plat/template`) of a service repo: its state and new renders onto it.

The baseline holds the pristine render of the service's template version with its answers. A new
version is rendered once, in a temporary worktree of the baseline, and committed on it; team-owned
files keep their previous baseline content so the merge brings no change into them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_cli import git
from platform_cli.errors import PlatError
from platform_cli.models import Ownership
from platform_cli.rendering import postrender
from platform_cli.rendering.publish import Release
from platform_cli.rendering.release_render import Layout, render_release
from platform_cli.service_repo import (
    ANSWERS_FILE,
    BASELINE_BRANCH,
    MAIN,
    UPGRADE_PREFIX,
    ServiceRepo,
    find_root,
    open_repo,
    read_answers,
    render_of,
)
from platform_cli.upgrade.migrations import Migration

__all__ = ["BASELINE_BRANCH", "MAIN", "UPGRADE_PREFIX", "read_answers"]


class UpgradeError(PlatError):
    """The repo is not in a state plat can upgrade (or adopt); nothing was changed."""


@dataclass(frozen=True)
class ServiceState:
    repo: Path
    main: str  # sha of main
    answers: Mapping[str, Any]  # main's .copier-answers.yml, copier's own `_` keys included
    template: str  # template name (the template store directory the answers point at)
    baseline: str  # sha of the pristine render main builds on (a merged upgrade's, see service_repo)
    branch_tip: str  # sha of the baseline branch as found (behind `baseline` after an upgrade merged)
    start: str  # the baseline commit the next render builds on
    notes: tuple[str, ...] = ()
    service: ServiceRepo | None = None  # the checkout as read

    @property
    def tag(self) -> str:
        return str(self.answers.get("_commit") or "")


def inspect(path: Path, strict: bool = True, dry_run: bool = False) -> ServiceState:
    """Read and check a service repo; raise UpgradeError (with a hint) for anything plat must refuse.

    `strict` also requires a clean worktree (everything but a report changes branches); `dry_run`
    leaves the repo as it is (a fresh clone's baseline branch is not created)."""
    root = find_root(path)
    if root is None:
        raise UpgradeError(
            f"{path} is not a git repository", hint="run plat upgrade inside a service repo made by plat new service"
        )
    service = open_repo(root)
    if strict:
        _require_clean(service)
    main = git.resolve(root, f"refs/heads/{MAIN}")
    if main is None:
        raise UpgradeError(f"{root} has no `{MAIN}` branch", hint="plat upgrades the `main` branch of a service repo")
    if service.baseline_tip is None or not service.answers:
        raise UpgradeError(
            f"{root} was not made by plat (no {BASELINE_BRANCH} branch or no {ANSWERS_FILE})",
            hint="bring it under management first: plat adopt --type TEMPLATE --owner TEAM",
        )
    if not service.baseline_is_local and not dry_run:  # a fresh clone: the baseline branch from origin's
        git.set_branch(root, BASELINE_BRANCH, service.baseline_tip)
    baseline = service.baseline(main) or service.baseline_tip
    start, notes = _start_point(root, main, baseline, service.answers)
    return ServiceState(
        repo=root,
        main=main,
        answers=service.answers,
        template=service.template,
        baseline=baseline,
        branch_tip=service.baseline_tip,
        start=start,
        notes=notes,
        service=service,
    )


def _require_clean(service: ServiceRepo) -> None:
    if not service.clean:
        raise UpgradeError(
            f"{service.root} has uncommitted changes", hint="commit or stash them, then run plat upgrade again"
        )
    branch = git.current_branch(service.root)
    if branch == BASELINE_BRANCH or (branch or "").startswith(UPGRADE_PREFIX):
        raise UpgradeError(f"{branch} is checked out in {service.root}", hint=f"switch back first: git switch {MAIN}")


def _start_point(repo: Path, main: str, baseline: str, answers: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    if git.is_ancestor(repo, baseline, main):
        recorded, wanted = (read_answers(repo, baseline) or {}).get("_commit"), answers.get("_commit")
        if recorded == wanted:
            return baseline, ()
        _refuse_a_squashed_upgrade(repo, main, str(wanted))
        return baseline, (
            f"main records template {wanted} but {BASELINE_BRANCH} records "
            f"{recorded} (copier update was run by hand?): the merge reconciles them",
        )
    base = git.merge_base(repo, baseline, main)
    if base and (read_answers(repo, base) or {}).get("_commit") == answers.get("_commit"):
        return base, (f"{BASELINE_BRANCH} held an upgrade that was never merged; it is rebuilt",)
    raise UpgradeError(
        f"{BASELINE_BRANCH} is not an ancestor of {MAIN}: an upgrade pull request was squash-merged or rebased",
        hint=(
            "upgrade pull requests must be merged with a merge commit; if main already contains the last "
            f"upgrade, record the ancestry with: git merge --no-ff -s ours {BASELINE_BRANCH}"
        ),
    )


def _refuse_a_squashed_upgrade(repo: Path, main: str, tag: str) -> None:
    """Main records `tag` and an upgrade rendered it, but main lacks that render: the upgrade pull
    request was squash-merged or rebased, and the next merge would conflict on every change it made."""
    render_commit = render_of(repo, tag)
    if render_commit and not git.is_ancestor(repo, render_commit, main):
        raise UpgradeError(
            f"the {tag} render of the last upgrade is not an ancestor of {MAIN}: its pull request was "
            "squash-merged or rebased",
            hint=(
                "upgrade pull requests must be merged with a merge commit; record the ancestry with: "
                f"git merge --no-ff -s ours {render_commit[:12]}"
            ),
        )


@contextmanager
def worktree(repo: Path, rev: str) -> Iterator[Path]:
    """A temporary detached worktree of `rev`, always removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="plat-worktree-"))
    path = tmp / "wt"
    try:
        git.worktree_add(repo, path, rev)
        yield path
    finally:
        git.worktree_remove(repo, path)
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass(frozen=True)
class BaselineCommits:
    moved: str | None  # the commit of migration file moves, if any
    rendered: str  # the new render


def render_onto(
    wt: Path,
    release: Release,
    answers: Mapping[str, Any],
    ownership: Ownership,
    moves: tuple[Migration, ...],
    message: str,
    reuse: frozenset[str] = frozenset(),
    shape: Layout | None = None,
    env: dict[str, str] | None = None,
    recorded: str | None = None,
) -> BaselineCommits:
    """In a worktree of the baseline: move files for migrations, then render and commit the new version.

    Not rendered again, and given their previous baseline content: team-owned files, and `reuse`
    (files the template copies verbatim and did not change since the baseline's version). `env`: the
    commits' identity and date; `recorded`: the template source the answers file names (default: the release's)."""
    moved = _apply_moves(wt, moves, env)
    before = git.tracked_files(wt, "HEAD")
    keep = {p for p in before if p != ANSWERS_FILE and (p in reuse or ownership.zone_of(p) == "team")}
    git.clear_worktree(wt)
    render_release(release, wt, answers, keep, shape, git.clear_worktree, recorded)
    postrender.finalize(wt)  # derived files (SLO rules) belong to the pristine render too
    git.stage_all(wt)
    _restore(wt, ownership, keep)
    return BaselineCommits(moved, git.commit(wt, message, env=env))


def _apply_moves(wt: Path, moves: tuple[Migration, ...], env: dict[str, str] | None) -> str | None:
    done = []
    for m in moves:
        if (wt / m.source).is_file() and not (wt / m.target).exists():
            (wt / m.target).parent.mkdir(parents=True, exist_ok=True)
            git.move(wt, m.source, m.target)
            done.append(m.describe())
    return git.commit(wt, "plat migrations: move files\n\n" + "\n".join(done), env=env) if done else None


def _restore(wt: Path, ownership: Ownership, keep: set[str]) -> None:
    """Kept files the render left out, and team-owned files it changed, get their baseline content back."""
    changed = [path for status, path, _ in git.name_status(wt, "HEAD", None, renames=False) if status in "MDT"]
    back = [p for p in changed if p in keep or (ownership.zone_of(p) == "team" and p != ANSWERS_FILE)]
    if back:
        git.checkout_paths(wt, "HEAD", back)
