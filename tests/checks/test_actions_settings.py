"""PLAT-GH-001: the Actions variables and secrets the workflows need are set on GitHub — derived from the
workflow files, checked against the GitHub double, skipped (and said) where it cannot apply or run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from platform_cli.checks.actions_settings import read_by_workflows
from platform_cli.checks.tools import Tools
from platform_cli.commands.doctor import doctor
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.config import Settings
from platform_cli.errors import ConfigError
from platform_cli.forge.github import GitHubForge
from platform_cli.forge.github_client import Credentials
from platform_cli.forge.local import LocalForge
from tests.checks.golden import write_golden_platform
from tests.conftest import REPO_ROOT
from tests.github_double.fixtures import github_double  # noqa: F401 - fixture
from tests.github_double.state import Shared

RULE = "PLAT-GH-001"
FAMILY = "actions-settings"
CALLER = """\
on: push
permissions: {}
jobs:
  deliver:
    permissions:
      contents: read
    uses: {{ org }}/{{ platform_repo }}/.github/workflows/deliver.yml@{{ platform_ref }} # v{{ platform_version }}
    with:
      role: {% raw %}${{ vars.ROLE_ARN }}{% endraw %}
      labels: {% raw %}${{ vars.CHANGE_LABELS }}{% endraw %}
      region: {% raw %}${{ vars.REGION || 'eu-west-1' }}{% endraw %}
    secrets:
      token: {% raw %}${{ secrets.DELIVERY_TOKEN }}{% endraw %}
  report:
    runs-on: ubuntu-24.04
    permissions: {}
    steps:
      # vars.IN_A_COMMENT is not read
      - run: echo "$WHERE"
        env:
          WHERE: {% raw %}${{ vars.RUN_VAR }}{% endraw %}
          TOKEN: {% raw %}${{ secrets.GITHUB_TOKEN }}{% endraw %}
"""
CALLED = """\
on:
  workflow_call:
    inputs:
      role: {type: string, required: true}
      labels: {type: string, required: false, default: ""}
      region: {type: string, required: true}
    secrets:
      token: {required: true}
permissions: {}
jobs:
  deliver:
    runs-on: ubuntu-24.04
    steps:
      - run: "true"
"""
# (kind, name, needed) in the order the workflow reads them
EXPECTED = [
    ("variable", "ROLE_ARN", True),
    ("variable", "CHANGE_LABELS", False),
    ("variable", "REGION", False),
    ("secret", "DELIVERY_TOKEN", True),
    ("variable", "RUN_VAR", True),
]


@pytest.fixture
def platform(tmp_path) -> Path:
    root = write_golden_platform(tmp_path / "platform-src")
    (root / "templates" / "mini" / "template" / ".github" / "workflows" / "deliver.yml.jinja").write_text(CALLER)
    (root / "workflows" / "deliver.yml").write_text(CALLED)
    return root


def make(tmp_path: Path, platform: Path, plat_forge, **settings) -> tuple[Path, Settings]:
    s = Settings(home=tmp_path / "plathome", template_source=platform, org="acme", **settings)
    req = NewRequest(
        name="payments", template="mini", owner="team-a", yes=True, directory=tmp_path / "work" / "payments"
    )
    return new_service(req, s, plat_forge, cwd=tmp_path).directory, s


def on_github(double, tmp_path: Path, platform: Path) -> tuple[Path, Settings]:
    forge = GitHubForge(double.api_url, Credentials(token=double.token), sleep=lambda s: None)
    return make(tmp_path, platform, forge, forge="github", github_url=double.api_url)


def run(service: Path, settings: Settings, **kw):
    return doctor(service, settings, tools=Tools(), **kw)


def gh(double):
    return lambda: GitHubForge(double.api_url, Credentials(token=double.token), sleep=lambda s: None)


def test_what_the_workflows_read_is_derived_from_them(tmp_path, platform):
    service, settings = make(tmp_path, platform, LocalForge(tmp_path / "forge"))
    reads = read_by_workflows(service, platform / "workflows")
    assert [(r.kind, r.name, r.needed) for r in reads] == EXPECTED
    role = reads[0]
    assert role.file == ".github/workflows/deliver.yml"
    assert "vars.ROLE_ARN" in (service / role.file).read_text().splitlines()[role.line - 1]
    # without the called workflow at hand, an input's variable cannot be known optional: needed
    assert {r.name for r in read_by_workflows(service) if r.needed} == {n for _, n, _ in EXPECTED} - {"REGION"}


def test_doctor_on_github_reports_each_needed_one_that_is_missing_with_its_fix(github_double, tmp_path, platform):
    service, settings = on_github(github_double, tmp_path, platform)
    calls = len(github_double.calls)
    report = run(service, settings, forge=gh(github_double))
    assert len(github_double.calls) - calls == 4  # repo and org variables, repo and org secrets
    missing = {re.search(r"`(\S+)`", f.message)[1]: f for f in report.findings if f.rule_id == RULE}
    assert set(missing) == {"vars.ROLE_ARN", "secrets.DELIVERY_TOKEN", "vars.RUN_VAR"}
    role = missing["vars.ROLE_ARN"]
    assert (role.file, role.severity, role.level) == (".github/workflows/deliver.yml", "high", "bronze")
    assert role.remediation.startswith("gh variable set ROLE_ARN --repo acme/payments --body VALUE")
    assert missing["secrets.DELIVERY_TOKEN"].remediation.startswith("gh secret set DELIVERY_TOKEN --repo acme/payments")
    assert report.level == "none"

    state = github_double.state
    state.repo("acme", "payments").variables["ROLE_ARN"] = "arn:aws:iam::123456789012:role/deliver"
    state.org_secrets[("acme", "DELIVERY_TOKEN")] = Shared(visibility="selected", selected={"payments"})
    state.org_variables[("acme", "RUN_VAR")] = Shared("x", "private")
    report = run(service, settings, forge=gh(github_double))
    assert [f for f in report.findings if f.rule_id == RULE] == []
    assert RULE in {r.id for r in report.rules_run} and FAMILY not in {s.family for s in report.skipped}


def test_the_configured_forge_is_used_by_default(github_double, tmp_path, platform, monkeypatch):
    service, settings = on_github(github_double, tmp_path, platform)
    monkeypatch.setenv("GITHUB_TOKEN", github_double.token)
    report = run(service, settings)  # no forge handed in: made from the settings, credentials from the environment
    assert {f.rule_id for f in report.findings} >= {RULE}


def test_when_the_settings_cannot_be_read_the_rule_is_skipped_and_unverified(github_double, tmp_path, platform):
    service, settings = on_github(github_double, tmp_path, platform)
    github_double.state.forbidden.append(r"/actions/secrets$")
    report = run(service, settings, forge=gh(github_double))
    [skipped] = [s for s in report.skipped if s.family == FAMILY]
    assert "may not list secrets" in skipped.reason and "Secrets repository permissions" in skipped.reason
    assert skipped.unverified == ("bronze",) and report.level == "none"
    assert report.to_json()["skipped"][-1] == {
        "family": FAMILY,
        "rules": [RULE],
        "reason": skipped.reason,
        "verified": False,
    }

    def no_token():
        raise ConfigError("no GitHub credentials: GITHUB_TOKEN / GH_TOKEN is not set", hint="export GITHUB_TOKEN")

    [skipped] = [s for s in run(service, settings, forge=no_token).skipped if s.family == FAMILY]
    assert "GITHUB_TOKEN" in skipped.reason and skipped.unverified


def test_on_the_local_forge_the_rule_does_not_apply_and_says_so(tmp_path, platform):
    service, settings = make(tmp_path, platform, LocalForge(tmp_path / "plathome" / "forge"))
    report = run(service, settings)
    [skipped] = [s for s in report.skipped if s.family == FAMILY]
    assert "local forge runs no GitHub Actions" in skipped.reason and skipped.unverified == ()
    assert RULE not in {f.rule_id for f in report.findings}


def table_rows(text: str, heading: str) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """`name` -> (kind, required?, the workflows reading it) from the markdown table under `heading`."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \| (variable|secret) \| (yes|no) \| ([^|]+) \|", section, re.M)
    return {name: (kind, needed, tuple(sorted(re.findall(r"`([^`]+)`", by)))) for name, kind, needed, by in rows}


def expected_rows(service: Path) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    reads = read_by_workflows(service, REPO_ROOT / "workflows")
    return {
        r.name: (r.kind, "yes" if r.needed else "no", tuple(sorted(Path(w).name for w in r.workflows))) for r in reads
    }


@pytest.mark.parametrize("template", ["http-api", "worker", "cronjob"])
def test_the_rendered_readme_lists_what_the_workflows_read(real_services, template):
    service = real_services[template]
    readme = (service / "README.md").read_text()
    assert table_rows(readme, "## GitHub Actions variables and secrets") == expected_rows(service)
    assert "gh secret set GITOPS_TOKEN --repo acme/" in readme


def test_docs_github_lists_what_the_workflows_read(real_services):
    docs = (REPO_ROOT / "docs" / "github.md").read_text()
    merged: dict[str, tuple[str, str]] = {}
    for service in real_services.values():
        merged.update(expected_rows(service))
    assert table_rows(docs, "## Actions variables and secrets the workflows read") == merged
