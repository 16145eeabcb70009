"""Exemptions as code: `.plat/exemptions.yml` in the service repo.

    exemptions:
      - id: PLAT-K8S-007          # the finding id
        reason: batch traffic only, one replica is enough
        owner: team-payments      # who answers for it
        expires: 2026-12-31       # required; after this day the finding is back
        file: chart/templates/x.yaml   # optional: only findings in this file

An expired exemption exempts nothing and is itself a finding (PLAT-EXEMPT-001); an incomplete
one (no reason, owner or expiry) exempts nothing either (PLAT-EXEMPT-002).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.checks.finding import Finding, Rule, found, line_of
from platform_cli.errors import UsageError

EXEMPTIONS_FILE = ".plat/exemptions.yml"
EXPIRED = Rule(
    "PLAT-EXEMPT-001",
    "Exemptions are current",
    "medium",
    "bronze",
    f"fix the finding, or renew the exemption in {EXEMPTIONS_FILE} with a new expiry and reason",
)
INCOMPLETE = Rule(
    "PLAT-EXEMPT-002",
    "Exemptions are complete",
    "medium",
    "bronze",
    f"give every exemption in {EXEMPTIONS_FILE} an id, a reason, an owner and an expires date (YYYY-MM-DD)",
)
RULES = {r.id: r for r in (EXPIRED, INCOMPLETE)}
Clock = Callable[[], dt.date]


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Exemption:
    id: str
    reason: str
    owner: str
    expires: dt.date | None
    file: str = ""
    line: int = 1

    def covers(self, f: Finding) -> bool:
        return f.rule_id == self.id and (not self.file or self.file == f.file)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat() if self.expires else None,
            "file": self.file or None,
        }


@dataclass(frozen=True)
class Applied:
    active: tuple[Finding, ...]
    exempted: tuple[tuple[Finding, Exemption], ...]


def load(root: Path) -> tuple[Exemption, ...]:
    path = root / EXEMPTIONS_FILE
    if not path.is_file():
        return ()
    try:
        data = yamlio.load_file(path) or {}
    except yamlio.YAMLError as exc:
        raise UsageError(
            f"{EXEMPTIONS_FILE} is not valid YAML: {exc}", hint="fix the file (see docs/doctor.md)"
        ) from exc
    items = data.get("exemptions") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise UsageError(f"{EXEMPTIONS_FILE} must hold a list under `exemptions:`", hint="see docs/doctor.md")
    return tuple(_exemption(path, item) for item in items if isinstance(item, dict))


def _exemption(path: Path, item: dict[str, Any]) -> Exemption:
    expires = item.get("expires")
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError:
            expires = None
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    rule_id = str(item.get("id") or "")
    return Exemption(
        id=rule_id,
        reason=str(item.get("reason") or "").strip(),
        owner=str(item.get("owner") or "").strip(),
        expires=expires if isinstance(expires, dt.date) else None,
        file=str(item.get("file") or ""),
        line=line_of(path, rf"id:\s*['\"]?{rule_id}\b") if rule_id else 1,
    )


def apply(findings: list[Finding], exemptions: tuple[Exemption, ...], clock: Clock) -> Applied:
    today = clock()
    valid, extra = [], []
    for e in exemptions:
        missing = [k for k in ("id", "reason", "owner") if not getattr(e, k)] + ([] if e.expires else ["expires"])
        if missing:
            extra.append(
                found(
                    INCOMPLETE,
                    f"exemption {e.id or '(no id)'} lacks {', '.join(missing)}: not applied",
                    EXEMPTIONS_FILE,
                    e.line,
                )
            )
        elif e.expires and e.expires < today:
            extra.append(
                found(
                    EXPIRED,
                    f"exemption for {e.id} (owner {e.owner}) expired on {e.expires.isoformat()}",
                    EXEMPTIONS_FILE,
                    e.line,
                )
            )
        else:
            valid.append(e)
    active, exempted = [], []
    for f in findings:
        cover = next((e for e in valid if e.covers(f)), None)
        (exempted.append((f, cover)) if cover else active.append(f))
    return Applied(active=tuple(active + extra), exempted=tuple(exempted))
