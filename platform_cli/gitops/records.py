"""What the GitOps repo holds about one service: its Applications, its team's project, its namespaces.

The project and the namespace objects are built from the tenancy records (`tenancy/services/*.yaml`) as
the chart in `tenancy/` renders them (`tenancy.project`, `tenancy.namespace_objects`); the chart's own
files are compared with what plat writes (`drift`), so an edit there is found too.

Read from `main`; a service whose registration pull request is still open is read from that branch
(`ref` says which), so a fresh service is checked against what it will get once merged.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
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
        on_main = any(p.startswith(f"apps/{service}/") for p in _yaml_files(checkout, ref))
        if not on_main and snapshot.has_branch(checkout, branch_name(service)):
            ref = branch_name(service)
        return Tree.load(checkout, ref, f"apps/{service}/").records(f"{org}/{repo}", service, team)


class Shared:
    """Records of many services (a fleet scan) from one clone of the GitOps repo, kept while its refs
    stay where the forge has them: each commit of `main` (and of an open registration branch) is
    read once, not once a service. Same signature and answers as `read`."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="plat-gitops-"))  # in plat's scratch folder (see scratch.py)
        weakref.finalize(self, shutil.rmtree, self._folder, True)
        self._clones: dict[tuple[str, str], Path] = {}
        self._trees: dict[tuple[str, str, str, str], Tree] = {}  # (org, repo, ref, its sha) -> its files
        self._lock = threading.Lock()

    def __call__(self, forge: Forge, org: str, repo: str, service: str, team: str) -> Records | None:
        if not org or not forge.repo_exists(org, repo):
            return None
        main = forge.branch_sha(org, repo, "main")
        if main is None:
            return None
        with self._lock:
            tree = self._tree(forge, (org, repo), "main", main)
            branch = forge.branch_sha(org, repo, branch_name(service)) if not tree.has_apps(service) else None
            if branch is not None:
                tree = self._tree(forge, (org, repo), branch_name(service), branch, f"apps/{service}/")
        return tree.records(f"{org}/{repo}", service, team)

    def _tree(self, forge: Forge, where: tuple[str, str], ref: str, sha: str, apps: str = "apps/") -> Tree:
        key = (*where, ref, sha)
        if key not in self._trees:
            checkout = self._clones.get(where)
            if checkout is None or git.resolve(checkout, f"refs/remotes/origin/{ref}") != sha:
                checkout = self._clone(forge, where)
            self._trees[key] = Tree.load(checkout, ref, apps)
        return self._trees[key]

    def _clone(self, forge: Forge, where: tuple[str, str]) -> Path:
        old = self._clones.pop(where, None)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        dest = Path(tempfile.mkdtemp(dir=self._folder)) / where[1]
        forge.clone(*where, dest)
        self._clones[where] = dest
        return dest


@dataclass(frozen=True)
class Tree:
    """The files of one ref of the GitOps repo that records are made of, read in one `git cat-file
    --batch`: the tenancy records, the tenancy chart, and the Applications under `apps_prefix`."""

    ref: str
    texts: Mapping[str, str | None]  # path -> text (None: not there)
    tenancy_records: tuple[dict[str, Any], ...]  # every readable record (helm fails on the others)

    @classmethod
    def load(cls, checkout: Path, ref: str, apps_prefix: str = "apps/") -> Tree:
        listed = _yaml_files(checkout, ref)
        files = [p for p in listed if p.startswith((f"{tenancy.SERVICES}/", apps_prefix))]
        wanted = [*dict.fromkeys([*files, *tenancy_chart.files()])]
        found = git.cat_files(checkout, [f"refs/remotes/origin/{ref}:{p}" for p in wanted])
        texts = {p: found[f"refs/remotes/origin/{ref}:{p}"] for p in wanted}
        records = (_load(texts[p]) for p in files if p.startswith(f"{tenancy.SERVICES}/"))
        return cls(ref, texts, tuple(r for r in records if isinstance(r, dict)))

    def has_apps(self, service: str) -> bool:
        return any(p.startswith(f"apps/{service}/") for p in self.texts)

    def records(self, repo: str, service: str, team: str) -> Records:
        prefix = f"apps/{service}/"
        texts = sorted((p, t) for p, t in self.texts.items() if p.startswith(prefix))
        apps = {p: doc for p, t in texts if isinstance(doc := _load(t), dict)}
        destinations = sorted(
            {str((a.get("spec") or {}).get("destination", {}).get("namespace")) for a in apps.values()}
        )
        chart = tenancy_chart.files().items()
        drift = tuple(p for p, text in chart if (self.texts.get(p) or "").strip() != text.strip())
        own = next((r for r in self.tenancy_records if r.get("service") == service), {})
        mine = any(r.get("team") == team for r in self.tenancy_records)
        project = tenancy.project(team, self.tenancy_records) if mine else None
        rendered = tenancy.namespaces(own)
        namespaces = {ns: rendered.get(ns) for ns in destinations}
        return Records(repo, self.ref, team, apps, project, namespaces, tenancy.service_path(service), drift)


def _yaml_files(checkout: Path, ref: str) -> list[str]:
    remote = f"refs/remotes/origin/{ref}"
    if not git.ref_exists(checkout, remote):
        return []
    return sorted(p for p in git.tracked_files(checkout, remote) if p.endswith(".yaml"))


def _load(text: str | None) -> Any:
    try:
        return yamlio.load(text) if text else None
    except yamlio.YAMLError:
        return None
