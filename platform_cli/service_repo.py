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
from pathlib import Path
from typing import Any

from platform_cli import git

ANSWERS_FILE = ".copier-answers.yml"  # what copier records: answers, `_src_path`, `_commit`
BASELINE_BRANCH = "plat/template"
MAIN = "main"
UPGRADE_PREFIX = "plat/upgrade-"
RENDER_TRAILER = "Plat-Baseline:"  # on every pristine render commit an upgrade makes


def baseline_of(repo: Path, branch_tip: str, rev: str) -> str:
    """The pristine render `rev` builds on: the newest render commit descending from the baseline
    branch's tip (`branch_tip`) that `rev` contains — a merged upgrade's — else the tip itself."""
    newer = git.run(
        [
            "rev-list",
            "-n",
            "1",
            "--topo-order",
            "--ancestry-path",
            "--fixed-strings",
            f"--grep={RENDER_TRAILER}",
            f"{branch_tip}..{rev}",
        ],
        repo,
    )
    return newer or branch_tip


def template_name(answers: Mapping[str, Any]) -> str:
    """The template a service follows, from its answers: the recorded `template_name`, else the
    name of the template release it was rendered from (`_src_path`)."""
    src = str(answers.get("_src_path") or "").rstrip("/")
    return str(answers.get("template_name") or Path(src).name.removesuffix(".git"))


def render_message(title: str, tag: str) -> str:
    return f"{title}\n\n{RENDER_TRAILER} {tag}"


def render_of(repo: Path, tag: str) -> str | None:
    """The newest render commit of template `tag` in any branch of `repo` (an upgrade's), if any."""
    found = git.run(["rev-list", "--all", "-n", "1", "--fixed-strings", f"--grep={RENDER_TRAILER} {tag}"], repo)
    return found or None
