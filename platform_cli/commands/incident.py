"""`plat incident open SERVICE --title … [--cause DEPLOY]` and `plat incident resolve ID`: incidents filed
where the forge keeps them — issues labelled `incident` in the service repo on a forge with an issue
tracker (GitHub), else records in the GitOps repo (the local forge); docs/delivery.md."""

from __future__ import annotations

from platform_cli.config import Settings
from platform_cli.delivery import incidents, issue_incidents, when
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
    target, tracker = gitops_target(settings, forge), forge.issue_tracker()
    if tracker is not None:
        return issue_incidents.open_incident(target, tracker, service, title, cause, when.git_date(at), dry_run)
    return incidents.open_incident(target, service, title, cause, when.git_date(at), dry_run)


def resolve_incident(
    settings: Settings, forge: Forge, ident: str, at: str | None = None, dry_run: bool = False
) -> incidents.IncidentOutcome:
    target, tracker = gitops_target(settings, forge), forge.issue_tracker()
    if tracker is not None:
        return issue_incidents.resolve_incident(target, tracker, ident, when.git_date(at), dry_run)
    return incidents.resolve_incident(target, ident, when.git_date(at), dry_run)
