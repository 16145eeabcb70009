"""The value types of doctor: a Rule (what is checked) and a Finding (where it failed, how to fix it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEVERITIES = ("info", "low", "medium", "high", "critical")
LEVELS = ("bronze", "silver", "gold")  # cumulative: silver needs bronze, gold needs both


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    level: str
    remediation: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    title: str
    message: str
    severity: str
    level: str
    file: str  # relative to the service root, posix
    line: int
    remediation: str
    source: str = "plat"  # plat, or the external scanner (checkov, zizmor, promtool)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.rule_id,
            "title": self.title,
            "message": self.message,
            "severity": self.severity,
            "level": self.level,
            "file": self.file,
            "line": self.line,
            "remediation": self.remediation,
            "source": self.source,
        }


def found(rule: Rule, message: str, file: str, line: int = 1, remediation: str = "") -> Finding:
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        message=message,
        severity=rule.severity,
        level=rule.level,
        file=file,
        line=max(1, line),
        remediation=remediation or rule.remediation,
    )


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else SEVERITIES.index("medium")


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS) - 1


def line_of(path: Path, pattern: str, default: int = 1) -> int:
    """1-based line of the first match of regex `pattern` in the file at `path`, else `default`."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return default
    regex = re.compile(pattern)
    return next((n for n, text in enumerate(lines, 1) if regex.search(text)), default)
