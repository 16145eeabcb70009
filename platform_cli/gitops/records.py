"""What the GitOps repo holds about one service: its Applications, its team's project, its namespaces.

The project and the namespace objects are built from the tenancy records (`tenancy/services/*.yaml`) as
the chart in `tenancy/` renders them (`tenancy.project`, `tenancy.namespace_objects`); the chart's own
files are compared with what plat writes (`drift`), so an edit there is found too.

Read from `main`; a service whose registration pull request is still open is read from that branch
(`ref` says which), so a fresh service is checked against what it will get once merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from platform_cli import git, yamlio
from platform_cli.forge.base import Forge
from platform_cli.gitops import snapshot, tenancy, tenancy_chart
from platform_cli.gitops.registration import branch_name


@dataclass(frozen=True)
class Records:
    repo: str  # ORG/REPO
    ref: str  # main, or the open registration branch
    team: str
    applications: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # path -> Application
    project: dict[str, Any] | None = None  # rendered from the team's records; None when it has none
    namespaces: Mapping[str, list[dict[str, Any]] | None] = field(default_factory=dict)  # namespace -> objects
    record: str = ""  # the path of the service's tenancy record
    drift: tuple[str, ...] = ()  # files of the tenancy chart that differ from what plat writes, or are missing

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
        records = _records(checkout, ref, show)
        drift = tuple(p for p, text in tenancy_chart.files().items() if (show(p) or "").strip() != text.strip())
    own = next((r for r in records if r.get("service") == service), {})
    project = tenancy.project(team, records) if any(r.get("team") == team for r in records) else None
    rendered = tenancy.namespaces(own)
    namespaces = {ns: rendered.get(ns) for ns in destinations}
    path = tenancy.service_path(service)
    return Records(f"{org}/{repo}", ref, team, apps, project, namespaces, path, drift)


def _records(checkout: Any, ref: str, show: snapshot.Reader) -> list[dict[str, Any]]:
    """Every tenancy record at `ref` (what the chart renders); unreadable ones are left out, as helm fails on them."""
    return [r for p in _yaml_files(checkout, ref, f"{tenancy.SERVICES}/") if isinstance(r := _load(show(p)), dict)]


def _apps(checkout: Any, ref: str, service: str) -> list[str]:
    return _yaml_files(checkout, ref, f"apps/{service}/")


def _yaml_files(checkout: Any, ref: str, prefix: str) -> list[str]:
    remote = f"refs/remotes/origin/{ref}"
    if not git.ref_exists(checkout, remote):
        return []
    return sorted(p for p in git.tracked_files(checkout, remote) if p.startswith(prefix) and p.endswith(".yaml"))


def _load(text: str | None) -> Any:
    try:
        return yamlio.load(text) if text else None
    except yamlio.YAMLError:
        return None
