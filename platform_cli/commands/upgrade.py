"""`plat upgrade`: move a service to a newer template version as a reviewable pull request.

1. read the answers from `main`, check the baseline branch (ancestor of main, same `_commit`);
2. render the target version once onto the baseline, in a temporary worktree (team-owned files keep
   their previous baseline content), after the file moves of any migration it crosses;
3. merge the baseline into `plat/upgrade-<version>` cut from main (git's three-way merge);
4. push both branches and open, or update, the pull request.
Nothing in the user's working tree changes; `--dry-run` stops before any ref moves.

Exit codes: 0 upgraded, planned (--dry-run) or already current; 1 refused or failed (nothing
changed); 10 with --check when an upgrade is available.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from platform_cli import answers as answers_mod
from platform_cli import git, locks
from platform_cli.config import Settings
from platform_cli.forge.base import Forge
from platform_cli.models import Template
from platform_cli.prompts import Prompter
from platform_cli.rendering import platform_answers, publish, release_render
from platform_cli.service_repo import find_root, read_answers, render_message
from platform_cli.templates import PLATFORM_ANSWERS
from platform_cli.upgrade import baseline, dry_run, forge_side, migrations, pull_request, targets, versions
from platform_cli.upgrade.baseline import BASELINE_BRANCH, MAIN, UPGRADE_PREFIX, ServiceState, UpgradeError
from platform_cli.upgrade.merge import changes, diff, merge
from platform_cli.upgrade.result import UpgradeResult

TRAILER = "Plat-Upgrade:"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class UpgradeRequest:
    path: Path
    to: str | None = None
    check: bool = False
    dry_run: bool = False
    sets: tuple[str, ...] = ()
    yes: bool = False


@dataclass(frozen=True)
class Prepared:
    upgrade: str  # the upgrade branch tip
    rendered: str  # the new render, on top of the baseline
    tag: str  # the template release rendered
    result: UpgradeResult


def upgrade(
    req: UpgradeRequest,
    settings: Settings,
    forge: Forge,
    *,
    prompter: Prompter | None = None,
    progress: Progress = lambda _: None,
) -> UpgradeResult:
    """Upgrade the service at `req.path` (see the module's docstring). A real run holds the service's
    lock (a second run exits 1 naming this one) and first forgets worktrees killed runs left."""
    if req.check or req.dry_run:
        return _upgrade(req, settings, forge, prompter, progress)
    name = _service_name(req.path)
    with locks.hold(locks.service_lock(settings.home, name), f"service {name}", wait=False):
        return _upgrade(req, settings, forge, prompter, progress)


def _service_name(path: Path) -> str:
    root = find_root(path)
    if root is None:
        return path.resolve().name  # inspect refuses it with its own message
    return str((read_answers(root, MAIN) or {}).get("service_name") or root.name)


def _upgrade(
    req: UpgradeRequest, settings: Settings, forge: Forge, prompter: Prompter | None, progress: Progress
) -> UpgradeResult:
    sets = answers_mod.parse_sets(list(req.sets))
    state = baseline.inspect(req.path, strict=not req.check, dry_run=req.check or req.dry_run)
    if not (req.check or req.dry_run):
        git.worktree_prune(state.repo)  # worktrees of killed runs (their scratch folders are gone)
    current = _current_version(state)
    with targets.target(settings.template_source, settings.home / "templates", state.template, req.to) as tgt:
        if versions.key(tgt.version) < versions.key(current):
            raise UpgradeError(
                f"{tgt.version} is older than the current template version {current}",
                hint="plat upgrade never downgrades; pick a newer --to or leave it out",
            )
        source = settings.template_source / "templates"
        result = UpgradeResult(
            repo=state.repo,
            template=state.template,
            current=current,
            target=tgt.version,
            status="available",
            notes=state.notes,
            changelog=versions.entries_between(source / "CHANGELOG.md", current, tgt.version),
        )
        if req.check:
            result = replace(result, open_pull_request=forge_side.open_upgrade(state, settings.org, forge))
        if versions.key(tgt.version) == versions.key(current):
            return replace(result, status="up-to-date")
        if req.check:
            return result
        if not req.dry_run:
            forge_side.require_main_on_the_forge(state, settings.org, forge)
        with dry_run.workspace(state, settings.home, req.dry_run) as where:
            prepared = _plan(state, tgt, result, sets, req, prompter, settings, forge, where, progress)
    if req.dry_run:
        return replace(prepared.result, status="planned")
    _apply(state, prepared)
    progress(f"render: {prepared.tag} committed on top of {BASELINE_BRANCH} ({prepared.rendered[:12]})")
    progress(f"branch: {prepared.result.branch} updated ({BASELINE_BRANCH} moves to the new render once it merges)")
    pr = forge_side.deliver(state, prepared.result, settings.org, forge)
    return replace(prepared.result, status="upgraded", pull_request=pr, diff="")


def _plan(
    state: ServiceState,
    tgt: targets.Target,
    result: UpgradeResult,
    sets: dict[str, str],
    req: UpgradeRequest,
    prompter: Prompter | None,
    settings: Settings,
    forge: Forge,
    where: dry_run.Workspace,
    progress: Progress,
) -> Prepared:
    """The answers, the release and the merge: everything up to moving a ref."""
    source = settings.template_source / "templates"
    crossing = migrations.crossing(migrations.load(source / migrations.FILE_NAME), result.current, tgt.version)
    answers, dropped = _answers(state, tgt.template, crossing, sets, req, prompter)
    answers.update(_platform_answers(settings, forge, tgt, state, sets, req.dry_run, where.cache))
    release = targets.release(tgt, where.store)
    progress(f"template: {state.template} {state.tag} → {release.tag}")
    result = replace(
        result,
        migrations=tuple(m.describe() for m in crossing),
        dropped_answers=dropped,
        branch=UPGRADE_PREFIX + tgt.version,
    )
    recorded = str(settings.home / "templates" / tgt.template.name)
    return _prepare(
        replace(state, repo=where.repo), tgt.template, release, recorded, answers, crossing, result, req.dry_run
    )


def _current_version(state: ServiceState) -> str:
    if not versions.is_version(state.tag):
        raise UpgradeError(
            f"the answers file on main records no template version (_commit: {state.tag!r})",
            hint="re-adopt the repo: plat adopt --type TEMPLATE --owner TEAM",
        )
    return versions.plain(state.tag)


def _answers(
    state: ServiceState,
    template: Template,
    crossing: tuple[migrations.Migration, ...],
    sets: dict[str, str],
    req: UpgradeRequest,
    prompter: Prompter | None,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Main's answers (migrated), --set on top; new questions prompted for, or failed on without a TTY."""
    recorded = {k: v for k, v in state.answers.items() if not str(k).startswith("_")}
    renamed = migrations.rename_answers(recorded, crossing)
    known = {q.name for q in template.questions}
    given = {k: v for k, v in renamed.items() if k in known}
    given.update(sets)
    return answers_mod.collect(template, given, yes=req.yes, prompter=prompter), tuple(sorted(set(renamed) - known))


def _platform_answers(
    settings: Settings,
    forge: Forge,
    tgt: targets.Target,
    state: ServiceState,
    sets: dict[str, str],
    dry_run: bool,
    cache: Path,
) -> dict[str, Any]:
    """What the render pins: to a version of the template source, plat's settings and the platform release it
    publishes (a dry run: the release it would publish, so that it plans exactly what a real run changes);
    otherwise what main records. A --set of one must agree."""
    values = {k: v for k, v in state.answers.items() if k in PLATFORM_ANSWERS}
    if tgt.from_source and tgt.template.question("platform_ref"):
        values.update(platform_answers.compute(settings, forge, tgt.template, sets, dry_run, cache))
    answers_mod.refuse_computed(sets, values)
    return platform_answers.declared(tgt.template, values)


def _prepare(
    state: ServiceState,
    template: Template,
    release: publish.Release,
    recorded: str,
    answers: dict[str, Any],
    crossing: tuple[migrations.Migration, ...],
    result: UpgradeResult,
    dry_run: bool,
) -> Prepared:
    """Render onto the baseline and merge into the upgrade branch, in temporary worktrees; move no ref.

    Every commit is made as plat at the date of main's tip: a re-run with nothing changed makes the
    same commits (and pushes nothing)."""
    title = pull_request.headline(result)
    old_tag = str((baseline.read_answers(state.repo, state.start) or {}).get("_commit") or "")
    reuse = targets.unchanged_verbatim(release, old_tag, template)
    env = git.as_plat(git.committer_date(state.repo, state.main))
    with baseline.worktree(state.repo, state.start) as wt:
        skipped = targets.team_changes(release, old_tag, template, git.tracked_files(wt, "HEAD"))
        commits = baseline.render_onto(
            wt,
            release,
            answers,
            template.ownership,
            migrations.moves(crossing),
            render_message(f"Render {state.template} template {release.tag}", release.tag),
            reuse,
            release_render.layout(template),
            env=env,
            recorded=recorded,
        )
    message = f"{title}\n\n{TRAILER} {result.target}"
    label = f"template-{release.tag}"
    with baseline.worktree(state.repo, state.main) as wt:
        first = (
            merge(wt, commits.moved, f"plat migrations for {result.target}\n\n{TRAILER} {result.target}", env, label)
            if commits.moved
            else None
        )
        outcome = merge(wt, commits.rendered, message, env, label)
        conflicts = (first.conflicts if first else ()) + outcome.conflicts
        kept = (first.kept_deleted if first else ()) + outcome.kept_deleted
        files, tip = changes(wt, state.main), git.rev_parse(wt, "HEAD")
        text = diff(wt, state.main) if dry_run else ""
    result = replace(
        result, files=files, conflicts=conflicts, kept_deleted=kept, team_changes=skipped, commit=tip, diff=text
    )
    return Prepared(tip, commits.rendered, release.tag, result)


def _apply(state: ServiceState, prepared: Prepared) -> None:
    branch = prepared.result.branch
    _refuse_untracked(state, prepared)
    if git.ref_exists(state.repo, f"refs/heads/{branch}"):
        if TRAILER not in git.message(state.repo, branch):
            raise UpgradeError(
                f"branch {branch} has commits plat did not make",
                hint=f"merge or push that work first, or delete the branch: git branch -D {branch}",
            )
    if state.baseline != state.branch_tip:  # a merged upgrade's render: the branch catches up with main
        git.update_ref(state.repo, f"refs/heads/{BASELINE_BRANCH}", state.baseline, state.branch_tip)
    git.set_branch(state.repo, branch, prepared.upgrade, force=True)


def _refuse_untracked(state: ServiceState, prepared: Prepared) -> None:
    clash = sorted(git.untracked_files(state.repo) & set(git.tracked_files(state.repo, prepared.upgrade)))
    if clash:
        raise UpgradeError(
            f"untracked files would be overwritten by the upgrade: {', '.join(clash)}",
            hint="move them away or commit them, then run plat upgrade again",
        )
