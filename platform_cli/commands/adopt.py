"""`plat adopt`: bring an existing repo (not made by plat) under management, so it can be upgraded.

The template is rendered with the repo's answers into a root commit on the baseline branch
(`plat/template`), which is merged into `main` with the "ours" strategy: main keeps every file it
has, gains the answers file and the platform-owned and shared files it lacks, and has the baseline
as an ancestor — so later upgrades are ordinary three-way merges. Nothing is pushed.

Exit codes: 0 adopted (or planned with --dry-run); 1 refused (dirty, already managed, bad answers).
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from platform_cli import answers as answers_mod
from platform_cli import git, templates
from platform_cli.config import Settings
from platform_cli.errors import MissingAnswersError
from platform_cli.forge.base import Forge, fetch_url
from platform_cli.models import Template
from platform_cli.prompts import Prompter
from platform_cli.rendering import postrender, publish, release_render
from platform_cli.rendering.release_render import list_files
from platform_cli.service_repo import ANSWERS_FILE
from platform_cli.upgrade import baseline
from platform_cli.upgrade.baseline import BASELINE_BRANCH, MAIN, UpgradeError


@dataclass(frozen=True)
class AdoptRequest:
    path: Path
    template: str | None = None
    owner: str | None = None
    name: str | None = None  # service_name; default: the repo directory's name
    sets: tuple[str, ...] = ()
    yes: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class AdoptResult:
    repo: Path
    template: str
    version: str
    baseline_branch: str
    commit: str  # the adoption commit on main ("" for a dry run)
    added: tuple[str, ...]  # platform-owned and shared files main lacked, now added
    differing: tuple[str, ...]  # files main has with other content than the render: kept as they are
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "repo": str(self.repo), "added": list(self.added), "differing": list(self.differing)}


def adopt(req: AdoptRequest, settings: Settings, forge: Forge, *, prompter: Prompter | None = None) -> AdoptResult:
    repo = _check_repo(req.path)
    if not req.template:
        raise MissingAnswersError(("type",))
    template = templates.load(settings.template_source, req.template)
    answers = _answers(req, repo, template, prompter)
    answers.update(_platform_answers(settings, forge, template, answers, req.dry_run))
    release = publish.template_release(template, settings.home / "templates")
    with tempfile.TemporaryDirectory(prefix="plat-adopt-") as tmp:
        rendered = Path(tmp) / "render"
        release_render.render_release(
            release, rendered, answers, (), release_render.layout(template), git.clear_worktree
        )  # an export, rendered by the worker
        postrender.finalize(rendered)
        files = list_files(rendered)
        have = set(git.tracked_files(repo, MAIN))
        added = tuple(
            f for f in files if f not in have and template.ownership.zone_of(f) != "team" or f == ANSWERS_FILE
        )
        differing = tuple(f for f in files if f in have and git.show(repo, MAIN, f) != _text(rendered / f))
        result = AdoptResult(repo, template.name, release.tag, BASELINE_BRANCH, "", added, differing, req.dry_run)
        if req.dry_run:
            return result
        root = _root_commit(repo, rendered, Path(tmp) / "index", f"Render {template.name} template {release.tag}")
    commit = _merge_into_main(repo, root, added, f"Adopt into plat: {template.name} template {release.tag}")
    git.run(["branch", BASELINE_BRANCH, root], repo)
    return AdoptResult(repo, template.name, release.tag, BASELINE_BRANCH, commit, added, differing)


def _check_repo(path: Path) -> Path:
    repo = git.toplevel(path)
    if repo is None:
        raise UpgradeError(f"{path} is not a git repository", hint="run plat adopt inside the repo to adopt")
    if git.ref_exists(repo, f"refs/heads/{BASELINE_BRANCH}") or baseline.read_answers(repo, "HEAD"):
        raise UpgradeError(f"{repo} is already managed by plat", hint="upgrade it instead: plat upgrade")
    if git.current_branch(repo) != MAIN:
        raise UpgradeError(
            f"plat adopt works on the `{MAIN}` branch", hint=f"git switch {MAIN} (or rename your branch)"
        )
    if git.has_changes(repo):
        raise UpgradeError(f"{repo} has uncommitted or untracked files", hint="commit or remove them first")
    return repo


def _answers(req: AdoptRequest, repo: Path, template: Template, prompter: Prompter | None) -> dict[str, Any]:
    given: dict[str, Any] = {"service_name": req.name or repo.name}
    if req.owner:
        given["owner"] = req.owner
    given.update(answers_mod.parse_sets(list(req.sets)))
    return answers_mod.collect(template, given, yes=req.yes, prompter=prompter)


def _platform_answers(
    settings: Settings, forge: Forge, template: Template, given: dict[str, Any], dry_run: bool
) -> dict[str, Any]:
    """plat's settings and the platform release it publishes (a dry run publishes nothing); --set must agree."""
    values = {"org": settings.org, "platform_repo": settings.platform_repo, "platform_version": template.version}
    answers_mod.refuse_computed(given, values)
    args = (settings.org, settings.platform_repo, settings.template_source, template.version, settings.home / "cache")
    if dry_run:
        if "platform_ref" in given:
            answers_mod.refuse_computed(given, {"platform_ref": publish.current_platform_ref(*args)})
        return {}
    release = publish.platform_release(forge, *args)
    values.update(platform_ref=release.sha, platform_repo_url=fetch_url(release.source))
    answers_mod.refuse_computed(given, values)
    return {k: v for k, v in values.items() if template.question(k)}


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").rstrip("\n")
    except (OSError, UnicodeDecodeError):
        return None


def _root_commit(repo: Path, tree_dir: Path, index: Path, message: str) -> str:
    """A parentless commit of `tree_dir`, built with a private index (the repo's own is untouched)."""
    env = {
        "GIT_DIR": git.run(["rev-parse", "--absolute-git-dir"], repo),
        "GIT_WORK_TREE": str(tree_dir),
        "GIT_INDEX_FILE": str(index),
    }
    git.run(["-c", "core.fileMode=true", "add", "-A", "."], tree_dir, env=env)
    tree = git.run(["write-tree"], tree_dir, env=env)
    return git.run(["commit-tree", tree, "-m", message], tree_dir, env=env)


def _merge_into_main(repo: Path, root: str, added: tuple[str, ...], message: str) -> str:
    git.run(["merge", "-q", "-s", "ours", "--no-ff", "--no-commit", "--allow-unrelated-histories", root], repo)
    if added:
        git.run(["checkout", root, "--", *added], repo)
    return git.commit(repo, message)
