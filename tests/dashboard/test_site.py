"""The site built from the hand-written fixture fleet: every number shown is the documents' own, every
page and link is there, nothing half-made is left on a failed build; the vendored JS is the pinned one."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timezone
from pathlib import Path

import pytest

from platform_cli.commands import dashboard
from platform_cli.dashboard import vendor
from platform_cli.errors import DashboardInputError, UsageError

from . import documents, shown
from .expected import expected

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def producers(dora, fleet, campaigns):
    return dashboard.Producers(dora=lambda since: dora, fleet=lambda: fleet, campaigns=lambda: campaigns)


def build(out: Path, dora=None, fleet=None):
    d, f, c = documents.small()
    return dashboard.build(out, producers(dora or d, fleet or f, c), now=lambda: NOW)


def test_every_number_shown_is_the_documents_own(tmp_path):
    documents_ = documents.small()
    site = build(tmp_path / "site")
    seen = shown.from_html(site.out)
    assert shown.mismatches(seen, expected(*documents_)) == []
    must = set(expected(*documents_))
    assert must - set(seen) == set(), "numbers of the documents no page shows"


def test_the_numbers_read_as_a_person_reads_them(tmp_path):
    seen = shown.from_html(build(tmp_path / "site").out)
    text = {m: places[0][1] for m, places in seen.items()}
    assert text["org.deployment_frequency"] == "3.50 per week"
    assert text["org.lead_time"] == "1.5 h"  # 5400 s
    assert text["org.change_fail_rate"] == "14.3%"  # 0.1429
    assert text["org.recovery_time"] == "30 min"  # 1800 s
    assert text["team:search.recovery_time"] == "no data"  # median null: no failed deploy
    assert text["service:search-api.lead_time"] == "24.0 h"  # 86400 s: hours up to two days
    assert text["budget.payments-api.latency"] == "-5.0%"  # overspent
    assert text["budget.search-api.availability"] == "no data"
    assert text["campaign.1.2.0.done"] == "60.0%"  # 1 merged + 2 current of 5
    assert text["service:payments-worker.versions_behind"] == "1 versions behind 1.2.0, 21 days"
    assert text["service:legacy-batch.level"] == "unknown"  # doctor could not run: the row's error says why


def test_pages_for_the_org_each_team_and_each_service_with_working_links(tmp_path):
    site = build(tmp_path / "site")
    pages = {p.relative_to(site.out).as_posix() for p in site.out.rglob("*.html")}
    assert pages == {
        "index.html",
        "budgets.html",
        "teams/payments.html",
        "teams/search.html",
        "teams/data.html",
        "services/payments-api.html",
        "services/payments-worker.html",
        "services/search-api.html",
        "services/reports-cron.html",
        "services/legacy-batch.html",
    }
    assert site.pages == 10 and site.teams == 3 and site.services == 5
    for page in site.out.rglob("*.html"):
        html = page.read_text()
        for href in re.findall(r'(?:href|src)="([^"]+)"', html):
            if href.startswith("#"):
                assert f'id="{href[1:]}"' in html, href
                continue
            if href.startswith("https://"):
                assert href.startswith("https://github.com/acme/"), href  # the upgrade PRs only
                continue
            assert (page.parent / href).resolve().is_file(), f"{page.name} links to a missing {href}"
        assert "//cdn" not in html and "http://" not in html  # nothing from the network


def test_a_service_page_has_its_timeline_findings_with_fixes_and_upgrade_pr(tmp_path):
    out = build(tmp_path / "site").out
    worker = (out / "services" / "payments-worker.html").read_text()
    assert "PLAT-DRIFT-001" in worker and "plat doctor --fix restores it from the template baseline" in worker
    assert '<a href="https://github.com/acme/payments-worker/pull/12">#12</a>' in worker
    assert "has conflicts to resolve" in worker
    api = (out / "services" / "payments-api.html").read_text()
    assert "2222222222222222222222222222222222222222" in api and "checkout returns 500" in api
    assert '"vconcat"' in api  # the timeline chart
    cron = (out / "services" / "reports-cron.html").read_text()
    assert "No production deploy of this service in the window." in cron
    search = (out / "services" / "search-api.html").read_text()  # no event lists, no findings list
    assert "lists no individual deploys or incidents" in search and "PLAT-K8S-004" in search
    reports = (out / "services" / "reports-cron.html").read_text()
    assert "No upgrade pull request is open." in reports
    legacy = (out / "services" / "legacy-batch.html").read_text()
    assert "acme/legacy-batch is not on the forge" in legacy


def test_budgets_worst_first(tmp_path):
    out = build(tmp_path / "site").out
    order = re.findall(r'data-metric="budget\.([^"]+)"', (out / "budgets.html").read_text())
    assert order == [
        "payments-api.latency",
        "payments-api.availability",
        "payments-worker.availability",
        "search-api.availability",
    ]


def test_every_chart_has_its_data_as_a_table(tmp_path):
    for page in build(tmp_path / "site").out.rglob("*.html"):
        for figure in re.findall(r"<figure.*?</figure>", page.read_text(), flags=re.S):
            assert '<script type="application/json"' in figure and "<table>" in figure, page.name


def test_the_input_documents_are_published_beside_the_pages(tmp_path):
    dora, fleet, campaigns = documents.small()
    out = build(tmp_path / "site").out
    assert json.loads((out / "data" / "dora.json").read_text()) == dora
    assert json.loads((out / "data" / "fleet.json").read_text()) == fleet
    assert json.loads((out / "data" / "campaign-1.json").read_text()) == campaigns[0]


def test_a_document_missing_a_key_is_one_error_and_nothing_is_written(tmp_path):
    dora, _, _ = documents.small()
    del dora["services"]["payments-api"]["lead_time_seconds"]
    with pytest.raises(DashboardInputError, match=r"dora.services.payments-api has no 'lead_time_seconds'"):
        build(tmp_path / "site", dora=dora)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_build_keeps_the_previous_site(tmp_path):
    out = build(tmp_path / "site").out
    fleet = documents.small()[1]
    fleet["services"][0]["slo"]["slos"]["availability"] = "lots"
    with pytest.raises(DashboardInputError, match="expected a number"):
        build(out, fleet=fleet)
    assert (out / "index.html").is_file() and sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_out_that_is_not_a_site_plat_built_is_refused(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("mine\n")
    with pytest.raises(UsageError, match="is not a site plat built"):
        build(tmp_path / "docs")
    assert (tmp_path / "docs" / "notes.md").read_text() == "mine\n"


def test_saved_documents_are_read_and_bad_ones_refused(tmp_path):
    dora, fleet = documents.FIXTURES / "dora.json", documents.FIXTURES / "fleet.json"
    site = dashboard.build(tmp_path / "site", dashboard.from_files(dora, fleet), now=lambda: NOW)
    assert site.services == 5
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DashboardInputError, match="is not a JSON document"):
        dashboard.build(tmp_path / "x", dashboard.from_files(tmp_path / "bad.json", fleet))
    with pytest.raises(DashboardInputError, match="does not exist"):
        dashboard.build(tmp_path / "x", dashboard.from_files(tmp_path / "none.json", fleet))
    with pytest.raises(DashboardInputError, match="--since applies"):
        dashboard.build(tmp_path / "x", dashboard.from_files(dora, fleet), since="2026-01-01")


def test_the_vendored_javascript_is_the_pinned_release():
    assert vendor.mismatches() == []
    for pin in vendor.PINS:
        assert pin.package.split("@")[0] in (vendor.ASSETS / "LICENSES.txt").read_text()


def test_names_from_the_documents_are_escaped(tmp_path):
    dora, fleet, campaigns = documents.small()
    evil = 'pay"><script>alert(1)</script>'
    dora["teams"][evil] = dora["teams"].pop("payments")
    for row in fleet["services"]:
        if row["owner"] == "payments":
            row["owner"] = evil
    out = dashboard.build(tmp_path / "site", producers(dora, fleet, campaigns), now=lambda: NOW).out
    pages = {p.name: p.read_text() for p in out.rglob("*.html")}
    assert not [name for name, html in pages.items() if "<script>alert" in html]
    assert "pay---script-alert-1---script-.html" in pages  # the team's page, under a safe file name
    seen = shown.from_html(out)
    assert seen[f"team:{evil}.deployments"][0][2] == "9"
