"""`plat new service`: render a golden-path template, push the repo, open the GitOps registration.

Every step is idempotent and journaled (PLAT_HOME/journal/...): a failed or killed run resumes
when the same command is run again, and `--rollback` removes only what that run created. A run
holds the service's lock (PLAT_HOME/locks/service-...) from its journal to its end: a second run of
the same service exits 1 naming the first. A finished run run again only checks and reports: it
takes no lock and writes nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_cli import answers as answers_mod
from platform_cli import git, layout, locks, templates
from platform_cli.config import Settings
from platform_cli.errors import ForgeError, UsageError
from platform_cli.forge.base import Forge, RepoSetup, fetch_url
from platform_cli.forge.status_checks import required_checks
from platform_cli.gitops import registration as gitops
from platform_cli.gitops.codeowners_workflow import Pin
from platform_cli.gitops.tenancy import sizing_from_chart
from platform_cli.journal import NEW_SERVICE_STEP_NAMES, Created, Journal, fingerprint, journal_path, open_new_service
from platform_cli.models import NewResult, ServiceSpec
from platform_cli.prompts import Prompter
from platform_cli.rendering import platform_answers, postrender, publish, release_render, render
from platform_cli.rendering.release_render import list_files
from platform_cli.service_repo import ANSWERS_FILE, BASELINE_BRANCH

DEFAULT_TYPE = "http-api"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class NewRequest:
    name: str | None = None
    template: str | None = None
    owner: str | None = None
    sets: tuple[str, ...] = ()
    answers_file: Path | None = None
    directory: Path | None = None
    yes: bool = False
    dry_run: bool = False


def new_service(
    req: NewRequest,
    settings: Settings,
    forge: Forge,
    *,
    cwd: Path,
    prompter: Prompter | None = None,
    progress: Progress = lambda _: None,
) -> NewResult:
    spec = resolve(req, settings, forge, cwd, prompter)
    journal = open_journal(settings, spec)
    if journal.complete and journal.key == _journal_key(spec) and not req.dry_run:
        return Run(spec, settings, forge, journal, progress).already_done()
    _preflight(spec, forge, journal)
    if req.dry_run:
        if "platform_ref" in spec.answers:  # the release a real run would pin, if it is published already
            ref = publish.current_platform_ref(
                settings.org,
                settings.platform_repo,
                settings.template_source,
                spec.template.version,
                settings.home / "cache",
            )
            answers_mod.refuse_computed(spec.answers, {"platform_ref": ref})
        return _plan(spec, settings, forge)
    with hold_service(settings, spec.name):
        journal = open_journal(settings, spec)  # as it is now that this run holds the service
        if journal.complete and journal.key == _journal_key(spec):
            return Run(spec, settings, forge, journal, progress).already_done()
        _preflight(spec, forge, journal)
        if prompter is not None and not req.yes and not journal.exists:
            _confirm(spec, settings, forge, prompter)
        return Run(spec, settings, forge, journal, progress).execute()


def hold_service(settings: Settings, name: str) -> AbstractContextManager[None]:
    """The service's lock: one run at a time creates, rolls back or upgrades a service."""
    path = locks.service_lock(settings.home, name)
    return locks.hold(path, f"service {settings.org}/{name}", wait=False)


def open_journal(settings: Settings, spec: ServiceSpec) -> Journal:
    return open_new_service(journal_path(settings, spec.name), _journal_key(spec))


def resolve(req: NewRequest, settings: Settings, forge: Forge, cwd: Path, prompter: Prompter | None) -> ServiceSpec:
    """Validate everything the user gave before any side effect."""
    template = templates.load(settings.template_source, _template_name(req, settings, prompter))
    from_file = read_file_answers(req.answers_file)
    given: dict[str, Any] = {**from_file, **answers_mod.parse_sets(list(req.sets))}
    for key, value in (("service_name", req.name), ("owner", req.owner or settings.default_owner or None)):
        if value:
            given[key] = value
    computed = platform_answers.known(settings, template.version)
    answers_mod.refuse_computed(given, computed)
    answers = answers_mod.collect(
        template,
        given,
        yes=req.yes,
        prompter=prompter,
        context=computed,
        extra={
            "service_name": lambda n: answers_mod.name_problem(n, settings) or _name_taken(n, settings, forge, req, cwd)
        },
        sources={k: f"answers file {req.answers_file}" for k, v in from_file.items() if given.get(k) == v},
    )
    answers_mod.check_request(answers, settings)  # names derived from the answers and the settings
    forge.check_teams(settings.org, (answers["owner"], settings.platform_team))
    name = answers["service_name"]
    directory = (req.directory or cwd / name).expanduser().resolve()
    return ServiceSpec(
        name=name, template=template, owner=answers["owner"], org=settings.org, answers=answers, directory=directory
    )


def _name_taken(name: str, settings: Settings, forge: Forge, req: NewRequest, cwd: Path) -> str | None:
    """At the prompt: a name already on the forge or on disk is refused there (a run to resume is not)."""
    if journal_path(settings, name).exists():
        return None
    if forge.repo_exists(settings.org, name):
        return f"repo {settings.org}/{name} already exists on the {forge.name} forge: choose another name"
    directory = (req.directory or cwd / name).expanduser()
    if _occupied(directory):
        return f"{directory} already exists and is not empty: choose another name (or --dir)"
    return None


def _occupied(directory: Path) -> bool:
    """Something is there already: a non-empty directory, or a file where the clone would go."""
    return directory.exists() and (not directory.is_dir() or any(directory.iterdir()))


def _confirm(spec: ServiceSpec, settings: Settings, forge: Forge, prompter: Prompter) -> None:
    """On a terminal: what will be created, and a yes before anything is (--yes skips it)."""
    lines = [
        f"{spec.name}: {spec.template.name} template v{spec.template.version}, owned by {spec.owner}",
        *(f"  {key} = {value}" for key, value in sorted(spec.answers.items())),
        f"creates the working clone {spec.directory}",
        f"creates the repo {settings.org}/{spec.name} on the {forge.name} forge",
        f"opens a pull request on {settings.org}/{settings.gitops_repo} registering the service",
    ]
    if not prompter.confirm("\n".join(lines), "Create it?"):
        raise UsageError("not created: you answered no at the summary", hint="run the command again to change answers")


def read_file_answers(path: Path | None) -> dict[str, Any]:
    return answers_mod.read_answers_file(path) if path else {}


def _template_name(req: NewRequest, settings: Settings, prompter: Prompter | None) -> str:
    if req.template:
        return req.template
    if req.yes or prompter is None:  # like every question with a default: no terminal, no prompt
        return DEFAULT_TYPE
    choices = templates.available(settings.template_source)
    from platform_cli.models import Question

    question = Question(name="type", help="the kind of service", choices=choices, default=DEFAULT_TYPE)
    return prompter.ask(question, DEFAULT_TYPE, lambda _: None)


def _journal_key(spec: ServiceSpec) -> dict[str, Any]:
    return {
        "template": spec.template.name,
        "directory": str(spec.directory),
        "answers": {k: spec.answers[k] for k in sorted(spec.answers)},
    }


def _preflight(spec: ServiceSpec, forge: Forge, journal: Journal) -> None:
    if journal.exists and journal.key != _journal_key(spec):
        if journal.complete:
            raise UsageError(
                f"service {spec.name} was already created in {spec.org} with other answers",
                hint=f"its repo: {forge.repo_url(spec.org, spec.name)}; pick another name",
            )
        raise UsageError(
            f"an unfinished run of `plat new service {spec.name}` used other answers",
            hint="re-run it with the same options to resume, or add --rollback to undo it",
        )
    ours = {c.target for c in journal.created}
    directory = spec.directory
    if _occupied(directory) and str(directory) not in ours:
        raise UsageError(
            f"directory {directory} already exists and is not empty", hint="choose another --dir or remove it"
        )
    if forge.repo_exists(spec.org, spec.name) and f"{spec.org}/{spec.name}" not in ours:
        raise ForgeError(
            f"repo {spec.org}/{spec.name} already exists on the {forge.name} forge", hint="choose another service name"
        )


STEPS = NEW_SERVICE_STEP_NAMES
STEP_METHODS = {"repo": "create_repo", "gitops": "gitops_repo"}


class Run:
    """The steps of one `plat new service`, each recorded in the journal when done."""

    def __init__(
        self, spec: ServiceSpec, settings: Settings, forge: Forge, journal: Journal, progress: Progress
    ) -> None:
        self.spec, self.settings, self.forge, self.journal, self.progress = spec, settings, forge, journal, progress
        self.resumed: list[str] = []

    def execute(self) -> NewResult:
        for name in STEPS:
            step = getattr(self, STEP_METHODS.get(name, name))
            if self.journal.done(name):
                self.resumed.append(name)
                self.progress(f"{name}: already done (resumed)")
                continue
            try:
                step()
            except Exception:
                if not self.journal.created:  # nothing of this run exists: no run to resume
                    self.journal.remove()
                raise
        self.journal.finish()
        return self.result()

    def publish(self) -> None:
        s = self.settings
        platform = platform_answers.release(s, self.forge, self.spec.template.version)
        answers_mod.refuse_computed(self.spec.answers, {"platform_ref": platform.sha})
        tmpl = publish.template_release(self.spec.template, s.home / "templates")
        self.journal.record(
            "publish",
            {
                "platform_sha": platform.sha,
                "platform_tag": platform.tag,
                "template_src": tmpl.source,
                "template_tag": tmpl.tag,
                "template_sha": tmpl.sha,
            },
        )
        self.progress(f"publish: platform {platform.tag} ({platform.sha[:12]}), template {tmpl.tag}")

    def render(self) -> None:
        pub = self.journal.steps["publish"]
        target = self.spec.directory
        staging = target.with_name(target.name + ".plat-partial")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            release = publish.Release(
                pub["template_src"], pub["template_tag"], pub.get("template_sha", ""), self.spec.template.version
            )
            release_render.render_release(
                release,
                staging,
                self.template_answers(),
                (),
                release_render.layout(self.spec.template),
                git.clear_worktree,
            )
            postrender.finalize(staging)
        finally:
            if not self.journal.done("render") and staging.exists() and not (staging / ANSWERS_FILE).exists():
                shutil.rmtree(staging, ignore_errors=True)
        self.journal.record("rendered", fingerprint(staging))  # what rollback may remove without asking
        self.journal.intend(Created("directory", str(target)))
        shutil.rmtree(target, ignore_errors=True)  # empty, or half-made by an interrupted run of ours
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
        self.journal.record("render")
        self.progress(
            f"render: {self.spec.template.name} {pub['template_tag']} into {target} ({len(list_files(target))} files)"
        )

    def commit(self) -> None:
        repo = self.spec.directory
        shutil.rmtree(repo / ".git", ignore_errors=True)  # a half-made repo of an interrupted run
        git.init(repo)
        sha = git.commit_all(
            repo, f"Render {self.spec.template.name} template {self.journal.steps['publish']['template_tag']}"
        )
        git.set_branch(repo, BASELINE_BRANCH, sha)
        git.add_remote(repo, "origin", self.forge.repo_url(self.spec.org, self.spec.name))
        self.journal.record("commit", sha)
        self.progress(f"commit: {sha[:12]} on main and {BASELINE_BRANCH}")

    def create_repo(self) -> None:
        self.journal.intend(Created("repo", f"{self.spec.org}/{self.spec.name}"))
        if not self.forge.repo_exists(self.spec.org, self.spec.name):
            self.forge.create_repo(self.spec.org, self.spec.name, self.spec.answers.get("description", ""))
        self.journal.record("repo")
        self.progress(f"repo: {self.forge.repo_url(self.spec.org, self.spec.name)}")

    def push(self) -> None:
        repo = self.spec.directory
        self.forge.push(repo, self.spec.org, self.spec.name, ["main", BASELINE_BRANCH])
        pushed = {f"refs/remotes/origin/{b}": f"refs/heads/{b}" for b in ("main", BASELINE_BRANCH)}
        git.update_refs(repo, pushed)  # what was pushed, as `git fetch` records it
        git.set_upstream(repo, "main", "origin/main")
        self.journal.record("push")
        self.progress(f"push: main and {BASELINE_BRANCH}")

    def configure(self) -> None:
        """Protect main, grant the owning team, create the environments (a no-op on the local forge)."""
        workflows = (
            layout.find(self.settings.template_source, "workflows") or self.settings.template_source / "workflows"
        )
        checks = required_checks(self.spec.directory, workflows)
        rendered = answers_mod.read_answers_file(self.spec.directory / ANSWERS_FILE)  # what CODEOWNERS names
        setup = RepoSetup(
            team=self.spec.owner,
            environments=self.settings.environments,
            required_checks=checks,
            platform_team=str(rendered.get("platform_team") or ""),
        )
        done = self.forge.configure_repo(self.spec.org, self.spec.name, setup)
        self.journal.record("configure")
        self.progress(f"configure: {done}")

    def gitops_repo(self) -> None:
        """The org's GitOps repo, made and bootstrapped by the first service (one run at a time)."""
        org, repo = self.spec.org, self.settings.gitops_repo
        home = self.settings.home
        with locks.hold(
            locks.shared_lock(home, f"gitops-{self.forge.name}-{org}"), f"the GitOps repo {org}/{repo}", wait=True
        ):
            if not self.forge.repo_exists(org, repo):
                self.journal.intend(Created("repo", f"{org}/{repo}"))
                self.forge.create_repo(org, repo, f"GitOps repo of {org}: what Argo CD deploys")
            main = self.forge.branch_sha(org, repo, "main")
            if main is None:
                main = gitops.bootstrap(self.forge, org, repo, self.settings.platform_team, self.pin())
                self.progress(f"gitops: bootstrapped {org}/{repo}")
        self.journal.record("gitops", {"main": main})

    def pull_request(self) -> None:
        org, repo = self.spec.org, self.settings.gitops_repo
        reg = self.registration()
        self.forge.grant_write(org, repo, reg.owner)  # the GitOps CODEOWNERS names the team: it must be able to write
        self.journal.intend(Created("branch", f"{org}/{repo}:{reg.branch}"))
        pr = gitops.propose(self.forge, org, repo, reg)
        made = self.forge.branch_sha(org, repo, reg.branch)
        if made:
            self.journal.record("registration", made)  # what rollback may delete without asking
        self.journal.intend(Created("pull_request", f"{org}/{repo}#{pr.id}"))
        self.journal.record("pull_request", pr.id)
        self.progress(f"pull request: #{pr.id} {pr.title} on {org}/{repo}")

    def registration(self) -> gitops.Registration:
        a = self.spec.answers
        return gitops.Registration(
            service=self.spec.name,
            org=self.spec.org,
            owner=self.spec.owner,
            system=str(a.get("system") or self.spec.name),
            repo_url=self.forge.repo_url(self.spec.org, self.spec.name),
            environments=self.settings.environments,
            platform_repo_url=self.forge.repo_url(self.spec.org, self.settings.platform_repo),
            gitops_url=self.forge.repo_url(self.spec.org, self.settings.gitops_repo),
            sizing=sizing_from_chart(self.spec.directory / "chart", self.settings.environments),
            pin=self.pin(),
        )

    def pin(self) -> Pin:
        """The platform release this run published, as the GitOps repo's CODEOWNERS workflow calls it."""
        s = self.settings
        sha = self.journal.steps["publish"]["platform_sha"]
        return Pin(s.org, s.platform_repo, sha, self.spec.template.version, s.platform_team)

    def already_done(self) -> NewResult:
        """A finished run, run again: check that what it made is still there; write nothing."""
        org, name, where = self.spec.org, self.spec.name, self.spec.directory
        if not self.forge.repo_exists(org, name):
            raise ForgeError(
                f"service {name} was created by an earlier run, but its repo {org}/{name} is gone from the "
                f"{self.forge.name} forge",
                hint=f"forget that run with `plat new service {name} --rollback`, then create it again",
            )
        if not (where / ".git").exists():
            raise UsageError(
                f"service {name} was created already (repo {org}/{name}), but its working clone {where} is gone",
                hint=f"clone it again: git clone {fetch_url(self.forge.repo_url(org, name))} {where}",
            )
        self.resumed = [step for step in STEPS if self.journal.done(step)]
        return self.result()

    def template_answers(self) -> dict[str, Any]:
        sha, source = (
            self.journal.steps["publish"]["platform_sha"],
            self.forge.repo_url(self.spec.org, self.settings.platform_repo),
        )
        platform = {
            **platform_answers.known(self.settings, self.spec.template.version),
            **platform_answers.pinned(sha, source),
        }
        return {**platform_answers.declared(self.spec.template, platform), **self.spec.answers}

    def result(self) -> NewResult:
        org, gitops_repo = self.spec.org, self.settings.gitops_repo
        pr = self.forge.get_pull_request(org, gitops_repo, self.journal.steps["pull_request"])
        return NewResult(
            service=self.spec.name,
            org=org,
            template=self.spec.template.name,
            template_version=self.journal.steps["publish"]["template_tag"],
            directory=self.spec.directory,
            repo_url=self.forge.repo_url(org, self.spec.name),
            branch="main",
            baseline_branch=BASELINE_BRANCH,
            commit=self.journal.steps["commit"],
            pull_request=pr,
            files=list_files(self.spec.directory),
            gitops_repo=f"{org}/{gitops_repo}",
            gitops_branch=pr.head,
            resumed_steps=tuple(self.resumed),
            api_calls=getattr(self.forge, "api_calls", 0),
        )


def _plan(spec: ServiceSpec, settings: Settings, forge: Forge) -> NewResult:
    """Render into a throwaway directory to list the files; touch nothing else."""
    with tempfile.TemporaryDirectory(prefix="plat-plan-") as tmp:
        dest = Path(tmp) / spec.name
        render.copy(str(spec.template.path), None, dest, dict(spec.answers))
        postrender.finalize(dest)
        files = list_files(dest)
    reg_branch = gitops.branch_name(spec.name)
    return NewResult(
        service=spec.name,
        org=spec.org,
        template=spec.template.name,
        template_version=f"v{spec.template.version}",
        directory=spec.directory,
        repo_url=forge.repo_url(spec.org, spec.name),
        branch="main",
        baseline_branch=BASELINE_BRANCH,
        commit="",
        pull_request=None,
        files=files,
        dry_run=True,
        gitops_repo=f"{spec.org}/{settings.gitops_repo}",
        gitops_branch=reg_branch,
    )
