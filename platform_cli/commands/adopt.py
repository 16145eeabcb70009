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
from platform_cli import git, locks, templates
from platform_cli.config import Settings
from platform_cli.errors import MissingAnswersError
from platform_cli.forge.base import Forge
from platform_cli.models import Template
from platform_cli.prompts import Prompter
from platform_cli.rendering import platform_answers, postrender, publish, release_render
from platform_cli.rendering.release_render import list_files
from platform_cli.service_repo import ANSWERS_FILE, ServiceRepo, find_root, open_repo
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
    repo = _check_repo(req.path).root
    if not req.template:
        raise MissingAnswersError(("type",))
    template = templates.load(settings.template_source, req.template)
    if req.dry_run:
        return _adopt(req, repo, template, settings, forge, prompter)
    name = req.name or repo.name
    with locks.hold(locks.service_lock(settings.home, name), f"service {name}", wait=False):
        return _adopt(req, repo, template, settings, forge, prompter)


def _adopt(
    req: AdoptRequest, repo: Path, template: Template, settings: Settings, forge: Forge, prompter: Prompter | None
) -> AdoptResult:
    answers = _answers(req, repo, template, prompter)
    answers.update(platform_answers.compute(settings, forge, template, answers, req.dry_run))
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
        tree = git.tree_of(repo, rendered)
        root = git.commit_of(repo, tree, [], f"Render {template.name} template {release.tag}")
    commit = _merge_into_main(repo, root, added, f"Adopt into plat: {template.name} template {release.tag}")
    git.set_branch(repo, BASELINE_BRANCH, root)
    return AdoptResult(repo, template.name, release.tag, BASELINE_BRANCH, commit, added, differing)


def _check_repo(path: Path) -> ServiceRepo:
    root = find_root(path)
    if root is None:
        raise UpgradeError(f"{path} is not a git repository", hint="run plat adopt inside the repo to adopt")
    service = open_repo(root, rev="HEAD")
    if service.managed:
        raise UpgradeError(f"{root} is already managed by plat", hint="upgrade it instead: plat upgrade")
    if git.current_branch(root) != MAIN:
        raise UpgradeError(
            f"plat adopt works on the `{MAIN}` branch", hint=f"git switch {MAIN} (or rename your branch)"
        )
    if not service.clean or service.untracked:
        raise UpgradeError(f"{root} has uncommitted or untracked files", hint="commit or remove them first")
    return service


def _answers(req: AdoptRequest, repo: Path, template: Template, prompter: Prompter | None) -> dict[str, Any]:
    given: dict[str, Any] = {"service_name": req.name or repo.name}
    if req.owner:
        given["owner"] = req.owner
    given.update(answers_mod.parse_sets(list(req.sets)))
    return answers_mod.collect(template, given, yes=req.yes, prompter=prompter)


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").rstrip("\n")
    except (OSError, UnicodeDecodeError):
        return None


def _merge_into_main(repo: Path, root: str, added: tuple[str, ...], message: str) -> str:
    git.merge_ours(repo, root)
    if added:
        git.checkout_paths(repo, root, added)
    return git.commit(repo, message)
