"""Required status checks: only checks that report on every pull request to main, named as GitHub
names them (`<caller job> / <called job>`, expressions evaluated for a pull_request event)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_cli.forge.status_checks import required_checks

PLATFORM = """\
on:
  workflow_call:
    inputs:
      mode: {type: string, required: true}
      environment: {type: string, required: true}
      role: {type: string, default: ""}
jobs:
  terraform:
    name: terraform ${{ inputs.mode }} (${{ inputs.environment }})
    runs-on: ubuntu-24.04
  lint:
    runs-on: ubuntu-24.04
"""

CALLER = """\
on:
  pull_request:{filter}
  push:
    branches: [main]
jobs:
  staging:
    uses: acme/platform/.github/workflows/terraform.yml@0123456789abcdef0123456789abcdef01234567
    with:
      environment: staging
      mode: ${{{{ github.event_name == 'pull_request' && 'plan' || 'apply' }}}}
      role: ${{{{ vars.ROLE }}}}
"""


def write(tmp_path: Path, caller: str) -> tuple[Path, Path]:
    flows = tmp_path / "svc" / ".github" / "workflows"
    flows.mkdir(parents=True)
    (flows / "terraform.yml").write_text(caller)
    platform = tmp_path / "workflows"
    platform.mkdir()
    (platform / "terraform.yml").write_text(PLATFORM)
    return tmp_path / "svc", platform


def test_called_job_names_are_evaluated_with_the_callers_inputs_for_a_pull_request(tmp_path):
    repo, platform = write(tmp_path, CALLER.format(filter=""))
    # an input read from a variable (vars.ROLE) does not matter: no name reads it
    assert required_checks(repo, platform) == ("staging / terraform plan (staging)", "staging / lint")


@pytest.mark.parametrize(
    "flt",
    [
        '\n    paths: ["terraform/**"]',
        '\n    paths-ignore: ["docs/**"]',
        "\n    branches: [release]",
        '\n    branches-ignore: ["ma*"]',
        "\n    types: [opened]",
    ],
    ids=["paths", "paths-ignore", "branches", "branches-ignore", "types"],
)
def test_a_workflow_some_pull_requests_skip_is_never_required(tmp_path, flt):
    repo, platform = write(tmp_path, CALLER.format(filter=flt))
    assert required_checks(repo, platform) == ()


def test_a_branch_filter_that_admits_main_keeps_the_checks(tmp_path):
    repo, platform = write(tmp_path, CALLER.format(filter="\n    branches: [main, 'release/**']"))
    assert len(required_checks(repo, platform)) == 2


def test_names_that_vary_per_run_and_conditional_callers_are_not_required(tmp_path):
    caller = CALLER.format(filter="").replace("environment: staging", "environment: ${{ vars.ENV }}")
    caller += (
        "  notify:\n    if: github.event_name == 'push'\n    runs-on: ubuntu-24.04\n"
        "  always:\n    if: github.event_name == 'pull_request'\n    name: Always ${{ github.base_ref }}\n"
        "    runs-on: ubuntu-24.04\n"
    )
    repo, platform = write(tmp_path, caller)
    # staging/terraform reads vars.ENV in its name; staging/lint does not; notify never runs on PRs
    assert required_checks(repo, platform) == ("staging / lint", "Always main")


def test_a_fresh_service_requires_the_checks_every_pull_request_reports(rehearsed):
    """What plat requires equals what the rehearsal saw reported on *both* rehearsed pull requests
    (one touching only app/, one touching terraform/), and each of them succeeded on the app-only one.
    The names on the rehearsal side come from running the jobs, not from status_checks."""
    for template, (service, per_event) in rehearsed.items():
        recorded = json.loads((service.forge / "acme" / f"{service.name}.git" / "plat" / "setup.json").read_text())
        required = set(recorded["required_checks"])  # what `plat new service` asked the forge to require
        app_only = {c.name: c.conclusion for run in per_event["pull_request app"] for c in run.checks}
        terraform = {c.name for run in per_event["pull_request terraform"] for c in run.checks}
        assert required == set(app_only) & terraform, template
        assert required == {"test / unit tests", "test / chart lint", "test / slo rules", "doctor / plat doctor"}, (
            template
        )
        assert {app_only[name] for name in required} == {"success"}, template
