"""`plat deploy` and `plat promote`: pin a service's Application in the GitOps repo to an image digest and
service commit, as one commit on `main` (or a GitOps pull request whose merge is the deploy)."""

from __future__ import annotations

from platform_cli.config import Settings
from platform_cli.delivery import deploys, when
from platform_cli.delivery.landing import gitops_target, lands_directly
from platform_cli.errors import UsageError
from platform_cli.forge.base import Forge


def deploy(
    settings: Settings,
    forge: Forge,
    service: str,
    environment: str,
    digest: str,
    source: str,
    kind: str = "normal",
    direct: bool = False,
    at: str | None = None,
    dry_run: bool = False,
) -> deploys.DeployOutcome:
    if kind not in ("normal", "hotfix"):
        raise UsageError(
            f"--kind {kind!r} is not a deploy kind", hint="use normal or hotfix (plat rollback records rollbacks)"
        )
    request = deploys.DeployRequest(
        service,
        environment,
        digest.strip(),
        source.strip().lower(),
        kind,
        direct=direct or lands_directly(settings, environment),
        at=when.git_date(at),
        dry_run=dry_run,
    )
    return deploys.deploy(gitops_target(settings, forge), request)


def promote(
    settings: Settings,
    forge: Forge,
    service: str,
    source_env: str,
    target_env: str,
    direct: bool = False,
    at: str | None = None,
    dry_run: bool = False,
    kind: str = "normal",
    expect_digest: str | None = None,
) -> deploys.DeployOutcome:
    return deploys.promote(
        gitops_target(settings, forge),
        service,
        source_env,
        target_env,
        expect_digest,
        kind=kind,
        direct=direct or lands_directly(settings, target_env),
        at=when.git_date(at),
        dry_run=dry_run,
    )
