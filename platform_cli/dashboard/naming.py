"""Where each page lives in the site, relative to a page at depth `root` ("" or "../")."""

from __future__ import annotations

import re


def slug(name: str) -> str:
    """A file name for a team or service: its name kept where safe, anything else as `-`."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name).strip(".") or "-"


def team_page(team: str, root: str) -> str:
    return f"{root}teams/{slug(team)}.html"


def service_page(service: str, root: str) -> str:
    return f"{root}services/{slug(service)}.html"
