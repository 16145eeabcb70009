"""Build the site: every page from the two documents, the bundled assets, the documents themselves.

The site is written into a fresh directory beside `out` and moved into place at the end, so a failed
build leaves nothing half-made and a previous site stays until the new one is complete. `out` must be
empty, absent, or a site an earlier build wrote (it holds the marker file).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from platform_cli.dashboard import detail, org
from platform_cli.dashboard.model import Dora, Fleet
from platform_cli.dashboard.naming import service_page, team_page
from platform_cli.errors import UsageError

MARKER = ".plat-dashboard"
ASSETS = ("vega.min.js", "vega-lite.min.js", "dashboard.js", "dashboard.css", "favicon.svg", "LICENSES.txt")


@dataclass(frozen=True)
class Site:
    out: Path
    pages: int
    teams: int
    services: int
    bytes: int  # the whole site on disk
    org_page_bytes: int  # index.html with the stylesheet and scripts it loads

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "pages": self.pages,
            "teams": self.teams,
            "services": self.services,
            "bytes": self.bytes,
            "org_page_bytes": self.org_page_bytes,
            "index": str(self.out / "index.html"),
        }


def build(dora: Dora, fleet: Fleet, documents: Mapping[str, Any], out: Path, generated: str) -> Site:
    """Write the site for `dora` and `fleet` into `out`; `documents` (name -> JSON) go to data/."""
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        pages = _write_pages(work, dora, fleet, generated)
        _write_assets(work / "assets")
        _write_documents(work / "data", documents)
        (work / MARKER).write_text("a site built by plat dashboard build; the next build replaces it\n")
        _swap(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    teams = {s.team for s in fleet.services} | set(dora.teams)
    services = {s.name for s in fleet.services} | set(dora.services)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return Site(out, pages, len(teams), len(services), total, org_page_bytes(out))


def org_page_bytes(site: Path) -> int:
    """What a browser fetches for the org page: the page and the assets it links."""
    return (site / "index.html").stat().st_size + sum(
        (site / "assets" / a).stat().st_size for a in ASSETS if a != "LICENSES.txt"
    )


def _write_pages(root: Path, dora: Dora, fleet: Fleet, generated: str) -> int:
    by_team: dict[str, list] = {team: [] for team in dora.teams}
    for s in fleet.services:
        by_team.setdefault(s.team, []).append(s)
    status = {s.name: s for s in fleet.services}
    pages = {
        "index.html": org.render(dora, fleet, generated),
        "budgets.html": org.render_budgets(fleet, generated),
    }
    for team, services in by_team.items():
        pages[team_page(team, "")] = detail.render_team(team, dora, services, generated)
    for name in sorted(set(status) | set(dora.services)):
        pages[service_page(name, "")] = detail.render_service(name, dora, status.get(name), generated)
    for rel, text in pages.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(pages)


def _write_assets(dest: Path) -> None:
    dest.mkdir(parents=True)
    source = resources.files("platform_cli.dashboard") / "assets"
    for name in ASSETS:
        (dest / name).write_bytes((source / name).read_bytes())


def _write_documents(dest: Path, documents: Mapping[str, Any]) -> None:
    dest.mkdir(parents=True)
    for name, doc in documents.items():
        (dest / f"{name}.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")


def _check_out(out: Path) -> None:
    if out.is_file() or (out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists()):
        raise UsageError(
            f"{out} exists and is not a site plat built",
            hint="choose an empty or new directory with --out (plat replaces only a site it built)",
        )


def _swap(work: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}-old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        work.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(out)
