"""Incidents recorded in the GitOps repo (forges without an issue tracker, like the local one):
`incidents/<service>/<n>.yaml`, opened and resolved by commits on `main` with the incident trailers; the
id is `<service>#<n>`. What both kinds of incident share — ids, outcomes, the checks before opening — is
here too; the issue tracker's side is `issue_incidents`."""

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
    id: str | None  # None: a dry run on an issue tracker (the number is GitHub's to give)
    action: str  # open | resolve
    service: str
    cause: str | None
    commit: str | None  # the GitOps commit that recorded it (None: nothing changed, a dry run, or an issue)
    changed: bool
    dry_run: bool = False
    url: str | None = None  # the issue, where the incident is one

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": "incident",
            "action": self.action,
            "service": self.service,
            "cause": self.cause,
            "commit": self.commit,
            "url": self.url,
            "changed": self.changed,
            "dry_run": self.dry_run,
        }


def parse_id(ident: str) -> tuple[str, int]:
    """(service, number) of an incident id `SERVICE#N`."""
    match = ID_RE.match(ident)
    if not match:
        raise UsageError(
            f"{ident!r} is not an incident id", hint="incident ids look like SERVICE#N, e.g. payments-api#3"
        )
    return match[1], int(match[2])


def checked(mirror: Path, head: str, service: str, title: str, cause: str | None) -> tuple[str, str | None]:
    """(the title, the full id of the deploy `cause` names) once the service is known to the GitOps repo
    (`mirror` at `head`)."""
    if not title.strip():
        raise UsageError("an incident needs a title", hint='pass --title "what is wrong"')
    if not git.entries(mirror, head, [f"apps/{service}/"]):
        raise UsageError(f"{service} is not registered in the GitOps repo", hint="check the service name")
    return title.strip(), resolve_cause(history.read(mirror), service, cause) if cause else None


def open_incident(
    target: Target, service: str, title: str, cause: str | None = None, at: str | None = None, dry_run: bool = False
) -> IncidentOutcome:
    """Open an incident; one of the service's still open with the same title is that incident (a command
    run twice opens one), and opening it again changes nothing."""
    mirror, head = target.read()
    title, full_cause = checked(mirror, head, service, title, cause)
    if dry_run:
        same = _open_with_title(mirror, head, service, title)
        ident = same["id"] if same else f"{service}#{_next_number(mirror, head, service)}"
        return IncidentOutcome(ident, "open", service, same["cause"] if same else full_cause, None, not same, True)
    chosen: list[dict[str, Any]] = []

    def build(mirror: Path, head: str) -> tuple[dict[str, str], str] | None:
        same = _open_with_title(mirror, head, service, title)
        if same:
            chosen.append(same)
            return None
        ident = f"{service}#{_next_number(mirror, head, service)}"
        record = {"id": ident, "service": service, "title": title, "cause": full_cause, "state": "open"}
        chosen.append(record)
        tags = {trailers.SERVICE: service, trailers.INCIDENT: ident, trailers.INCIDENT_ACTION: "open"}
        message = trailers.message(f"incident({service}): open {ident}: {title}", {**tags, trailers.CAUSE: full_cause})
        return {_path(ident): yaml.safe_dump(record, sort_keys=False)}, message

    landed: Landed = land(target, build, at)
    record = chosen[-1]
    return IncidentOutcome(record["id"], "open", service, record.get("cause"), landed.sha, landed.sha is not None)


def resolve_incident(target: Target, ident: str, at: str | None = None, dry_run: bool = False) -> IncidentOutcome:
    service, _ = parse_id(ident)
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


def recorded(target: Target, ident: str) -> bool:
    """Whether the GitOps repo holds a record of the incident `ident`."""
    mirror, head = target.read()
    return git.show(mirror, head, _path(ident)) is not None


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


def _open_with_title(mirror: Path, head: str, service: str, title: str) -> dict[str, Any] | None:
    """The service's incident still open whose title is `title` (its record), in one git call."""
    names = git.entries(mirror, head, [f"incidents/{service}/"])
    texts = git.cat_files(mirror, [f"{head}:{n}" for n in names if n.endswith(".yaml")])
    for text in texts.values():
        record = yaml.safe_load(text or "") or {}
        if isinstance(record, dict) and record.get("state") == "open" and record.get("title") == title:
            return record
    return None


def _record(mirror: Path, head: str, ident: str) -> dict[str, Any]:
    text = git.show(mirror, head, _path(ident))
    if text is None:
        raise UsageError(
            f"no incident {ident} in the GitOps repo",
            hint=f"open incidents are under incidents/{ident.partition('#')[0]}/",
        )
    return yaml.safe_load(text)
