"""Incidents recorded in the GitOps repo: `incidents/<service>/<n>.yaml`, opened and resolved by commits
on `main` with the incident trailers; the id is `<service>#<n>`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platform_cli import git
from platform_cli.delivery import history, trailers
from platform_cli.delivery.landing import Landed, Target, land
from platform_cli.errors import UsageError

ID_RE = re.compile(r"^([a-z][-a-z0-9]*)#([1-9][0-9]*)$")


@dataclass(frozen=True)
class IncidentOutcome:
    id: str
    action: str  # open | resolve
    service: str
    cause: str | None
    commit: str | None  # the GitOps commit that recorded it (None: nothing changed, or a dry run)
    changed: bool
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": "incident",
            "action": self.action,
            "service": self.service,
            "cause": self.cause,
            "commit": self.commit,
            "changed": self.changed,
            "dry_run": self.dry_run,
        }


def open_incident(
    target: Target, service: str, title: str, cause: str | None = None, at: str | None = None, dry_run: bool = False
) -> IncidentOutcome:
    if not title.strip():
        raise UsageError("an incident needs a title", hint='pass --title "what is wrong"')
    mirror, head = target.read()
    if not git.entries(mirror, head, [f"apps/{service}/"]):
        raise UsageError(f"{service} is not registered in the GitOps repo", hint="check the service name")
    full_cause = resolve_cause(history.read(mirror), service, cause) if cause else None
    if dry_run:
        return IncidentOutcome(
            f"{service}#{_next_number(mirror, head, service)}", "open", service, full_cause, None, True, True
        )
    chosen: list[str] = []

    def build(mirror: Path, head: str) -> tuple[dict[str, str], str]:
        ident = f"{service}#{_next_number(mirror, head, service)}"
        chosen.append(ident)
        record = {"id": ident, "service": service, "title": title.strip(), "cause": full_cause, "state": "open"}
        tags = {trailers.SERVICE: service, trailers.INCIDENT: ident, trailers.INCIDENT_ACTION: "open"}
        message = trailers.message(
            f"incident({service}): open {ident}: {title.strip()}", {**tags, trailers.CAUSE: full_cause}
        )
        return {_path(ident): yaml.safe_dump(record, sort_keys=False)}, message

    landed: Landed = land(target, build, at)
    return IncidentOutcome(chosen[-1], "open", service, full_cause, landed.sha, True)


def resolve_incident(target: Target, ident: str, at: str | None = None, dry_run: bool = False) -> IncidentOutcome:
    match = ID_RE.match(ident)
    if not match:
        raise UsageError(
            f"{ident!r} is not an incident id", hint="incident ids look like SERVICE#N, e.g. payments-api#3"
        )
    service = match[1]
    mirror, head = target.read()
    record = _record(mirror, head, ident)
    if dry_run or record["state"] == "resolved":
        return IncidentOutcome(
            ident, "resolve", service, record.get("cause"), None, record["state"] != "resolved", dry_run
        )

    def build(mirror: Path, head: str) -> tuple[dict[str, str], str] | None:
        current = _record(mirror, head, ident)
        if current["state"] == "resolved":
            return None
        tags = {trailers.SERVICE: service, trailers.INCIDENT: ident, trailers.INCIDENT_ACTION: "resolve"}
        text = yaml.safe_dump({**current, "state": "resolved"}, sort_keys=False)
        return {_path(ident): text}, trailers.message(f"incident({service}): resolve {ident}", tags)

    landed = land(target, build, at)
    return IncidentOutcome(ident, "resolve", service, record.get("cause"), landed.sha, landed.sha is not None)


def resolve_cause(past: history.History, service: str, cause: str) -> str:
    """The full id of the deploy `cause` names (a GitOps commit sha or a unique prefix of 7+ characters)."""
    cause = cause.strip().lower()
    matches = {d.id for d in past.deploys if d.service == service and len(cause) >= 7 and d.id.startswith(cause)}
    if len(matches) == 1:
        return matches.pop()
    recent = ", ".join([f"{d.id[:12]} ({d.environment})" for d in past.deploys if d.service == service][-3:])
    raise UsageError(
        f"{cause!r} is not a deploy of {service}" + (" (ambiguous prefix)" if matches else ""),
        hint=f"--cause takes a deploy id (the GitOps commit plat deploy printed); recent: {recent or 'none'}",
    )


def _path(ident: str) -> str:
    service, _, number = ident.partition("#")
    return f"incidents/{service}/{number}.yaml"


def _next_number(mirror: Path, head: str, service: str) -> int:
    names = git.entries(mirror, head, [f"incidents/{service}/"])
    numbers = [int(Path(n).stem) for n in names if Path(n).stem.isdigit()]
    return max(numbers, default=0) + 1


def _record(mirror: Path, head: str, ident: str) -> dict[str, Any]:
    text = git.show(mirror, head, _path(ident))
    if text is None:
        raise UsageError(
            f"no incident {ident} in the GitOps repo",
            hint=f"open incidents are under incidents/{ident.partition('#')[0]}/",
        )
    return yaml.safe_load(text)
