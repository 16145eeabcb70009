"""Problems a user or the machine causes end with exit 1, a message naming the file and a hint;
exit 3 is for bugs alone. Through the CLI (typer's CliRunner), as a user meets them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_cli import env, run  # noqa: F401 - the CLI fixture and runner


def refused(result, *words: str) -> str:
    """Exit 1, one `error: … (hint: …)` line on stderr that holds `words`."""
    assert result.exit_code == 1, result.output
    line = result.stderr.strip()
    assert line.startswith("error:") and "(hint: " in line and "\n" not in line, line
    assert "unexpected error" not in line
    for word in words:
        assert word in line, line
    return line


NEW = ("new", "service", "payments", "--type", "mini", "--owner", "team-a", "--yes")


@pytest.fixture
def service(env) -> Path:
    assert run(*NEW).exit_code == 0
    return env / "payments"


def test_a_binary_answers_file(env):
    answers = env / "answers.yml"
    answers.write_bytes(b"port: 9090\n\xff\xfe\x00\x01")
    refused(run(*NEW, "--answers-file", str(answers)), str(answers), "not UTF-8")


def test_an_answers_file_with_keys_that_are_not_names(env):
    answers = env / "answers.yml"
    answers.write_text("1: a\ntrue: b\nport: 9090\n")
    refused(run(*NEW, "--answers-file", str(answers)), str(answers), "question name")


def test_an_answers_file_with_a_nested_value(env):
    answers = env / "answers.yml"
    answers.write_text("port: {value: 9090}\n")
    refused(run(*NEW, "--answers-file", str(answers)), str(answers), "'port'")


@pytest.mark.parametrize("value", ["5", "true", "{a = 1}", '["staging", 5]', "[]"])
def test_environments_of_the_wrong_type(env, monkeypatch, value):
    config = env / "config.toml"
    config.write_text(f"environments = {value}\n")
    monkeypatch.setenv("PLAT_CONFIG", str(config))
    refused(run(*NEW, "--dry-run"), str(config), "environment")


def test_a_config_file_whose_plat_key_is_no_table(env, monkeypatch):
    config = env / "config.toml"
    config.write_text("plat = 5\n")
    monkeypatch.setenv("PLAT_CONFIG", str(config))
    refused(run("config", "show"), str(config), "table")


def test_plat_home_is_a_file(env, monkeypatch):
    (env / "afile").write_text("x")
    monkeypatch.setenv("PLAT_HOME", str(env / "afile"))
    refused(run(*NEW), str(env / "afile"), "PLAT_HOME")


def test_dir_is_a_file(env):
    (env / "afile").write_text("x")
    refused(run(*NEW, "--dir", str(env / "afile")), str(env / "afile"))


def test_a_deleted_current_directory(env, monkeypatch):
    gone = env / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    refused(run(*NEW), "current directory no longer exists", "cd to an existing directory")


def test_no_git_on_path(env, monkeypatch, tmp_path):
    from platform_cli import git

    git._identity_flags.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    refused(run(*NEW), "git is not installed")
    refused(run("doctor", str(env)), "git is not installed")  # not "not a git repository"
    git._identity_flags.cache_clear()


def test_the_machine_refusing_a_write_names_the_file(env, monkeypatch):
    """What a read-only PLAT_HOME or working folder raises (root is never refused, so it is raised here)."""
    from platform_cli.commands import config as config_cmd

    def read_only(resolved):
        raise PermissionError(13, "Permission denied", str(env / "plathome" / "journal"))

    monkeypatch.setattr(config_cmd, "show", read_only)
    refused(run("config", "show"), str(env / "plathome" / "journal"), "permission denied")

    def crash(resolved):
        raise OSError(5, "Input/output error")  # no file named: not the user's to fix

    monkeypatch.setattr(config_cmd, "show", crash)
    assert run("config", "show").exit_code == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_plat_home(env, monkeypatch):
    home = env / "ro"
    home.mkdir()
    home.chmod(0o555)
    monkeypatch.setenv("PLAT_HOME", str(home))
    refused(run(*NEW), str(home))


def test_an_exemption_that_expires_on_a_day_that_does_not_exist(service):
    (service / ".plat").mkdir(exist_ok=True)
    (service / ".plat" / "exemptions.yml").write_text(
        "exemptions:\n- id: PLAT-X\n  reason: r\n  owner: team-a\n  expires: 2020-02-30\n"
    )
    refused(run("doctor", str(service)), "exemptions.yml", "day is out of range")


@pytest.mark.parametrize("rel", [".plat/exemptions.yml", ".copier-answers.yml"])
def test_binary_files_doctor_reads(service, rel):
    (service / rel).parent.mkdir(exist_ok=True)
    (service / rel).write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    refused(run("doctor", str(service)), rel, "not UTF-8")


def test_a_binary_slo_file(service):
    (service / "slo.yaml").write_bytes(b"\xff\xfe\x00slo")
    refused(run("slo", "generate", str(service)), "slo.yaml", "not UTF-8")
    refused(run("slo", "generate", "--check", str(service)), "slo.yaml")


def test_an_unreachable_template_url_reads_as_gits_own_words(env, monkeypatch):
    monkeypatch.setenv("PLAT_TEMPLATE_URL", (env / "nowhere.git").as_uri())  # git says it in five lines
    line = refused(run(*NEW), "cannot fetch the platform repo", "does not appear to be a git repository")
    assert "['" not in line and "and the repository exists" not in line
