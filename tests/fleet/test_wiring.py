"""The producers wired together through the CLI: `plat fleet status` carries each service's DORA bands
as `plat dora` gives them, and `plat dashboard build` without saved documents computes both itself."""

from __future__ import annotations

import html
import json

import pytest
from typer.testing import CliRunner

from platform_cli.cli.app import app

DIGEST = "sha256:" + "b" * 64


@pytest.fixture
def deployed(fleet_copy, monkeypatch):
    """The fleet, with alpha deployed to production once (directly, as the deploy workflow does)."""
    monkeypatch.setenv("PLAT_HOME", str(fleet_copy.settings.home))
    monkeypatch.setenv("PLAT_ORG", "acme")
    monkeypatch.setenv("PLAT_TEMPLATE_SOURCE", str(fleet_copy.settings.template_source))
    source = fleet_copy.forge.branch_sha("acme", "alpha", "main")
    args = ["deploy", "alpha", "--env", "production", "--digest", DIGEST, "--source", source, "--direct", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return fleet_copy


def _json(args: list[str]) -> dict:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_fleet_status_rows_carry_the_dora_bands_of_plat_dora(deployed):
    bands = _json(["dora", "--json"])["services"]["alpha"]["bands"]
    rows = {r["service"]: r for r in _json(["fleet", "status", "--json"])["services"]}
    assert bands["deployment_frequency"] is not None
    assert rows["alpha"]["dora"] == bands
    assert rows["alpha"]["deployed"]["production"] == DIGEST
    assert rows["bravo"]["dora"] is None  # registered, never deployed


def test_dashboard_build_computes_its_documents_itself(deployed, tmp_path):
    built = _json(["dashboard", "build", "--out", str(tmp_path / "site"), "--json"])
    assert built["services"] == 5
    site = tmp_path / "site"
    dora = json.loads((site / "data" / "dora.json").read_text())
    fleet = json.loads((site / "data" / "fleet.json").read_text())
    assert dora["services"]["alpha"]["deployments"] == 1
    assert {r["service"] for r in fleet["services"]} == {"alpha", "bravo", "charlie", "delta", "echo"}
    assert "services/alpha.html" in (site / "teams" / "team-a.html").read_text()  # the org page lists teams
    (deploy,) = dora["services"]["alpha"]["deploys"]  # the one production deploy, on alpha's timeline
    assert (deploy["kind"], deploy["failed"], dora["services"]["alpha"]["incidents"]) == ("normal", False, [])
    alpha_page = (site / "services" / "alpha.html").read_text()
    assert "Deploys and incidents of alpha" in alpha_page and deploy["id"][:12] in alpha_page
    assert deploy["at"] in alpha_page
    rows = {r["service"]: r for r in fleet["services"]}
    findings = rows["bravo"]["doctor"]["findings"]  # bravo's edited platform-owned file: a high finding
    assert (
        len([f for f in findings if f["severity"] in ("high", "critical")]) == rows["bravo"]["doctor"]["high_findings"]
    )
    drift = next(f for f in findings if f["severity"] in ("high", "critical"))
    bravo_page = (site / "services" / "bravo.html").read_text()
    assert "Doctor findings of bravo" in bravo_page
    assert html.escape(drift["remediation"]) in bravo_page and html.escape(drift["message"]) in bravo_page
