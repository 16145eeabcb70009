"""The GitHub forge under the faults GitHub (or a proxy) really produces, each injected into the API
double: long and primary rate limits, lost answers, HTML error pages, noisy libraries, cleartext URLs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from platform_cli import config, git
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.config import Settings
from platform_cli.errors import ConfigError, ForgeError
from platform_cli.forge.github import GitHubForge
from platform_cli.forge.github_client import MAX_WAIT, Credentials
from tests.forge.test_github import seed
from tests.github_double.fixtures import github_double, make_github_forge, slept  # noqa: F401 - fixtures


def test_a_retry_after_longer_than_plat_waits_stops_with_the_time_to_retry(github_double, make_github_forge, slept):
    github_double.inject(1, "rate_limit", seconds=int(MAX_WAIT) + 300)
    with pytest.raises(ForgeError, match="rate limit") as info:
        make_github_forge().create_repo("acme", "svc")
    assert slept == [] and [c.status for c in github_double.calls] == [403]  # never sent before GitHub's time
    assert "600s" in info.value.message and "UTC" in info.value.hint and "again after" in info.value.hint
    assert github_double.state.repo("acme", "svc") is None


def test_a_retry_after_within_the_limit_is_waited_in_full(github_double, make_github_forge, slept):
    github_double.inject(1, "rate_limit", seconds=240)
    make_github_forge().create_repo("acme", "svc")
    assert slept == [240] and [c.status for c in github_double.calls] == [403, 201]


def test_a_429_with_no_request_left_waits_for_the_reset(github_double, make_github_forge, slept):
    github_double.inject(1, "primary_429", seconds=40)
    make_github_forge().create_repo("acme", "svc")
    assert [c.status for c in github_double.calls] == [429, 201]
    assert len(slept) == 1 and 39 <= slept[0] <= 42  # until x-ratelimit-reset (+1 s), not a short backoff


@pytest.mark.parametrize("kind", ["rate_limit", "primary_429"])
def test_a_persisting_rate_limit_is_reported_as_a_rate_limit(github_double, make_github_forge, slept, kind):
    for at in range(1, 9):
        github_double.inject(at, kind, seconds=5)
    forge = make_github_forge()
    with pytest.raises(ForgeError) as info:
        forge.create_repo("acme", "svc")
    assert info.value.message.startswith("GitHub rate limit")
    assert "permission" not in info.value.hint and "again after" in info.value.hint
    assert forge.api_calls == len(github_double.calls) > 1  # every retry counted


def test_api_calls_count_the_requests_sent_again(github_double, make_github_forge):
    forge = make_github_forge()
    forge.create_repo("acme", "platform")
    github_double.inject(1, "5xx")
    github_double.inject(2, "drop")
    forge.share_workflows("acme", "platform")  # a PUT: 502, dropped, then done
    assert [c.status for c in github_double.calls] == [201, 502, 0, 204]
    assert forge.api_calls == 4


def test_a_stalled_git_transfer_stops_with_a_clear_message(github_double, make_github_forge, monkeypatch):
    monkeypatch.setenv("PLAT_GIT_LOW_SPEED_TIME", "1")
    github_double.inject(1, "stall", scope="git", seconds=8)
    started = time.monotonic()
    with pytest.raises(git.NetworkTimeout) as info:
        make_github_forge().repo_exists("acme", "svc")
    assert time.monotonic() - started < 6  # stopped by git after ~1 s, not when the server gave up
    assert "ls-remote stalled" in info.value.message and "again" in info.value.hint


def open_pull(tmp_path: Path, forge: GitHubForge) -> int:
    seed(tmp_path, forge)
    forge.commit_files("acme", "svc", "feature", "main", {"b.txt": "two\n"}, "add b")
    return forge.open_pull_request("acme", "svc", "feature", "main", "t", "b").id


def test_a_merge_whose_answer_was_lost_is_checked_before_being_sent_again(github_double, make_github_forge, tmp_path):
    forge = make_github_forge()
    number = open_pull(tmp_path, forge)
    github_double.inject(2, "drop_after")  # the GET of the pull request, then the merge PUT: it merges, no answer
    merged = forge.merge_pull_request("acme", "svc", number)
    assert merged.state == "merged"
    assert github_double.state.repo("acme", "svc").pulls[0].merged
    tail = [(c.method, c.path.rsplit("/", 1)[-1]) for c in github_double.calls[-3:]]
    assert tail == [("GET", str(number)), ("PUT", "merge"), ("GET", str(number))]  # one PUT, then a look


def test_a_merge_whose_request_was_lost_is_sent_again_after_the_check(github_double, make_github_forge, tmp_path):
    forge = make_github_forge()
    number = open_pull(tmp_path, forge)
    github_double.inject(2, "drop")  # the PUT never reached GitHub
    assert forge.merge_pull_request("acme", "svc", number).state == "merged"
    assert [c.method for c in github_double.calls[-3:]] == ["PUT", "GET", "PUT"]


def test_a_502_html_page_reads_as_a_sentence(github_double, make_github_forge):
    for at in range(1, 5):  # the first answer and its three retries
        github_double.inject(at, "5xx_html")
    with pytest.raises(ForgeError) as info:
        make_github_forge().share_workflows("acme", "platform")
    assert "502" in info.value.message and "Bad Gateway" in info.value.message
    assert "{" not in info.value.message and "<html" not in info.value.message


def test_an_unknown_owner_team_is_found_before_anything_is_created(github_double, tmp_path, mini_platform):
    forge = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=lambda s: None)
    settings = Settings(home=tmp_path / "home", template_source=mini_platform, org="acme", forge="github")
    req = NewRequest(name="payments", template="mini", owner="nobody", yes=True, directory=tmp_path / "payments")
    with pytest.raises(ForgeError, match="team nobody not found in the GitHub organization acme"):
        new_service(req, settings, forge, cwd=tmp_path)
    assert [c.method for c in github_double.calls] == ["GET"]  # the team, and nothing else
    assert github_double.state.repo("acme", "payments") is None and github_double.state.repo("acme", "platform") is None
    assert not (tmp_path / "payments").exists()


@pytest.mark.parametrize("url", ["http://ghe.example.com/api/v3", "ftp://ghe.example.com/api/v3", "https:///api/v3"])
def test_a_cleartext_or_odd_api_url_is_refused(url):
    with pytest.raises(ConfigError, match="not an https:// URL") as info:
        config.load(flags={"github_url": url}, environ={"HOME": "/nonexistent"})
    assert "plain http" in info.value.hint


def test_plain_http_to_this_machine_is_allowed(github_double):
    loaded = config.load(flags={"github_url": github_double.api_url}, environ={"HOME": "/nonexistent"})
    assert loaded.settings.github_url.startswith("http://127.0.0.1:")


def plat(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "platform_cli", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def cli_env(double, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GITHUB_TOKEN": double.token,
        "PLAT_HOME": str(tmp_path / "home"),
        "PLAT_CONFIG": str(tmp_path / "none.toml"),
        "GIT_ALLOW_PROTOCOL": "file:http",
    }


@pytest.mark.parametrize("json_mode", [False, True])
def test_library_log_lines_never_reach_stderr(github_double, make_github_forge, tmp_path, json_mode):
    """PyGithub logs every 403 it inspects (and urllib3 every retry) through handlers of its own."""
    make_github_forge().create_repo("acme", "gitops")
    github_double.inject(1, "drop")
    github_double.state.forbidden.append(r"/pulls$")
    args = ["pr", "list", "gitops", "--forge", "github", "--org", "acme", "--github-url", github_double.api_url]
    proc = plat(args + (["--json"] if json_mode else []), cli_env(github_double, tmp_path), tmp_path)
    assert proc.returncode == 1
    assert [c.status for c in github_double.calls[-2:]] == [0, 403]
    assert proc.stderr.startswith("error: GitHub answered 403") and proc.stderr.count("\n") == 1, proc.stderr
    if json_mode:
        assert json.loads(proc.stdout)["error"].startswith("GitHub answered 403")


FORGE_COMMANDS = (
    ["pr", "list", "gitops"],
    ["upgrade"],
    ["deploy", "svc", "--env", "staging", "--digest", "sha256:" + "a" * 64, "--source", "a" * 40],
    ["incident", "resolve", "svc#1"],
    ["dora"],
    ["dora", "report", "--month", "2026-11"],
    ["fleet", "status"],
    ["fleet", "plan", "--shards", "2"],
    ["dashboard", "build"],
)


def test_a_forge_command_on_github_without_an_org_is_refused(github_double, tmp_path):
    """Every command that talks to the forge takes --github-url and settles the forge the same way."""
    for args in FORGE_COMMANDS:
        proc = plat(
            [*args, "--forge", "github", "--github-url", github_double.api_url],
            cli_env(github_double, tmp_path),
            tmp_path,
        )
        assert proc.returncode == 1, proc.stderr
        assert "needs the organisation" in proc.stderr and "--org" in proc.stderr
    assert github_double.calls == [] and github_double.git_calls == []


def test_doctor_reaches_the_forge_named_by_github_url(github_double, make_github_forge, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from platform_cli.cli import app
    from tests.conftest import write_mini_platform

    make_github_forge().create_repo("acme", "payments")
    monkeypatch.setenv("PLAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PLAT_TEMPLATE_SOURCE", str(write_mini_platform(tmp_path / "platform-src")))
    monkeypatch.setenv("PLAT_ORG", "acme")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert (
        runner.invoke(app, ["new", "service", "payments", "--type", "mini", "--owner", "team-a", "--yes"]).exit_code
        == 0
    )
    flow = tmp_path / "payments" / ".github" / "workflows" / "extra.yml"
    flow.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      X: ${{ vars.NEEDED }}\n")
    monkeypatch.setenv("GITHUB_TOKEN", github_double.token)
    before = len(github_double.calls)
    result = runner.invoke(
        app, ["doctor", "payments", "--json", "--forge", "github", "--github-url", github_double.api_url]
    )
    assert result.exit_code in (0, 4), result.output
    assert any("/repos/acme/payments/actions/" in c.path for c in github_double.calls[before:])
