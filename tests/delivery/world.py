"""A small organisation on the local forge with real git history at chosen dates: a GitOps repo with
registered services, service repos with commits, and deploys/incidents recorded through plat's commands."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from platform_cli import git
from platform_cli.commands import deploy as deploy_cmd
from platform_cli.commands import deploy_rollback, incident
from platform_cli.config import Settings
from platform_cli.forge.local import LocalForge
from platform_cli.gitops import registration

ORG = "acme"
T0 = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday


def at(hours: float) -> str:
    """T0 + hours, as an ISO timestamp."""
    return (T0 + timedelta(hours=hours)).isoformat()


def epoch(hours: float) -> int:
    return int((T0 + timedelta(hours=hours)).timestamp())


def digest(name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


class World:
    def __init__(self, root: Path, **settings) -> None:
        self.root = root
        self.forge = LocalForge(root / "home" / "forge")  # where PLAT_HOME=root/home puts it
        self.settings = Settings(home=root / "home", template_source=root, org=ORG, **settings)
        self.gitops = Path(self.forge.repo_url(ORG, "gitops"))
        self.forge.create_repo(ORG, "gitops")
        registration.bootstrap(self.forge, ORG, "gitops")

    def register(self, service: str, owner: str = "team-a") -> None:
        reg = registration.Registration(
            service, ORG, owner, service, self.forge.repo_url(ORG, service), self.settings.environments
        )
        self.forge.commit_files(
            ORG, "gitops", "main", "main", registration.registration_files(reg), f"Register {service}"
        )
        self.forge.create_repo(ORG, service)
        work = self.work(service)
        git.init(work)

    def work(self, service: str) -> Path:
        return self.root / "work" / service

    def commit(self, service: str, when: str, name: str | None = None) -> str:
        """A commit on the service's main at `when` (author and committer date), pushed."""
        work = self.work(service)
        (work / "log.txt").open("a").write(f"{name or when}\n")
        env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        git.stage_all(work)
        sha = git.commit(work, name or f"change at {when}", env=env)
        self.forge.push(work, ORG, service, ["+main"])
        return sha

    def deploy(self, service: str, env: str, source: str, image: str, hours: float, kind: str = "normal") -> str | None:
        out = deploy_cmd.deploy(
            self.settings, self.forge, service, env, digest(image), source, kind, direct=True, at=at(hours)
        )
        return out.id

    def rollback(self, service: str, env: str, hours: float, to: str | None = None) -> str | None:
        return deploy_rollback.rollback(
            self.settings, self.forge, service, env, digest(to) if to else None, at=at(hours)
        ).id

    def open_incident(self, service: str, hours: float, cause: str | None = None, title: str = "it broke") -> str:
        ident = incident.open_incident(self.settings, self.forge, service, title, cause, at=at(hours)).id
        assert ident is not None
        return ident

    def resolve(self, ident: str, hours: float) -> None:
        incident.resolve_incident(self.settings, self.forge, ident, at=at(hours))

    def log(self, *args: str) -> str:
        return git.run(["log", *args], self.gitops)
