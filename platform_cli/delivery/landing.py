"""One commit on the GitOps repo's `main`, which other deploys move too: build it on the `main` just
read, land it only if `main` is still there (the forge's compare-and-swap), else read again and retry."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from platform_cli import git
from platform_cli.config import Settings
from platform_cli.errors import ForgeError, UsageError
from platform_cli.forge.base import Forge

ATTEMPTS = 10
# (a local copy of the repo, the sha of `main` in it) -> (files to write, commit message), or None: nothing to do
Build = Callable[[Path, str], "tuple[dict[str, str], str] | None"]


@dataclass(frozen=True)
class Landed:
    sha: str | None  # the commit that landed; None when there was nothing to change
    head: str  # `main` as it was read for the last attempt
    attempts: int


@dataclass(frozen=True)
class Target:
    """Where deliveries land: the GitOps repo on a forge, and where a copy of it is kept to read it."""

    forge: Forge
    org: str
    repo: str
    cache: Path

    def read(self) -> tuple[Path, str]:
        """A local copy of the repo and its `main` now."""
        mirror = self.forge.mirror(self.org, self.repo, self.cache)
        head = git.resolve(mirror, "refs/heads/main")
        if head is None:
            raise UsageError(
                f"the GitOps repo {self.org}/{self.repo} has no main branch",
                hint="register a service first: plat new service NAME",
            )
        return mirror, head


def land(target: Target, build: Build, at: str | None = None, sleep: Callable[[float], None] = time.sleep) -> Landed:
    for attempt in range(1, ATTEMPTS + 1):
        mirror, head = target.read()
        change = build(mirror, head)
        if change is None:
            return Landed(None, head, attempt)
        files, message = change
        try:
            sha = target.forge.commit_files(target.org, target.repo, "main", "main", files, message, at)
        except ForgeError:
            if target.forge.branch_sha(target.org, target.repo, "main") == head:
                raise  # `main` did not move: the forge refused for another reason
            sleep(random.uniform(0.02, 0.1) * attempt)
            continue
        return Landed(sha, head, attempt)
    raise ForgeError(
        f"main of {target.org}/{target.repo} kept moving: {ATTEMPTS} attempts did not land",
        hint="run the same command again",
    )


def gitops_target(settings: Settings, forge: Forge) -> Target:
    """The organisation's GitOps repo, read through a copy under PLAT_HOME/cache/repos (on the local
    forge the repo itself)."""
    return Target(forge, settings.org, settings.gitops_repo, settings.home / "cache" / "repos")


def lands_directly(settings: Settings, environment: str) -> bool:
    """The first environment, and those the `direct_deploys` setting names, skip the pull request."""
    named = {e.strip() for e in settings.direct_deploys.split(",") if e.strip()}
    return environment in named or environment == settings.environments[0]
