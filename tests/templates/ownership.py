"""Ownership zones from a template's plat.yml, matched the way the CLI matches them:
gitignore-style globs relative to the repo root, `**` spans directories (including none),
`*` and `?` never cross `/`."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

ZONES = ("platform", "shared", "team")


@lru_cache(maxsize=None)
def glob_to_regex(pattern: str) -> "re.Pattern[str]":
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: str, pattern: str) -> bool:
    return glob_to_regex(pattern).match(path) is not None


def load(template_dir: Path) -> Dict[str, List[str]]:
    data = yaml.safe_load((template_dir / "plat.yml").read_text())
    return {zone: list(data["ownership"].get(zone, [])) for zone in ZONES}


def zones_of(path: str, ownership: Dict[str, List[str]]) -> List[str]:
    return [zone for zone in ZONES if any(matches(path, p) for p in ownership[zone])]
