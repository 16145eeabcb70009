"""The branches of a service repo plat manages, and which pristine render `main` builds on.

`plat/template` (the baseline) holds the pristine render of the service's template version. An
upgrade commits its new render on top of the baseline, reachable only from its upgrade branch,
and leaves `plat/template` where it is: while the pull request is open, `main` and the baseline
still agree (doctor stays clean). Once the pull request is merged, the new render is in `main`'s
history and is the baseline from then on (`baseline_of`); plat moves the branch there on its next
upgrade, and any tool reading the branch by hand can do the same with a fast-forward.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platform_cli import git

ANSWERS_FILE = ".copier-answers.yml"  # what copier records: answers, `_src_path`, `_commit`
BASELINE_BRANCH = "plat/template"
MAIN = "main"
UPGRADE_PREFIX = "plat/upgrade-"
RENDER_TRAILER = "Plat-Baseline:"  # on every pristine render commit an upgrade makes


@dataclass(frozen=True)
class ServiceRepo:
    """One service checkout as plat sees it: what every command that works on a service reads first."""

    root: Path  # the top of the work tree
    answers: Mapping[str, Any]  # the answers file (of `main`, or of the working tree: see `open`); {} if none
    baseline_tip: str | None  # the baseline branch: the local one, else origin's; None when plat made none
    baseline_is_local: bool  # False: only origin's baseline branch exists (a fresh clone)
    clean: bool  # no uncommitted change to a tracked file
    untracked: bool  # files git neither tracks nor ignores

    @property
    def template(self) -> str:
        return template_name(self.answers)

    @property
    def version(self) -> str:
        """The template version recorded (copier's `_commit`, e.g. v0.2.0); "" when none."""
        return str(self.answers.get("_commit") or "")

    @property
    def name(self) -> str:
        return str(self.answers.get("service_name") or self.root.name)

    @property
    def managed(self) -> bool:
        """Made (or adopted) by plat: it has a baseline branch or a copier answers file."""
        return self.baseline_tip is not None or bool(self.answers.get("_src_path"))

    def baseline(self, rev: str) -> str | None:
        """The pristine render `rev` builds on (see `baseline_of`); None without a baseline branch."""
        return None if self.baseline_tip is None else baseline_of(self.root, self.baseline_tip, rev)


def find_root(path: Path) -> Path | None:
    """The service checkout holding `path`, or None when `path` is in no git work tree."""
    return git.toplevel(path)


def open_repo(root: Path, answers: Mapping[str, Any] | None = None, rev: str = MAIN) -> ServiceRepo:
    """The service at `root`: its answers are `answers` when given (doctor reads the working tree's
    file), else the answers file of `rev` (upgrades read `main`'s)."""
    local = git.resolve(root, f"refs/heads/{BASELINE_BRANCH}")
    tip = local or git.resolve(root, f"refs/remotes/origin/{BASELINE_BRANCH}")
    dirty, untracked = git.worktree_status(root)
    return ServiceRepo(
        root=root,
        answers=answers if answers is not None else (read_answers(root, rev) or {}),
        baseline_tip=tip,
        baseline_is_local=local is not None,
        clean=not dirty,
        untracked=untracked,
    )


def read_answers(repo: Path, rev: str) -> dict[str, Any] | None:
    """The copier answers recorded at `rev`; None when there is no answers file with a `_src_path`."""
    text = git.show(repo, rev, ANSWERS_FILE)
    if text is None:
        return None
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) and data.get("_src_path") else None


def baseline_of(repo: Path, branch_tip: str, rev: str) -> str:
    """The pristine render `rev` builds on: the newest render commit descending from the baseline
    branch's tip (`branch_tip`) that `rev` contains — a merged upgrade's — else the tip itself."""
    return git.newest_commit(repo, [f"{branch_tip}..{rev}"], RENDER_TRAILER, ancestry_path=True) or branch_tip


def template_name(answers: Mapping[str, Any]) -> str:
    """The template a service follows, from its answers: the recorded `template_name`, else the
    name of the template release it was rendered from (`_src_path`)."""
    src = str(answers.get("_src_path") or "").rstrip("/")
    return str(answers.get("template_name") or Path(src).name.removesuffix(".git"))


def render_message(title: str, tag: str) -> str:
    return f"{title}\n\n{RENDER_TRAILER} {tag}"


def render_of(repo: Path, tag: str) -> str | None:
    """The newest render commit of template `tag` in any branch of `repo` (an upgrade's), if any."""
    return git.newest_commit(repo, ["--all"], f"{RENDER_TRAILER} {tag}")
