"""The GitHub forge against the API double: auth, clear errors, retries, rate limits, API economy."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from platform_cli import git
from platform_cli.errors import ConfigError, ForgeError
from platform_cli.forge import REGISTRY
from platform_cli.forge.base import RepoSetup
from platform_cli.forge.github import GitHubForge, web_url
from platform_cli.forge.github_client import Credentials, credentials_from_env
from tests.conftest import REPO_ROOT
from tests.github_double.fixtures import github_double, make_github_forge, slept  # noqa: F401 - fixtures


def seed(tmp_path, forge, repo="svc"):
    forge.create_repo("acme", repo)
    work = tmp_path / "seed"
    git.init(work)
    (work / "a.txt").write_text("one\n")
    git.commit_all(work, "first")
    forge.push(work, "acme", repo, ["main"])
    return work


def test_registered_and_enterprise_urls():
    assert "github" in REGISTRY
    assert web_url("https://api.github.com") == "https://github.com"
    assert web_url("https://ghe.example.com/api/v3/") == "https://ghe.example.com"
    with pytest.raises(ForgeError, match="not a GitHub API URL"):
        web_url("https://ghe.example.com")


def test_credentials_come_from_the_environment(tmp_path):
    assert credentials_from_env({"GH_TOKEN": "abc"}).token == "abc"
    assert credentials_from_env({"GITHUB_TOKEN": "x", "GH_TOKEN": "y"}).token == "x"
    with pytest.raises(ConfigError, match="GITHUB_TOKEN") as info:
        credentials_from_env({})
    assert "GitHub App" in info.value.hint
    key = tmp_path / "app.pem"
    app = {"PLAT_GITHUB_APP_ID": "1", "PLAT_GITHUB_APP_KEY_FILE": str(key), "PLAT_GITHUB_APP_INSTALLATION_ID": "7"}
    key.write_text("not a key")
    with pytest.raises(ConfigError, match="not a PEM private key"):
        credentials_from_env(app)
    key.write_text("-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n")
    creds = credentials_from_env(app)
    assert (creds.app_id, creds.installation_id) == ("1", 7) and "secret" not in repr(creds)


def test_github_app_installation_token_is_used_for_rest_and_git(github_double, tmp_path):
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    forge = GitHubForge(
        github_double.api_url,
        Credentials(app_id=github_double.app_id, app_key=pem, installation_id=9),
        sleep=lambda s: None,
    )
    work = seed(tmp_path, forge)
    assert forge.branch_sha("acme", "svc", "main") == git.rev_parse(work, "HEAD")
    assert any(c.path.endswith("/app/installations/9/access_tokens") for c in github_double.calls)


def test_bad_token_missing_scope_unknown_org_and_taken_name(github_double, make_github_forge):
    with pytest.raises(ForgeError, match="401") as info:
        make_github_forge("ghp_wrong").repo_exists("acme", "svc")
    assert "GITHUB_TOKEN" in info.value.hint
    forge = make_github_forge()
    with pytest.raises(ForgeError, match="organization ghost not found"):
        forge.create_repo("ghost", "svc")
    github_double.state.foreign.add(("acme", "taken"))
    assert not forge.repo_exists("acme", "taken")
    with pytest.raises(ForgeError, match="already exists on GitHub") as info:
        forge.create_repo("acme", "taken")
    assert "another service name" in info.value.hint
    github_double.scopes = ("read:org",)
    with pytest.raises(ForgeError) as info:
        forge.create_repo("acme", "fresh")
    assert "lacks the scope(s) repo" in info.value.hint


def test_configure_protects_main_grants_the_team_and_creates_environments(github_double, make_github_forge, tmp_path):
    forge = make_github_forge()
    seed(tmp_path, forge)
    before = len(github_double.calls)
    setup = RepoSetup(team="team-a", required_checks=("test / test",), topics=("plat",))
    forge.configure_repo("acme", "svc", setup)
    forge.configure_repo("acme", "svc", setup)  # idempotent: PUTs only
    repo = github_double.state.repo("acme", "svc")
    rules = repo.protection["main"]
    assert rules["required_status_checks"]["contexts"] == ["test / test"]
    assert rules["required_pull_request_reviews"]["required_approving_review_count"] == 1
    assert rules["required_linear_history"] is False
    assert repo.teams == {"team-a": "maintain"} and repo.topics == ["plat"]
    team_id = github_double.state.teams[("acme", "team-a")]
    assert repo.environments["staging"] == {}
    assert repo.environments["production"]["reviewers"] == [{"type": "Team", "id": team_id}]
    assert len(github_double.calls) - before == 2 * 6
    with pytest.raises(ForgeError, match="team nobody not found"):
        forge.configure_repo("acme", "svc", RepoSetup(team="nobody"))


def test_a_configured_platform_team_gets_the_write_access_code_owners_need(github_double, make_github_forge, tmp_path):
    forge = make_github_forge()
    seed(tmp_path, forge)
    before = len(github_double.calls)
    done = forge.configure_repo("acme", "svc", RepoSetup(team="team-a", platform_team="platform"))
    assert github_double.state.repo("acme", "svc").teams == {"team-a": "maintain", "platform": "push"}
    assert len(github_double.calls) - before == 6 and "platform" in done  # one PUT more than without it
    with pytest.raises(ForgeError, match="team platform-team not found in the GitHub organization acme") as info:
        forge.configure_repo("acme", "svc", RepoSetup(team="team-a", platform_team="platform-team"))
    assert "create the team platform-team" in info.value.hint and "again" in info.value.hint


def test_whether_a_repo_exists_is_asked_over_git_and_costs_no_rest_call(github_double, make_github_forge, tmp_path):
    forge = make_github_forge()
    assert forge.repo_exists("acme", "svc") is False and github_double.calls == []
    work = seed(tmp_path, forge)
    other = make_github_forge()
    assert other.repo_exists("acme", "svc") is True
    assert other.branch_sha("acme", "svc", "main") == git.rev_parse(work, "HEAD")  # refs kept from the probe
    assert other.git.calls == 1  # one `git ls-remote`
    assert [c.method for c in github_double.calls] == ["POST"]  # only the creation
    github_double.state.foreign.add(("acme", "hidden"))  # a repo the token cannot see is a missing one
    assert other.repo_exists("acme", "hidden") is False


def test_sharing_the_workflows_of_a_private_repo_with_the_org(github_double, make_github_forge):
    forge = make_github_forge()
    forge.create_repo("acme", "platform")
    assert github_double.state.repo("acme", "platform").actions_access == "none"
    forge.share_workflows("acme", "platform")
    assert github_double.state.repo("acme", "platform").actions_access == "organization"
    assert github_double.calls[-1].method == "PUT" and github_double.calls[-1].path.endswith(
        "/repos/acme/platform/actions/permissions/access"
    )
    github_double.state.forbidden.append(r"/actions/permissions/access$")
    with pytest.raises(ForgeError, match="could not let the repos of acme use the workflows") as info:
        forge.share_workflows("acme", "platform")
    assert "access_level=organization" in info.value.hint


def test_actions_names_are_the_repos_and_the_orgs_shared_ones(github_double, make_github_forge):
    from tests.github_double.state import Shared

    forge = make_github_forge()
    forge.create_repo("acme", "svc")
    state = github_double.state
    repo = state.repo("acme", "svc")
    repo.variables.update({f"VAR_{i:02}": "x" for i in range(35)})  # more than one page of 30
    repo.secrets.add("GITOPS_TOKEN")
    state.org_variables[("acme", "PROMETHEUS_URL")] = Shared("https://prom", "private")
    state.org_variables[("acme", "ONLY_OTHERS")] = Shared("x", "selected", {"other"})
    state.org_secrets[("acme", "SHARED_TOKEN")] = Shared(visibility="selected", selected={"svc"})
    names = forge.actions_names("acme", "svc")
    assert names.variables == {f"VAR_{i:02}" for i in range(35)} | {"PROMETHEUS_URL"}
    assert names.secrets == {"GITOPS_TOKEN", "SHARED_TOKEN"}
    assert len(github_double.calls) == 1 + 5  # create, then 2 pages + 3 listings
    state.forbidden.append(r"/actions/secrets$")
    with pytest.raises(ForgeError, match="may not list secrets") as info:
        forge.actions_names("acme", "svc")
    assert "Secrets repository permissions" in info.value.hint


def test_repo_is_private_and_merges_only_with_merge_commits(github_double, make_github_forge):
    make_github_forge().create_repo("acme", "svc", "demo")
    repo = github_double.state.repo("acme", "svc")
    assert repo.private and repo.description == "demo"
    assert repo.settings["allow_squash_merge"] is False and repo.settings["allow_rebase_merge"] is False


def test_5xx_and_dropped_connections_are_retried_for_idempotent_calls(github_double, make_github_forge, slept):
    forge = make_github_forge()
    github_double.inject(1, "5xx", scope="git")  # git cannot tell: the REST API is asked, and retried
    github_double.inject(1, "5xx")
    github_double.inject(2, "drop")
    assert forge.repo_exists("acme", "svc") is False
    assert [c.status for c in github_double.git_calls] == [502]
    assert [c.status for c in github_double.calls] == [502, 0, 404]
    assert slept and max(slept) <= 2  # exponential backoff, short


def test_a_post_is_never_sent_twice(github_double, make_github_forge):
    forge = make_github_forge()
    for kind in ("5xx", "drop"):
        github_double.inject(1, kind)
        with pytest.raises(ForgeError, match="GitHub|connection") as info:
            forge.create_repo("acme", "svc")
        assert "again" in info.value.hint
    assert [c.method for c in github_double.calls] == ["POST", "POST"]
    assert github_double.state.repo("acme", "svc") is None


@pytest.mark.parametrize("kind", ["rate_limit", "rate_limit_429", "primary"])
def test_rate_limits_wait_and_retry_even_a_post(github_double, make_github_forge, slept, kind):
    github_double.inject(1, kind)
    make_github_forge().create_repo("acme", "svc")
    assert github_double.state.repo("acme", "svc") is not None
    assert [c.status for c in github_double.calls] == [403 if kind != "rate_limit_429" else 429, 201]
    assert len(slept) == 1 and 0 < slept[0] <= 61


def test_pull_request_economy_one_call_to_open_three_to_update(github_double, make_github_forge, tmp_path):
    forge = make_github_forge()
    seed(tmp_path, forge)
    forge.commit_files("acme", "svc", "feature", "main", {"b.txt": "two\n"}, "add b")
    start = forge.api_calls
    pr = forge.open_pull_request("acme", "svc", "feature", "main", "t", "b")
    assert forge.api_calls - start == 1
    assert forge.get_pull_request("acme", "svc", pr.id) == pr and forge.api_calls - start == 1
    again = make_github_forge().open_pull_request("acme", "svc", "feature", "main", "t2", "b2")
    assert again.id == pr.id and again.title == "t2"
    assert [c.method for c in github_double.calls[-3:]] == ["POST", "GET", "PATCH"]


def test_required_checks_come_from_the_pull_request_workflows(tmp_path):
    from platform_cli.forge.status_checks import required_checks

    flows = tmp_path / "svc" / ".github" / "workflows"
    flows.mkdir(parents=True)
    (flows / "ci.yml").write_text(
        "on:\n  pull_request:\njobs:\n  test:\n    uses: acme/platform/.github/workflows/"
        "test.yml@abc\n  lint:\n    name: Lint\n    runs-on: ubuntu-latest\n"
    )
    (flows / "deploy.yml").write_text("on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n")
    platform = tmp_path / "workflows"
    platform.mkdir()
    (platform / "test.yml").write_text("on: workflow_call\njobs:\n  unit:\n    name: unit tests\n  e2e: {}\n")
    assert required_checks(tmp_path / "svc", platform) == ("test / unit tests", "test / e2e", "Lint")


def test_one_module_owns_pygithub():
    import re
    from pathlib import Path

    import platform_cli

    root = Path(platform_cli.__file__).parent
    importers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if re.search(r"^\s*(from github[ .]|import github\b)", p.read_text(), re.M)
    )
    assert importers == ["forge/github_client.py"]


def documented_step(name: str) -> str:
    """The `run:` script of the workflow step docs/github.md documents under `- name: <name>`."""
    docs = (REPO_ROOT / "docs" / "github.md").read_text()
    block = next(b for b in docs.split("```yaml\n")[1:] if f"- name: {name}" in b).split("```")[0]
    [step] = yaml.safe_load(textwrap.dedent(block))
    return step["run"]


def test_the_documented_platform_read_step_authenticates_git_to_the_platform_repo_only(github_double, tmp_path):
    forge = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=lambda s: None)
    seed(tmp_path, forge, repo="platform")
    script = documented_step("Read access to the platform repo").replace("https://github.com", github_double.url)
    env_file = tmp_path / "github_env"
    env_file.write_text("")
    subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        check=True,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "TOKEN": github_double.token,
            "PLATFORM_REPOSITORY": "acme/platform",
            "GITHUB_ENV": str(env_file),
        },
    )
    step_env = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    assert github_double.token not in env_file.read_text()  # only in the Basic header (masked in the log)

    def header(url: str) -> str | None:
        proc = subprocess.run(
            ["git", "config", "--get-urlmatch", "http.extraheader", url],
            capture_output=True,
            text=True,
            env={**os.environ, **step_env},
        )
        return proc.stdout.strip() or None

    base = github_double.url
    assert header(f"{base}/acme/platform.git") == header(f"{base}/acme/platform") is not None  # terraform, pip
    assert header(f"{base}/acme/platform-other.git") is None and header(f"{base}/acme/gitops.git") is None
    env = {**os.environ, **step_env, "GIT_TERMINAL_PROMPT": "0"}
    refs = subprocess.run(["git", "ls-remote", f"{base}/acme/platform.git"], capture_output=True, text=True, env=env)
    assert refs.returncode == 0 and "refs/heads/main" in refs.stdout


@pytest.mark.parametrize(
    "workflow", ["doctor.yml", "deploy.yml", "terraform.yml", "rescan.yml", "fleet-upgrade.yml", "codeowners.yml"]
)
def test_the_workflows_that_fetch_the_platform_run_the_documented_read_step(workflow):
    """The step docs/github.md documents (and the test above runs) is the one the workflows carry."""
    data = yaml.safe_load((REPO_ROOT / "workflows" / workflow).read_text())
    steps = [s for job in data["jobs"].values() for s in job.get("steps", [])]
    reads = [s for s in steps if s.get("name") == "Read access to the platform repo"]
    assert reads and all(s["run"] == documented_step("Read access to the platform repo") for s in reads)
    fetch = next(i for i, s in enumerate(steps) if s.get("name") in ("Install plat", "Init and validate"))
    assert steps.index(reads[0]) < fetch, "the token must reach git before the platform is fetched"
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as True
    assert on["workflow_call"]["secrets"]["platform-token"]["required"] is False


def test_pull_request_reads_are_conditional_and_a_304_is_counted_apart(github_double, tmp_path, slept):
    etags = tmp_path / "etags"

    def forge() -> GitHubForge:  # a new run each time: only the ETag cache on disk is shared
        return GitHubForge(
            github_double.api_url, Credentials(token=github_double.token), sleep=slept.append, etags=etags
        )

    first = forge()
    seed(tmp_path, first)
    first.commit_files("acme", "svc", "feature", "main", {"b.txt": "two\n"}, "add b")
    pr = first.open_pull_request("acme", "svc", "feature", "main", "t", "b")
    listed = first.list_pull_requests("acme", "svc", "open")
    assert listed == (pr,) and not github_double.calls[-1].conditional

    again = forge()
    assert again.get_pull_request("acme", "svc", pr.id) == pr  # first read: kept on disk with its ETag
    assert again.list_pull_requests("acme", "svc", "open") == listed  # unchanged since the first forge's
    assert (again.api_calls, again.not_modified) == (1, 1)
    third = forge()
    assert third.get_pull_request("acme", "svc", pr.id) == pr
    assert third.list_pull_requests("acme", "svc", "open") == listed
    assert (third.api_calls, third.not_modified) == (0, 2)
    assert [(c.status, c.conditional) for c in github_double.calls[-2:]] == [(304, True), (304, True)]

    third.close_pull_request("acme", "svc", pr.id)  # a change: the next read is a 200, counted
    fourth = forge()
    assert fourth.list_pull_requests("acme", "svc", "open") == ()
    assert (fourth.api_calls, fourth.not_modified) == (1, 0)
    assert [(c.status, c.conditional) for c in github_double.calls[-1:]] == [(200, True)]


def test_a_rate_limited_conditional_read_is_waited_for_and_sent_again(github_double, tmp_path, slept):
    etags = tmp_path / "etags"
    forge = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=slept.append, etags=etags)
    seed(tmp_path, forge)
    forge.list_pull_requests("acme", "svc", "open")
    github_double.inject(1, "rate_limit", seconds=7)
    again = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=slept.append, etags=etags)
    assert again.list_pull_requests("acme", "svc", "open") == ()
    assert [(c.status, c.conditional) for c in github_double.calls[-2:]] == [(403, True), (304, True)]
    assert slept == [7] and (again.api_calls, again.not_modified) == (1, 1)  # the refused one counted


def test_a_damaged_etag_entry_is_no_entry(github_double, tmp_path, slept):
    etags = tmp_path / "etags"
    forge = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=slept.append, etags=etags)
    seed(tmp_path, forge)
    forge.list_pull_requests("acme", "svc", "open")
    [entry] = (etags / "acme").glob("svc.pulls-open-1.json")
    entry.write_text("{not json")
    again = GitHubForge(github_double.api_url, Credentials(token=github_double.token), sleep=slept.append, etags=etags)
    assert again.list_pull_requests("acme", "svc", "open") == ()
    assert not github_double.calls[-1].conditional and again.not_modified == 0
    assert json.loads(entry.read_text())["etag"]  # written whole again
