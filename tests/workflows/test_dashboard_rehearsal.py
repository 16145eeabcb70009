"""The dashboard workflow rehearsed on a schedule: plat installed from the platform release at the
pinned sha builds the site from the saved documents, the real upload step archives it as the Pages
artifact, and only the Pages deploy stands in (a named cloud stub)."""

from __future__ import annotations

import tarfile

import yaml

from tests.dashboard import documents, shown
from tests.dashboard.expected import expected

from .dashboard_world import dashboard_rehearsed  # noqa: F401 - the fixture


def test_the_scheduled_dashboard_builds_uploads_and_publishes(dashboard_rehearsed):  # noqa: F811
    run = dashboard_rehearsed.run
    assert not run.failed, run.failures()
    assert [(c.name, c.conclusion) for c in run.checks] == [
        ("dashboard / build the site", "success"),
        ("dashboard / publish to GitHub Pages", "success"),
    ]
    outcomes = {(r.job, r.step): r.outcome for r in run.steps}
    assert outcomes[("build", "Build the site")] == "success"
    assert outcomes[("build", "actions/upload-pages-artifact")] == "success"
    assert outcomes[("deploy", "Deploy to GitHub Pages")] == "stubbed"
    assert "built 10 pages (3 teams, 5 services)" in run.summary("dashboard / build the site")


def test_the_uploaded_artifact_is_the_site_with_the_documents_numbers(dashboard_rehearsed, tmp_path):  # noqa: F811
    with tarfile.open(dashboard_rehearsed.artifacts / "github-pages.tar") as tar:
        names = set(tar.getnames())
        tar.extractall(tmp_path / "site", filter="data")
    assert {
        "./index.html",
        "./teams/payments.html",
        "./services/payments-api.html",
        "./assets/vega.min.js",
        "./data/dora.json",
        "./data/campaign-1.json",
    } <= names
    assert not any(n.split("/")[-1].startswith(".") and n != "." for n in names)  # hidden files stay out
    assert shown.mismatches(shown.from_html(tmp_path / "site"), expected(*documents.small())) == []


def test_least_privilege_and_pinned_pages_actions():
    from tests.conftest import REPO_ROOT

    workflow = yaml.safe_load((REPO_ROOT / "workflows" / "dashboard.yml").read_text())
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in jobs["deploy"]["steps"]] == ["actions/deploy-pages"]
    assert "actions/upload-pages-artifact" in [s.get("uses", "").split("@")[0] for s in jobs["build"]["steps"]]
