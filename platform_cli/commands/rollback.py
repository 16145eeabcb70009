"""`plat new service NAME --rollback`: remove what one unfinished (or finished) run created — and only
that. Before removing anything it looks at everything, and refuses, naming what would be lost, when
the working clone, the service repo or the registration branch holds work the run did not make, or
when the registration was merged (then `--unregister` opens a pull request that removes it instead).
A GitOps repo the run created is removed only while it holds nothing but that run's own commits.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platform_cli import git, locks
from platform_cli.config import Settings
from platform_cli.errors import UsageError
from platform_cli.forge.base import Forge
from platform_cli.gitops import tenancy
from platform_cli.journal import Created, Journal, fingerprint, journal_path, open_new_service
from platform_cli.models import PullRequest

UNREGISTER_PREFIX = "plat/unregister-"


@dataclass(frozen=True)
class RollbackResult:
    service: str
    removed: tuple[str, ...]
    kept: tuple[str, ...]  # what the run created and this rollback did not remove, each with why
    pull_request: PullRequest | None = None  # --unregister: the pull request that removes the registration

    def to_json(self) -> dict:
        pr = self.pull_request
        return {
            "service": self.service,
            "removed": list(self.removed),
            "kept": list(self.kept),
            "pull_request": None if pr is None else {"id": pr.id, "repo": pr.repo, "url": pr.url, "state": pr.state},
        }


@dataclass(frozen=True)
class Survey:
    """What is there now, read before anything is removed."""

    refs: dict[str, dict[str, str]]  # "org/repo" -> {branch or tag ref: sha}, for the repos the run touched
    clones: dict[str, Path]  # "org/repo" -> a throwaway clone of it
    pulls: dict[str, PullRequest]  # "org/repo#n" -> the pull request as it is now


def rollback_service(name: str, settings: Settings, forge: Forge, *, unregister: bool = False) -> RollbackResult:
    lock = locks.service_lock(settings.home, name)
    with locks.hold(lock, f"service {settings.org}/{name}", wait=False):
        journal = open_new_service(journal_path(settings, name), {})
        if not journal.exists:
            raise UsageError(
                f"no run of `plat new service {name}` to roll back in {settings.org}",
                hint="rollback undoes only what plat recorded creating",
            )
        with tempfile.TemporaryDirectory(prefix="plat-rollback-") as tmp:
            survey = _survey(journal, forge, Path(tmp))
            if unregister:
                return RollbackResult(name, (), (), _unregister(journal, forge, survey, settings, name))
            losses = _losses(journal, survey, name, settings)
            if losses:
                raise UsageError(
                    f"rolling back {name} would lose what plat did not make: " + "; ".join(losses),
                    hint=_hint(losses, name),
                )
            removed, kept = _undo_all(journal, forge, survey, name)
        journal.remove()
    return RollbackResult(name, tuple(removed), tuple(kept))


def _hint(losses: list[str], name: str) -> str:
    if any("was merged" in loss for loss in losses):
        return (
            f"open a pull request that unregisters it: plat new service {name} --rollback --unregister; "
            "once it is merged, run --rollback again"
        )
    return "move that work elsewhere (or remove it by hand if it can go), then run --rollback again"


# --- looking -------------------------------------------------------------------------------------


def _survey(journal: Journal, forge: Forge, tmp: Path) -> Survey:
    refs, clones, pulls = {}, {}, {}
    for item in journal.created:
        if item.kind == "directory":
            continue
        org, repo, _ = _split(item.target)
        key = f"{org}/{repo}"
        if key not in clones and forge.repo_exists(org, repo):
            clones[key] = tmp / f"{org}-{repo}"
            forge.clone(org, repo, clones[key])
            refs[key] = _refs(clones[key])
        if item.kind == "pull_request" and key in clones and item.target not in pulls:
            pulls.update({f"{key}#{pr.id}": pr for pr in forge.list_pull_requests(org, repo)})
    return Survey(refs, clones, pulls)


def _refs(clone: Path) -> dict[str, str]:
    """The forge repo's branches (as refs/heads/...) and tags, as its clone saw them."""
    found = {}
    for sha, ref in git.ref_shas(clone, ["refs/remotes/origin", "refs/tags"]):
        if ref != "refs/remotes/origin/HEAD":
            found[ref.replace("refs/remotes/origin/", "refs/heads/", 1)] = sha
    return found


def _split(target: str) -> tuple[str, str, str]:
    org_repo, _, rest = target.replace("#", ":").partition(":")
    org, repo = org_repo.split("/", 1)
    return org, repo, rest


def _losses(journal: Journal, survey: Survey, name: str, settings: Settings) -> list[str]:
    losses: list[str] = []
    for item in journal.created:
        if item.kind == "directory":
            losses += _directory_losses(Path(item.target), journal)
        elif item.kind == "repo" and item.target == f"{settings.org}/{name}":
            losses += _repo_losses(item.target, survey, journal.steps.get("commit"))
        elif item.kind == "branch":
            losses += _branch_losses(item, survey, journal, name)
        elif item.kind == "pull_request" and _registered(item, survey, name):
            pr = survey.pulls[item.target]
            losses.append(f"its registration was merged into {pr.repo} (pull request #{pr.id}): Argo CD deploys it")
    return losses


def _directory_losses(path: Path, journal: Journal) -> list[str]:
    if not (path.exists() or path.is_symlink()):
        return []
    if not path.is_dir() or path.is_symlink():
        return [f"{path} is not the folder plat made"]
    commit = journal.steps.get("commit")
    if commit and (path / ".git").is_dir():
        return _clone_losses(path, commit)
    rendered = journal.steps.get("rendered")
    now = fingerprint(path)
    if rendered is None:
        return [f"{path} holds files plat cannot tell from its own ({len(now)} files)"] if now else []
    changed = sorted(rel for rel, digest in now.items() if rendered.get(rel) != digest)
    return [f"{path} holds files plat did not render: {_few(changed)}"] if changed else []


def _clone_losses(path: Path, commit: str) -> list[str]:
    losses = []
    if git.resolve(path, "HEAD") != commit:
        losses.append(f"{path} has commits made after plat created it")
    status = git.status_lines(path)
    if status:
        losses.append(f"{path} has changes and files plat did not make: {_few([s[3:] for s in status])}")
    stash = git.ref_exists(path, "refs/stash")
    moved = [ref for sha, ref in git.ref_shas(path, ["refs/heads", "refs/tags"], short=True) if sha != commit]
    if moved or stash:
        losses.append(f"{path} has branches, tags or stashes plat did not make: {_few(moved + ['stash'] * stash)}")
    return losses


def _repo_losses(target: str, survey: Survey, commit: str | None) -> list[str]:
    refs = survey.refs.get(target)
    if not refs:
        return []
    ours = {"refs/heads/main": commit, "refs/heads/plat/template": commit} if commit else {}
    other = sorted(f"{_short(ref)} ({sha[:8]})" for ref, sha in refs.items() if ours.get(ref) != sha)
    return [f"repo {target} holds branches or commits plat did not push: {_few(other)}"] if other else []


def _branch_losses(item: Created, survey: Survey, journal: Journal, name: str) -> list[str]:
    org, repo, branch = _split(item.target)
    sha = survey.refs.get(f"{org}/{repo}", {}).get(f"refs/heads/{branch}")
    if sha is None or _made_by_us(sha, journal, survey, f"{org}/{repo}", name):
        return []
    return [f"branch {branch} of {org}/{repo} has commits plat did not make (now at {sha[:8]})"]


def _made_by_us(sha: str, journal: Journal, survey: Survey, repo: str, name: str) -> bool:
    recorded = journal.steps.get("registration")
    if recorded:
        return sha == recorded
    subject = git.log(survey.clones[repo], [sha], "%s", limit=1)  # killed before it was recorded
    return subject == f"Register service {name}"


def _registered(item: Created, survey: Survey, name: str) -> bool:
    """The registration was merged and is still on the GitOps repo's main."""
    pr = survey.pulls.get(item.target)
    if pr is None or pr.state != "merged":
        return False
    clone = survey.clones[pr.repo]
    return bool(git.entries(clone, "origin/main", [f"apps/{name}"]))


def _few(items: list[str]) -> str:
    return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def _short(ref: str) -> str:
    return ref.removeprefix("refs/heads/").removeprefix("refs/tags/")


# --- removing ------------------------------------------------------------------------------------


def _undo_all(journal: Journal, forge: Forge, survey: Survey, name: str) -> tuple[list[str], list[str]]:
    removed: list[str] = []
    kept: list[str] = []
    for item in reversed(journal.created):
        why_kept = _undo(item, forge, survey, journal, name)
        label = f"{item.kind} {item.target}"
        removed.append(label) if why_kept is None else kept.append(f"{label} ({why_kept})")
    return removed, kept


def _undo(item: Created, forge: Forge, survey: Survey, journal: Journal, name: str) -> str | None:
    """Remove one thing the run created; None when removed, else why not."""
    if item.kind == "directory":
        there = Path(item.target).exists()
        for path in (Path(item.target), Path(item.target + ".plat-partial")):
            shutil.rmtree(path, ignore_errors=True)
        return None if there else "already gone"
    org, repo, rest = _split(item.target)
    if f"{org}/{repo}" not in survey.clones:
        return "already gone"
    if item.kind == "pull_request":
        pr = survey.pulls.get(item.target)
        if pr is not None and pr.state == "merged":
            return "merged: its record stays"
        if pr is not None and pr.state == "open":
            forge.close_pull_request(org, repo, int(rest))
        return None
    if item.kind == "branch":
        forge.delete_branch(org, repo, rest)
        return None
    if repo != name and not _only_ours(f"{org}/{repo}", forge, survey, journal):
        return "others use it"  # a shared repo (GitOps) with work of others since: keep it
    forge.delete_repo(org, repo)
    return None


def _only_ours(key: str, forge: Forge, survey: Survey, journal: Journal) -> bool:
    """The GitOps repo holds nothing but this run's bootstrap, registration branch and pull request."""
    org, repo = key.split("/", 1)
    gitops = journal.steps.get("gitops")
    main = gitops.get("main") if isinstance(gitops, dict) else None
    ours = {"refs/heads/main": main, **{f"refs/heads/{_split(c.target)[2]}": None for c in _items(journal, "branch")}}
    refs = survey.refs.get(key, {})
    if any(ref not in ours or (ours[ref] and ours[ref] != sha) for ref, sha in refs.items()):
        return False
    our_pulls = {c.target for c in _items(journal, "pull_request")}
    return all(f"{key}#{pr.id}" in our_pulls for pr in forge.list_pull_requests(org, repo))


def _items(journal: Journal, kind: str) -> list[Created]:
    return [c for c in journal.created if c.kind == kind]


# --- unregistering -------------------------------------------------------------------------------


def _unregister(journal: Journal, forge: Forge, survey: Survey, settings: Settings, name: str) -> PullRequest:
    """A pull request on the GitOps repo removing the merged registration (apps/NAME, catalog/NAME.yaml and
    the tenancy record tenancy/services/NAME.yaml: the team's project no longer lists its repo or namespaces)."""
    merged = [c for c in _items(journal, "pull_request") if _registered(c, survey, name)]
    if not merged:
        raise UsageError(
            f"no merged registration of {name} to unregister",
            hint=f"roll back without --unregister: plat new service {name} --rollback",
        )
    pr = survey.pulls[merged[0].target]
    org, repo = pr.repo.split("/", 1)
    branch = UNREGISTER_PREFIX + name
    existing = [p for p in forge.list_pull_requests(org, repo, "open") if p.head == branch]
    if existing:
        return existing[0]
    clone = survey.clones[pr.repo]
    git.checkout_new(clone, branch, "origin/main")
    paths = [f"apps/{name}", f"catalog/{name}.yaml", tenancy.service_path(name)]
    git.remove_paths(clone, paths)
    git.commit(clone, f"Unregister service {name}")
    forge.push(clone, org, repo, [f"+refs/heads/{branch}:refs/heads/{branch}"])
    body = (
        f"Removes the registration of `{name}` (merged in #{pr.id}): its Argo CD Applications under "
        f"`apps/{name}/`, its catalog entry and its tenancy record `{tenancy.service_path(name)}` (the team's "
        "project no longer reaches its namespaces). Argo CD prunes what the Applications deployed; the "
        "tenancy Application never prunes, so the namespaces are deleted by hand once empty.\n\n"
        f"Opened by `plat new service {name} --rollback --unregister`. Once merged, "
        f"`plat new service {name} --rollback` removes the rest of what `plat new service` created."
    )
    return forge.open_pull_request(org, repo, branch, "main", f"Unregister service {name}", body)
