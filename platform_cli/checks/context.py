"""What the rules look at: one service repo, its template record, and its rendered manifests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from platform_cli import git, templates, yamlio
from platform_cli.checks import manifests as manifests_mod
from platform_cli.checks.tools import Tools
from platform_cli.errors import PlatError, TemplateError, UsageError
from platform_cli.models import Ownership
from platform_cli.service_repo import ANSWERS_FILE, BASELINE_BRANCH, ServiceRepo, find_root, open_repo, template_name

__all__ = ["ANSWERS_FILE", "BASELINE_BRANCH", "ServiceContext", "build"]


@dataclass(frozen=True)
class ServiceContext:
    root: Path
    answers: Mapping[str, Any]
    template_name: str
    version_in_use: str  # the recorded `_commit`, e.g. v0.1.0
    latest_version: str | None  # e.g. 0.2.0; None when the platform checkout lacks the template
    ownership: Ownership
    baseline: str | None  # the commit of the pristine render HEAD builds on, when there is one
    pending_render: Callable[[], manifests_mod.Render]  # helm runs in the background; see `render`
    tools: Tools = field(default_factory=Tools)
    notes: tuple[str, ...] = ()
    forge: Callable[[], Any] | None = None  # makes the service's forge on first use (rules that ask the forge)
    forge_name: str = "local"
    platform_workflows: Path | None = None  # the platform's reusable workflows (what the service's workflows call)
    gitops_repo: str = "gitops"  # the GitOps repo in the service's org (rules that read its tenancy)
    repo: ServiceRepo | None = None  # the checkout as read (answers from the working tree's file)
    gitops_reader: Callable[..., Any] | None = None  # None: gitops.records.read (its signature)

    @cached_property
    def render(self) -> manifests_mod.Render:
        """The chart rendered by helm (or why it was not); waits for helm on first use."""
        return self.pending_render()

    @cached_property
    def actions(self) -> Any:
        """The Actions variables and secrets the service's repo can read on its forge (ActionsNames, asked
        once); None where the forge runs no Actions; the PlatError when they could not be read."""
        if self.forge is None:
            return None
        try:
            return self.forge().actions_names(self.org, self.service)
        except PlatError as exc:
            return exc

    @cached_property
    def gitops(self) -> Any:
        """The service's records in the GitOps repo (gitops.records.Records, read once); None without a forge
        or a GitOps repo; the PlatError when it could not be read."""
        if self.forge is None:
            return None
        from platform_cli.gitops import records

        try:
            owner = str(self.answers.get("owner") or "")
            read = self.gitops_reader or records.read
            return read(self.forge(), self.org, self.gitops_repo, self.service, owner)
        except PlatError as exc:
            return exc

    @property
    def missing_tools(self) -> frozenset[str]:
        """Tools this service needs that are not at hand: the rules that run them cannot run. The GitHub
        API counts as one when the forge is GitHub and the repo's Actions settings could not be read."""
        asked = "actions" in self.__dict__  # never call GitHub just to answer this
        api = {"github-api"} if asked and isinstance(self.actions, PlatError) else set()
        return frozenset(({self.render.missing} | api) - {""})

    @property
    def org(self) -> str:
        return str(self.answers.get("org") or "")

    @property
    def service(self) -> str:
        return str(self.answers.get("service_name") or self.root.name)

    def zone_of(self, path: str) -> str | None:
        return self.ownership.zone_of(path)

    def text(self, rel: str) -> str | None:
        path = self.root / rel
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None


def build(
    path: Path,
    template_source: Path,
    tools: Tools,
    forge: Callable[[], Any] | None = None,
    forge_name: str = "local",
    gitops_repo: str = "gitops",
    gitops_reader: Callable[..., Any] | None = None,
) -> ServiceContext:
    root = repo_root(path)
    service = open_repo(root, read_answers(root))
    answers = service.answers
    render = manifests_mod.start_render(root, str(answers.get("service_name") or root.name), tools.helm)
    try:  # helm renders while git answers the rest (and the rules run); `ctx.render` waits for it
        src, commit = str(answers.get("_src_path") or ""), str(answers.get("_commit") or "")
        name = template_name(answers)
        ownership, note = _ownership(src, commit, template_source, name)
        latest, baseline = _latest(template_source, name), service.baseline("HEAD")
    except BaseException:
        render()
        raise
    return ServiceContext(
        root=root,
        repo=service,
        answers=answers,
        template_name=name,
        version_in_use=commit,
        latest_version=latest,
        ownership=ownership,
        baseline=baseline,
        pending_render=render,
        tools=tools,
        notes=tuple(n for n in (note,) if n),
        forge=forge,
        forge_name=forge_name,
        platform_workflows=template_source / "workflows",
        gitops_repo=gitops_repo,
        gitops_reader=gitops_reader,
    )


def repo_root(path: Path) -> Path:
    if not path.exists():
        raise UsageError(f"{path} does not exist", hint="pass the path of a service repo: plat doctor PATH")
    root = find_root(path)
    if root is None:
        raise UsageError(
            f"{path} is not inside a git repository",
            hint="run plat doctor in a service repo created by `plat new service`",
        )
    return root


def read_answers(root: Path) -> dict[str, Any]:
    path = root / ANSWERS_FILE
    if not path.is_file():
        raise UsageError(
            f"{root} has no {ANSWERS_FILE}: not a golden-path service",
            hint="plat doctor checks repos created by `plat new service` (or copier)",
        )
    try:
        data = yamlio.load_file(path) or {}
    except yamlio.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML: {exc}", hint="restore it with git from plat/template") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a mapping", hint="restore it with git from plat/template")
    return data


def _ownership(src: str, commit: str, template_source: Path, name: str) -> tuple[Ownership, str]:
    """The ownership of the version in use (from the template release), else of the latest version."""
    text = git.show(Path(src), commit, "plat.yml") if src and commit and (Path(src) / ".git").exists() else None
    if text is not None:
        try:
            return templates._ownership(yamlio.load(text) or {}, Path(src) / "plat.yml"), ""
        except PlatError:
            pass
    try:
        return templates.load(template_source, name).ownership, ""
    except TemplateError:
        return Ownership(), f"ownership of template {name!r} unknown: drift of platform-owned files not checked"


def _latest(template_source: Path, name: str) -> str | None:
    try:
        return templates.version(template_source) if name in templates.available(template_source) else None
    except TemplateError:
        return None
