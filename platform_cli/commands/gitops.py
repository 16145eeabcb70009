"""`plat gitops codeowners`: regenerate the GitOps repo's CODEOWNERS on `main` from its tenancy records, so
each team owns (and approves the production deploys of) its own services' paths (docs/delivery.md)."""

from __future__ import annotations

import time
from collections.abc import Callable

from platform_cli.config import Settings
from platform_cli.delivery.landing import gitops_target
from platform_cli.errors import PlatError
from platform_cli.forge.base import Forge
from platform_cli.gitops import codeowners, inventory


def regenerate(
    settings: Settings,
    forge: Forge,
    check: bool = False,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> codeowners.Regenerated:
    inventory.require(forge, settings.org, settings.gitops_repo, "no CODEOWNERS to generate")
    target = gitops_target(settings, forge)
    result = codeowners.regenerate(target, settings.platform_team, dry_run=dry_run or check, sleep=sleep)
    if check and result.stale:
        raise PlatError(  # exit 1: --check found a stale file
            f"{codeowners.PATH} on main of {result.repo} is not the one its tenancy records make",
            hint=f"regenerate it: {codeowners.COMMAND} (see what changes first with --dry-run)",
        )
    return result
