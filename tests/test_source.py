"""A platform team's fork as the template source: a git URL + ref checked out under PLAT_HOME."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from platform_cli import git, source
from platform_cli.cli import app
from platform_cli.errors import ConfigError
from tests.conftest import write_mini_platform


@pytest.fixture
def published(tmp_path) -> str:
    """A platform repo with tag v0.1.0 on main, then main moved on to 0.2.0, pushed to a bare repo."""
    work = write_mini_platform(tmp_path / "fork")
    git.init(work)
    git.commit_all(work, "0.1.0")
    git.run(["tag", "v0.1.0"], work)
    (work / "templates" / "VERSION").write_text("0.2.0\n")
    git.commit_all(work, "0.2.0")
    git.init(tmp_path / "platform.git", bare=True)
    git.push(work, str(tmp_path / "platform.git"), ["main", "v0.1.0"])
    return str(tmp_path / "platform.git")


def version(path: Path) -> str:
    return (path / "templates" / "VERSION").read_text().strip()


def test_checkout_follows_branches_and_pins_tags(published, tmp_path):
    home = tmp_path / "home"
    assert version(source.checkout(published, "main", home)) == "0.2.0"
    assert version(source.checkout(published, "v0.1.0", home)) == "0.1.0"
    upstream = tmp_path / "upstream"
    git.clone(published, upstream)
    (upstream / "templates" / "VERSION").write_text("0.3.0\n")
    git.commit_all(upstream, "0.3.0")
    git.push(upstream, "origin", ["main"])
    assert version(source.checkout(published, "main", home)) == "0.3.0"  # a branch is fetched again


def test_unknown_ref_and_unreachable_url(published, tmp_path):
    with pytest.raises(ConfigError, match="no branch, tag or commit 'v9.9.9'") as info:
        source.checkout(published, "v9.9.9", tmp_path / "home")
    assert info.value.hint
    with pytest.raises(ConfigError, match="cannot fetch"):
        source.checkout(str(tmp_path / "missing.git"), "main", tmp_path / "home")


def test_plat_new_renders_from_the_fork(published, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAT_HOME", str(tmp_path / "plathome"))
    monkeypatch.setenv("PLAT_TEMPLATE_URL", published)
    monkeypatch.setenv("PLAT_TEMPLATE_REF", "v0.1.0")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["new", "service", "payments", "--type", "mini", "--owner", "team-a", "--yes", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["template_version"] == "v0.1.0"
    shown = json.loads(CliRunner().invoke(app, ["config", "show", "--json"]).stdout)
    assert shown["template_url"] == {"value": published, "source": "env PLAT_TEMPLATE_URL"}


def test_upgrade_sees_the_versions_of_the_fork(published, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAT_HOME", str(tmp_path / "plathome"))
    monkeypatch.setenv("PLAT_TEMPLATE_URL", published)
    monkeypatch.setenv("PLAT_TEMPLATE_REF", "v0.1.0")
    monkeypatch.chdir(tmp_path)
    made = CliRunner().invoke(app, ["new", "service", "payments", "--type", "mini", "--owner", "team-a", "--yes"])
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("PLAT_TEMPLATE_REF", "main")  # the platform team released 0.2.0 on main
    check = CliRunner().invoke(app, ["upgrade", str(tmp_path / "payments"), "--check", "--json"])
    assert check.exit_code == 10, check.output
    upgraded = CliRunner().invoke(app, ["upgrade", str(tmp_path / "payments"), "--yes", "--json"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "0.2.0" in upgraded.stdout
