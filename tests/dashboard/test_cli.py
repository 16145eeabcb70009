"""`plat dashboard build|serve` through the CLI: flags, exit codes, one-line errors with a hint."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from platform_cli.cli.app import app

from .browser import fetch, served
from .documents import FIXTURES

DOCS = ["--dora", str(FIXTURES / "dora.json"), "--fleet", str(FIXTURES / "fleet.json")]


def test_build_from_saved_documents_as_json(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "dashboard",
            "build",
            *DOCS,
            "--campaign",
            str(FIXTURES / "campaign.json"),
            "--out",
            str(tmp_path / "s"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pages"] == 10 and data["services"] == 5 and data["teams"] == 3
    assert data["index"] == str(tmp_path / "s" / "index.html")
    assert "to 1.2.0" in (tmp_path / "s" / "index.html").read_text()


def test_one_document_without_the_other_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["dashboard", "build", "--dora", str(FIXTURES / "dora.json")])
    assert result.exit_code == 2 and "give both --dora and --fleet" in result.output


def test_a_bad_date_is_a_usage_error():
    result = CliRunner().invoke(app, ["dashboard", "build", "--since", "last tuesday"])
    assert result.exit_code == 2 and "is not a date" in result.output


def test_a_missing_document_is_one_line_with_a_hint_and_exit_1(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "dashboard",
            "build",
            "--dora",
            str(tmp_path / "nope.json"),
            "--fleet",
            str(FIXTURES / "fleet.json"),
            "--out",
            str(tmp_path / "s"),
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nope.json'} does not exist (hint: save it first, e.g. plat dora --json > dora.json)"
    ]
    assert not (tmp_path / "s").exists()


def test_without_documents_and_without_a_gitops_repo_the_build_says_so_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAT_HOME", str(tmp_path / "plathome"))
    result = CliRunner().invoke(app, ["dashboard", "build", "--out", str(tmp_path / "s")])
    assert result.exit_code == 1, result.output
    assert len(result.stderr.strip().splitlines()) <= 2 and "GitOps repo" in result.stderr
    assert not (tmp_path / "s").exists()


def test_serve_refuses_a_directory_without_a_site(tmp_path):
    result = CliRunner().invoke(app, ["dashboard", "serve", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "holds no built site" in result.stderr


def test_serve_answers_on_localhost_and_stops_on_ctrl_c(tmp_path):
    assert CliRunner().invoke(app, ["dashboard", "build", *DOCS, "--out", str(tmp_path / "s")]).exit_code == 0
    with served(tmp_path / "s") as url:
        assert url.startswith("http://127.0.0.1:")
        with fetch(url) as page:
            assert page.status == 200 and b"Platform health" in page.read()
        with fetch(url + "assets/vega.min.js") as js:
            assert js.headers["Content-Type"] in ("text/javascript", "application/javascript")
