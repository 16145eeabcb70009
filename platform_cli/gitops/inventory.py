"""The services registered in the GitOps repo: merged on `main`, or proposed by an open registration.

A registration (see `registration.py`) is `apps/<service>/<env>.yaml` (one Argo CD Application per
environment) plus `catalog/<service>.yaml`. Merged ones are read from a clone of `main`'s files;
open ones from their `plat/register-<service>` branch, all in one `git cat-file --batch`. The
clone is made through the forge (which supplies any credential); an inventory whose `main` and open
registrations have not moved is read back from a small JSON cache without cloning.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from platform_cli import git, yamlio
from platform_cli.errors import UsageError
from platform_cli.forge.base import Forge
from platform_cli.gitops.registration import branch_name

MERGED, OPEN = "merged", "open"
REGISTER_PREFIX = branch_name("")


def require(forge: Forge, org: str, repo: str, nothing: str) -> None:
    """A UsageError when the GitOps repo does not exist yet; `nothing` says what is then missing."""
    if not forge.repo_exists(org, repo):
        raise UsageError(
            f"no GitOps repo {org}/{repo} on the {forge.name} forge: {nothing}",
            hint="register a service first (plat new service), or set --org / gitops_repo",
        )


@dataclass(frozen=True)
class RegisteredService:
    service: str
    repo_url: str  # the chart's repoURL in the Applications (the service repo's clone URL)
    owner: str
    system: str
    environments: tuple[str, ...]
    deployed: tuple[tuple[str, str | None], ...]  # (environment, image digest or None)
    registration: str  # merged | open
    pull_request: int | None = None  # the open registration's pull request

    @property
    def org_repo(self) -> tuple[str, str]:
        """The service repo's org and name on the forge: the last two parts of its URL."""
        parts = self.repo_url.rstrip("/").removesuffix(".git").replace(":", "/").split("/")
        return parts[-2], parts[-1]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "environments": list(self.environments), "deployed": dict(self.deployed)}


def read(forge: Forge, org: str, repo: str, cache: Path) -> tuple[RegisteredService, ...]:
    """Every registered service, merged ones first (by name), then open ones not merged yet."""
    main = forge.branch_sha(org, repo, "main")
    if main is None:
        return ()
    opened = {
        pr.head.removeprefix(REGISTER_PREFIX): pr.id
        for pr in forge.list_pull_requests(org, repo, "open")
        if pr.head.startswith(REGISTER_PREFIX)
    }
    key = {"main": main, "open": sorted(opened.items())}
    stamp = cache / f"{org}+{repo}.inventory.json"
    cached = _cached(stamp, key)
    if cached is not None:
        return cached
    with tempfile.TemporaryDirectory(prefix="plat-gitops-") as tmp:
        work = Path(tmp) / "gitops"
        forge.clone(org, repo, work)
        merged = _merged(work)
        proposed = _proposed(work, {s: n for s, n in opened.items() if s not in {m.service for m in merged}})
    services = tuple(sorted(merged, key=lambda s: s.service)) + tuple(sorted(proposed, key=lambda s: s.service))
    _remember(stamp, key, services)
    return services


def _merged(work: Path) -> list[RegisteredService]:
    apps = work / "apps"
    out = []
    for folder in sorted(p for p in apps.iterdir() if p.is_dir()) if apps.is_dir() else []:
        docs = {f.stem: _load(f.read_text(encoding="utf-8")) for f in sorted(folder.glob("*.yaml"))}
        catalog = work / "catalog" / f"{folder.name}.yaml"
        entry = _load(catalog.read_text(encoding="utf-8")) if catalog.is_file() else {}
        service = _service(folder.name, docs, entry, MERGED, None)
        if service:
            out.append(service)
    return out


def _proposed(work: Path, opened: dict[str, int]) -> list[RegisteredService]:
    """Open registrations: their files on their branches, read by one `git grep` over all of them."""
    if not opened:
        return []
    refs = {s: f"refs/remotes/origin/{branch_name(s)}" for s in opened}
    files = _files_at(work, list(refs.values()), [p for s in opened for p in (f"apps/{s}/", f"catalog/{s}.yaml")])
    out = []
    for service, ref in refs.items():
        mine = {path: text for (at, path), text in files.items() if at == ref}
        docs = {Path(p).stem: _load(t) for p, t in mine.items() if p.startswith(f"apps/{service}/")}
        found = _service(service, docs, _load(mine.get(f"catalog/{service}.yaml", "")), OPEN, opened[service])
        if found:
            out.append(found)
    return out


def _files_at(repo: Path, refs: list[str], pathspecs: list[str]) -> dict[tuple[str, str], str]:
    """The text of the files under `pathspecs` in each of `refs`, in one git process: {(ref, path): text}."""
    try:
        out = git.lines_at(repo, refs, pathspecs)
    except git.GitError:  # exit 1: nothing matched
        return {}
    lines: dict[tuple[str, str], list[str]] = {}
    for line in out.split("\n"):
        where, _, text = line.partition("\0")
        ref, _, path = where.partition(":")
        lines.setdefault((ref, path), []).append(text)
    return {key: "\n".join(text) + "\n" for key, text in lines.items()}


def _service(name: str, apps: dict[str, Any], entry: Any, state: str, pr: int | None) -> RegisteredService | None:
    apps = {env: doc for env, doc in apps.items() if isinstance(doc, dict) and doc.get("kind") == "Application"}
    if not apps:
        return None
    first = next(iter(apps.values()))
    labels = (first.get("metadata") or {}).get("labels") or {}
    meta = (entry.get("metadata") or {}) if isinstance(entry, dict) else {}
    envs = _env_order(apps)
    return RegisteredService(
        service=name,
        repo_url=str(((first.get("spec") or {}).get("source") or {}).get("repoURL") or ""),
        owner=str(labels.get("plat.dev/owner") or (meta.get("annotations") or {}).get("plat.dev/owner") or ""),
        system=str(labels.get("app.kubernetes.io/part-of") or name),
        environments=envs,
        deployed=tuple((env, _digest(apps[env])) for env in envs),
        registration=state,
        pull_request=pr,
    )


def _env_order(apps: dict[str, Any]) -> tuple[str, ...]:
    """Environments in promotion order: the automatically synced one (the first) before the others."""
    auto = [e for e, d in apps.items() if ((d.get("spec") or {}).get("syncPolicy") or {}).get("automated")]
    return tuple(sorted(apps, key=lambda e: (e not in auto, e)))


def _digest(app: dict[str, Any]) -> str | None:
    helm = ((app.get("spec") or {}).get("source") or {}).get("helm") or {}
    for param in helm.get("parameters") or []:
        if isinstance(param, dict) and param.get("name") == "image.digest":
            return str(param.get("value"))
    return None


def _load(text: str) -> Any:
    try:
        return yamlio.load(text) if text else None
    except yamlio.YAMLError:
        return None


def _cached(stamp: Path, key: dict[str, Any]) -> tuple[RegisteredService, ...] | None:
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != json.loads(json.dumps(key)):
        return None
    return tuple(
        RegisteredService(
            **{
                **s,
                "environments": tuple(s["environments"]),
                "deployed": tuple((e, d) for e, d in s["deployed"]),
            }
        )
        for s in data["services"]
    )


def _remember(stamp: Path, key: dict[str, Any], services: tuple[RegisteredService, ...]) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_suffix(".tmp")
    rows = [{**asdict(s), "deployed": [list(p) for p in s.deployed]} for s in services]
    tmp.write_text(json.dumps({"key": key, "services": rows}), encoding="utf-8")
    tmp.replace(stamp)
