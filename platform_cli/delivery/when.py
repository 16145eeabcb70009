"""Instants given on the command line (`--at`, `--since`, `--until`): a date (midnight UTC) or an ISO
8601 timestamp (no offset: UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

from platform_cli.errors import UsageError


def instant(text: str, flag: str = "--at") -> int:
    """Seconds since the epoch."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is not a date or timestamp",
            hint=f"write {flag} 2026-11-03 or {flag} 2026-11-03T14:05:00+01:00",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def git_date(text: str | None) -> str | None:
    """The date as git reads it in GIT_AUTHOR_DATE/GIT_COMMITTER_DATE (`@<seconds> +0000`)."""
    return None if text is None else f"@{instant(text)} +0000"
