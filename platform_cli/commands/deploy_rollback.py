"""`plat rollback SERVICE --env ENV [--to DIGEST]`: back to the previous good deploy in one commit on the
GitOps repo's `main`, naming the deploy it undoes. (Not `plat new service --rollback`, which removes
what a `plat new` run created: that is commands/rollback.py.)"""

from __future__ import annotations

from platform_cli.config import Settings
from platform_cli.delivery import deploys, when
from platform_cli.delivery.landing import gitops_target
from platform_cli.forge.base import Forge


def rollback(
    settings: Settings,
    forge: Forge,
    service: str,
    environment: str,
    to_digest: str | None = None,
    at: str | None = None,
    dry_run: bool = False,
) -> deploys.DeployOutcome:
    return deploys.rollback(
        gitops_target(settings, forge), service, environment, to_digest, at=when.git_date(at), dry_run=dry_run
    )
