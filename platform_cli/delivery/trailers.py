"""The git trailers of a delivery commit: a contract other tools may write too (docs/delivery.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping

SERVICE = "Plat-Service"
ENVIRONMENT = "Plat-Environment"
DIGEST = "Plat-Digest"
SOURCE = "Plat-Source"
KIND = "Plat-Kind"
UNDOES = "Plat-Undoes"
INCIDENT = "Plat-Incident"
INCIDENT_ACTION = "Plat-Incident-Action"
CAUSE = "Plat-Cause"

KINDS = ("normal", "hotfix", "rollback")
_LINE = re.compile(r"^(Plat-[A-Za-z-]+):[ \t]*(\S.*?)\s*$", re.MULTILINE)


def message(subject: str, trailers: Mapping[str, str | None]) -> str:
    """A commit message: the subject, a blank line, then one `Key: value` line per set trailer."""
    lines = [f"{key}: {value}" for key, value in trailers.items() if value]
    return f"{subject}\n\n" + "\n".join(lines) + "\n"


def parse(body: str) -> dict[str, str]:
    """The Plat-* trailers of a commit message (the last value of a repeated key wins)."""
    return {key: value for key, value in _LINE.findall(body)}
