"""`plat incident open SERVICE --title … [--cause DEPLOY]` and `plat incident resolve ID`: incidents
recorded in the GitOps repo (docs/delivery.md)."""

from __future__ import annotations

from platform_cli.config import Settings
from platform_cli.delivery import incidents, when
from platform_cli.delivery.landing import gitops_target
from platform_cli.forge.base import Forge


def open_incident(
    settings: Settings,
    forge: Forge,
    service: str,
    title: str,
    cause: str | None = None,
    at: str | None = None,
    dry_run: bool = False,
) -> incidents.IncidentOutcome:
    return incidents.open_incident(gitops_target(settings, forge), service, title, cause, when.git_date(at), dry_run)


def resolve_incident(
    settings: Settings, forge: Forge, ident: str, at: str | None = None, dry_run: bool = False
) -> incidents.IncidentOutcome:
    return incidents.resolve_incident(gitops_target(settings, forge), ident, when.git_date(at), dry_run)
