"""What the GitOps repo holds about one service: its Applications, its team's project, its namespaces.

Read from `main`; a service whose registration pull request is still open is read from that branch
(`ref` says which), so a fresh service is checked against what it will get once merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from platform_cli import git, yamlio
from platform_cli.forge.base import Forge
from platform_cli.gitops import snapshot, tenancy
from platform_cli.gitops.registration import branch_name


@dataclass(frozen=True)
class Records:
    repo: str  # ORG/REPO
    ref: str  # main, or the open registration branch
    team: str
    applications: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # path -> Application
    project: dict[str, Any] | None = None
    namespaces: Mapping[str, list[dict[str, Any]] | None] = field(default_factory=dict)  # namespace -> objects

    def where(self, path: str) -> str:
        return f"{self.repo}:{path}" + ("" if self.ref == "main" else f" (branch {self.ref})")


def read(forge: Forge, org: str, repo: str, service: str, team: str) -> Records | None:
    """The service's records, or None when the GitOps repo does not exist or has no `main`."""
    if not org or not forge.repo_exists(org, repo) or forge.branch_sha(org, repo, "main") is None:
        return None
    with snapshot.clone(forge, org, repo) as checkout:
        ref = "main"
        if not _apps(checkout, ref, service) and snapshot.has_branch(checkout, branch_name(service)):
            ref = branch_name(service)
        show = snapshot.reader(checkout, ref)
        apps = {p: doc for p in _apps(checkout, ref, service) if isinstance(doc := _load(show(p)), dict)}
        destinations = sorted(
            {str((a.get("spec") or {}).get("destination", {}).get("namespace")) for a in apps.values()}
        )
        project = _load(show(tenancy.project_path(team)))
        namespaces = {ns: _load_all(show(tenancy.namespace_path(ns))) for ns in destinations}
    return Records(f"{org}/{repo}", ref, team, apps, project if isinstance(project, dict) else None, namespaces)


def _apps(checkout: Any, ref: str, service: str) -> list[str]:
    remote = f"refs/remotes/origin/{ref}"
    if not git.ref_exists(checkout, remote):
        return []
    prefix = f"apps/{service}/"
    return [p for p in git.tracked_files(checkout, remote) if p.startswith(prefix) and p.endswith(".yaml")]


def _load(text: str | None) -> Any:
    try:
        return yamlio.load(text) if text else None
    except yamlio.YAMLError:
        return None


def _load_all(text: str | None) -> list[dict[str, Any]] | None:
    if text is None:
        return None
    try:
        return [d for d in yamlio.load_all(text) if isinstance(d, dict)]
    except yamlio.YAMLError:
        return []
