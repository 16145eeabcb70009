"""The built site in headless chromium, from file:// and from `plat dashboard serve`: every page loads
with no console error and no failed request, every chart is drawn, the numbers shown are the
documents' own, the links lead to pages that load, and axe-core finds no serious or critical violation."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timezone
from pathlib import Path

import pytest

from platform_cli.commands import dashboard
from tests.conftest import REPO_ROOT

from . import documents, shown
from .browser import browse, fetch, served
from .expected import expected

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SCREENSHOT = REPO_ROOT / "docs" / "images" / "dashboard-org.png"


def _build(out: Path, dora, fleet, campaigns):
    producers = dashboard.Producers(lambda since: dora, lambda: fleet, lambda: campaigns)
    return dashboard.build(out, producers, now=lambda: NOW)


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    docs = documents.small()
    return _build(tmp_path_factory.mktemp("dash") / "site", *docs), docs


@pytest.fixture(scope="module")
def visited(small_site, tmp_path_factory):
    """Every page of the small site, from file:// and served; a screenshot of the org page."""
    site, _ = small_site
    rel = sorted(p.relative_to(site.out).as_posix() for p in site.out.rglob("*.html"))
    shot = tmp_path_factory.mktemp("shots") / "org.png"
    with served(site.out) as url:
        pages = [(site.out / r).as_uri() for r in rel] + [url + r for r in rel]
        # axe on every served page and on the org page from file:// (the same files either way)
        scan = [url + r for r in rel] + [(site.out / "index.html").as_uri()]
        reports = browse(pages, screenshots={url + "index.html": str(shot)}, scan=scan)
        links_ok = _links_answer(reports, url)
    if os.environ.get("PLAT_UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
    return reports, links_ok, shot


def _links_answer(reports, url):
    """Every link of the served pages fetched over HTTP (while the server runs): its status."""
    hrefs = {h.split("#")[0] for r in reports if r["url"].startswith(url) for h in r["links"]}
    return {h: fetch(h).status for h in hrefs if h.startswith(url)}


def test_every_page_loads_clean_from_file_and_served(visited):
    reports, _, _ = visited
    assert len(reports) == 20
    assert {r["url"]: r["problems"] for r in reports if r["problems"]} == {}
    assert all(r["title"].endswith("platform health") for r in reports)


def test_every_chart_is_drawn(visited):
    reports, _, _ = visited
    assert {r["url"]: r["charts"] for r in reports if r["charts"]["drawn"] != r["charts"]["charts"]} == {}
    org = next(r for r in reports if r["url"].endswith("index.html"))
    assert org["charts"]["charts"] == 5  # trends, versions, levels, budgets, campaigns


def test_the_numbers_in_the_browser_are_the_documents_own(visited, small_site):
    reports, _, _ = visited
    _, docs = small_site
    seen = shown.from_browser(reports)
    assert shown.mismatches(seen, expected(*docs)) == []
    assert set(expected(*docs)) - set(seen) == set(), "numbers of the documents no page shows"


def test_links_between_pages_work(visited, small_site):
    reports, links_ok, _ = visited
    site, _ = small_site
    internal = {h.split("#")[0] for r in reports for h in r["links"] if h.startswith("file://")}
    assert internal and all(Path(h.removeprefix("file://")).is_file() for h in internal)
    assert links_ok and set(links_ok.values()) == {200}
    org = next(r for r in reports if r["url"].endswith("/index.html") and r["url"].startswith("http"))
    assert {h.rsplit("/", 2)[-2] + "/" + h.rsplit("/", 1)[-1] for h in org["links"] if "/teams/" in h} == {
        "teams/payments.html",
        "teams/search.html",
        "teams/data.html",
    }


def test_no_serious_or_critical_accessibility_violation(visited):
    reports, _, _ = visited
    scanned = [r for r in reports if r["axe"] is not None]
    assert len(scanned) == 11
    assert {r["url"]: r["axe"] for r in scanned if r["axe"]} == {}


def test_the_org_page_screenshot(visited):
    _, _, shot = visited
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert SCREENSHOT.is_file(), "docs/images/dashboard-org.png: run with PLAT_UPDATE_SCREENSHOTS=1 to take it"


def test_500_services_and_a_year_org_page_under_1_mb_transferred(tmp_path):
    docs = documents.synthetic(services=500, weeks=52)
    site = _build(tmp_path / "site", *docs)
    assert site.services == 500 and site.pages == 2 + 50 + 500
    with served(site.out) as url:
        org, team, service = browse([url + "index.html", url + "teams/team-007.html", url + "services/svc-0042.html"])
    for report in (org, team, service):
        assert report["problems"] == [] and report["axe"] == [], report["url"]
        assert report["charts"]["drawn"] == report["charts"]["charts"] > 0
    assert org["bytes"] < 1_000_000, f"the org page transferred {org['bytes']} bytes"
    assert org["bytes"] == site.org_page_bytes  # what the build reports is what the browser fetched
    seen = shown.from_browser([org, team, service])
    assert shown.mismatches(seen, expected(*docs)) == []
