"""Ownership zones from a template's plat.yml, matched by the CLI's own matcher
(`platform_cli.models.glob_match`): gitignore-style globs relative to the repo root, `**` spans
directories (including none), `*` and `?` never cross `/`."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import yaml

from platform_cli.models import ZONES, glob_match


def matches(path: str, pattern: str) -> bool:
    return glob_match(pattern, path)


def load(template_dir: Path) -> dict[str, list[str]]:
    data = yaml.safe_load((template_dir / "plat.yml").read_text())
    return {zone: list(data["ownership"].get(zone, [])) for zone in ZONES}


def zones_of(path: str, ownership: dict[str, list[str]]) -> list[str]:
    return [zone for zone in ZONES if any(matches(path, p) for p in ownership[zone])]
