"""Terraform: the rendered stacks and the platform's modules pass checkov (with the platform's
mandatory-tag policy) with zero findings; stacks pin modules to the platform commit; and they do what
a pipeline does with them: `terraform fmt -check`, `init -backend=false` (modules fetched from the
platform release on the forge, providers from the offline mirror) and `validate`."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from platform_cli import git
from tests import terraform_offline

from .conftest import REPO
from .matrix import CASE_IDS, CASES, ENVIRONMENTS

MODULES = ("state-backend", "s3-bucket", "rds-postgres", "lambda-function", "github-oidc-role")
MANDATORY_VARIABLES = ("team", "service", "environment", "cost_center")
# Inline skips the platform accepts; each is explained in docs/escape-hatches.md.
DOCUMENTED_SKIPS = {"CKV2_AWS_62", "CKV_AWS_144", "CKV_AWS_18", "CKV_AWS_145", "CKV_AWS_272", "CKV_AWS_117"}


def stack(case_root: Path, env: str) -> Path:
    return case_root / "terraform" / "environments" / env


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_checkov_terraform_stack_zero_findings(case, renders, checkov_terraform):
    for env in ENVIRONMENTS:
        results = checkov_terraform.under(stack(renders[case.id], env))
        failed = [f"{r.check_id} {r.resource}" for r in results if r.result == "FAILED"]
        assert not failed, f"{case.id} ({env}): {failed}"
        assert not [r for r in results if r.result == "SKIPPED"]
        plat = [r for r in results if r.check_id == "CKV_PLAT_1"]
        assert [r.result for r in plat] == ["PASSED"], "the mandatory-tag policy must run on the provider"
        if any(case.answers.get(k) for k in ("with_database", "with_bucket", "with_function")):
            assert any(r.check_id == "CKV_TF_1" and r.result == "PASSED" for r in results), "module pins not checked"


def test_checkov_terraform_modules_zero_findings(platform_copy, checkov_terraform):
    results = checkov_terraform.under(platform_copy / "terraform-modules")
    failed = [f"{r.check_id} {r.resource} ({r.path.name})" for r in results if r.result == "FAILED"]
    assert not failed
    skipped = {r.check_id for r in results if r.result == "SKIPPED"}
    assert skipped <= DOCUMENTED_SKIPS, f"undocumented skips: {skipped - DOCUMENTED_SKIPS}"
    escape_hatches = (REPO / "docs" / "escape-hatches.md").read_text()
    assert all(check in escape_hatches for check in skipped)
    for module in MODULES:
        scanned = {r.resource for r in checkov_terraform.under(platform_copy / "terraform-modules" / module)}
        assert scanned, f"checkov scanned nothing in {module}"
    assert not checkov_terraform.parsing_errors


def test_mandatory_tag_policy_fails_a_provider_without_tags(tmp_path):
    from .conftest import checkov

    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n  default_tags {\n    tags = { team = "x" }\n  }\n}\n'
    )
    report = checkov(
        "terraform", tmp_path, "--external-checks-dir", str(REPO / "policies" / "checkov"), "--check", "CKV_PLAT_1"
    )
    assert [r.result for r in report.results if r.check_id == "CKV_PLAT_1"] == ["FAILED"]


@pytest.mark.parametrize("module", MODULES)
def test_module_layout(module):
    root = REPO / "terraform-modules" / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md", "examples/basic/main.tf"):
        assert (root / name).is_file(), f"{module}: missing {name}"
    variables = (root / "variables.tf").read_text()
    blocks = re.split(r'(?m)^variable "', variables)[1:]
    assert blocks and all("validation {" in b for b in blocks), f"{module}: every variable needs a validation block"
    assert 'required_version = ">= 1.11.0' in (root / "versions.tf").read_text()


def recorded(root: Path) -> dict:
    return yaml.safe_load((root / ".copier-answers.yml").read_text())


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_stack_backend_pins_and_tags(case, renders):
    answers = recorded(renders[case.id])
    base, ref = re.escape(answers["platform_repo_url"]), answers["platform_ref"]
    where = f"{case.settings['org']}/{case.settings['platform_repo']}.git"
    assert re.fullmatch(rf"file:///\S+/{re.escape(where)}", answers["platform_repo_url"]), (
        "the local forge's platform repo"
    )
    for env in ENVIRONMENTS:
        root = stack(renders[case.id], env)
        backend = (root / "backend.tf").read_text()
        assert re.search(r"use_lockfile\s*=\s*true", backend) and re.search(r"encrypt\s*=\s*true", backend)
        assert "dynamodb_table" not in backend
        assert re.search(r'required_version\s*=\s*">= 1\.1[1-9]', (root / "versions.tf").read_text())
        main = (root / "main.tf").read_text()
        for source in re.findall(r'source\s*=\s*"([^"]+)"', main):
            assert re.fullmatch(rf"git::{base}//terraform-modules/[a-z0-9-]+\?ref={ref}", source)
        for key in ("team", "service", "environment", "cost-center"):
            assert re.search(rf"^\s*{key}\s*=\s*var\.", main, re.M), f"default_tags lacks {key}"
        variables = (root / "variables.tf").read_text()
        for name in MANDATORY_VARIABLES:
            block = variables.split(f'variable "{name}"', 1)[1].split("\nvariable ", 1)[0]
            assert "validation {" in block, f"variable {name} needs a validation block"
        tfvars = (root / "terraform.tfvars").read_text()
        assert f'environment = "{env}"' in tfvars


# --- behaviour: what the pipeline runs -------------------------------------------------------------

EXAMPLES = sorted(
    p.relative_to(REPO / "terraform-modules").as_posix()
    for p in (REPO / "terraform-modules").glob("*/examples/*")
    if p.is_dir()
)
MODULE_OF = {"database": "rds-postgres", "bucket": "s3-bucket", "function": "lambda-function"}


@pytest.fixture(scope="session")
def terraform_dir(tmp_path_factory) -> Path:
    """CLI config and plugin cache shared by every terraform run of the session."""
    return tmp_path_factory.mktemp("terraform")


@pytest.fixture
def tf(terraform_dir):
    """Run terraform offline in a directory; a failure shows terraform's own output."""
    binary = terraform_offline.locate().terraform

    def run(args, cwd: Path) -> None:
        proc = subprocess.run(
            [binary, *args],
            cwd=cwd,
            env=terraform_offline.offline_env(terraform_dir),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, (
            f"terraform {' '.join(args)} in {cwd}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )

    return run


def init_and_validate(tf, root: Path) -> None:
    tf(["init", "-backend=false", "-input=false", "-no-color"], root)
    tf(["validate", "-no-color"], root)


def modules_installed(root: Path) -> dict:
    path = root / ".terraform" / "modules" / "modules.json"  # written only when the stack calls modules
    manifest = json.loads(path.read_text()) if path.is_file() else {"Modules": []}
    return {m["Key"]: m["Source"] for m in manifest["Modules"] if m["Key"]}


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_stack_fmt_init_validate(case, env, renders, tf, tmp_path):
    """On a copy (init writes .terraform/ and a lock file; the render stays as plat made it)."""
    answers = recorded(renders[case.id])
    work = tmp_path / env
    shutil.copytree(stack(renders[case.id], env), work)
    tf(["fmt", "-check", "-diff", "-recursive", "-no-color"], work)
    init_and_validate(tf, work)
    wanted = {key for key, m in MODULE_OF.items() if case.answers.get(f"with_{key}")}
    sources = modules_installed(work)
    assert set(sources) == wanted
    for key, source in sources.items():
        assert (
            source
            == f"git::{answers['platform_repo_url']}//terraform-modules/{MODULE_OF[key]}?ref={answers['platform_ref']}"
        )
    lock = (work / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock


def platform_release(service: Path, dest: Path) -> Path:
    """A clone of the platform release the service pins (the forge's platform repo at its ref)."""
    answers = recorded(service)
    git.clone(answers["platform_repo_url"], dest)
    git.run(["checkout", "-q", "--detach", answers["platform_ref"]], dest)
    return dest


@pytest.mark.parametrize("example", EXAMPLES)
def test_module_example_fmt_init_validate(example, renders, tf, tmp_path):
    release = platform_release(renders[CASES[0].id], tmp_path / "platform")
    module = release / "terraform-modules" / example.split("/")[0]
    tf(["fmt", "-check", "-diff", "-recursive", "-no-color"], module)
    init_and_validate(tf, release / "terraform-modules" / example)


def test_examples_cover_every_module():
    assert {e.split("/")[0] for e in EXAMPLES} == set(MODULES)


def test_github_module_sources_keep_the_github_form(tmp_path):
    """On GitHub, plat computes https://github.com/ORG/REPO.git; the render keeps git::…//…?ref=SHA."""
    from platform_cli.forge.base import fetch_url
    from platform_cli.forge.github import GitHubForge
    from platform_cli.forge.github_client import Credentials
    from platform_cli.rendering import render

    url = fetch_url(GitHubForge("https://api.github.com", Credentials(token="x")).repo_url("Acme-Corp", "platform"))
    ref = "0123456789abcdef0123456789abcdef01234567"
    answers = {
        "service_name": "orders",
        "owner": "payments",
        "org": "Acme-Corp",
        "platform_repo_url": url,
        "platform_ref": ref,
        "with_bucket": True,
    }
    render.copy(str(REPO / "templates" / "http-api"), None, tmp_path / "out", answers)
    main = (tmp_path / "out" / "terraform" / "environments" / "staging" / "main.tf").read_text()
    assert re.findall(r'source\s*=\s*"([^"]+)"', main) == [
        f"git::https://github.com/Acme-Corp/platform.git//terraform-modules/s3-bucket?ref={ref}"
    ]


# --- the workflow: lock files ---------------------------------------------------------------------


def workflow_job() -> dict:
    return yaml.safe_load((REPO / "workflows" / "terraform.yml").read_text())["jobs"]["terraform"]


def run_init_step(stack_dir: Path, summary: Path, tf_env: dict) -> subprocess.CompletedProcess:
    """The workflow's "Init and validate" step as the runner runs it: its `run:` with `bash -e`, in
    the stack directory, with its `env:` (inputs substituted) and GITHUB_STEP_SUMMARY. The S3 backend
    is the cloud: Terraform's own TF_CLI_ARGS_init adds -backend=false, the step's commands unchanged."""
    step = next(s for s in workflow_job()["steps"] if s.get("name") == "Init and validate")
    inputs = {"working-directory": "terraform/environments/staging"}
    env = {
        k: re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], str(v))
        for k, v in (step.get("env") or {}).items()
    }
    assert not [v for v in env.values() if "${{" in v], "an expression the test does not evaluate"
    script = stack_dir.parent / "step.sh"
    script.write_text(step["run"])
    return subprocess.run(
        ["bash", "-e", str(script)],
        cwd=stack_dir,
        capture_output=True,
        text=True,
        timeout=600,
        env={**tf_env, **env, "GITHUB_STEP_SUMMARY": str(summary), "TF_CLI_ARGS_init": "-backend=false"},
    )


def test_workflow_init_without_then_with_a_committed_lock_file(renders, terraform_dir, tmp_path):
    """A fresh repo (no lock file) succeeds and publishes the lock file; once committed, init is
    read-only: the same lock file comes back unchanged, and a lock file that does not match fails."""
    case = next(c for c in CASES if c.answers.get("with_database"))
    tf_env = terraform_offline.offline_env(terraform_dir)
    fresh = tmp_path / "fresh" / "staging"
    shutil.copytree(stack(renders[case.id], "staging"), fresh)
    assert not (fresh / ".terraform.lock.hcl").exists(), "the render ships no lock file"
    summary = tmp_path / "summary-fresh.md"
    proc = run_init_step(fresh, summary, tf_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "::warning::terraform/environments/staging has no .terraform.lock.hcl" in proc.stdout
    lock = (fresh / ".terraform.lock.hcl").read_text()
    assert (
        lock.strip() in summary.read_text()
        and "terraform/environments/staging/.terraform.lock.hcl" in summary.read_text()
    )

    committed = tmp_path / "committed" / "staging"
    shutil.copytree(stack(renders[case.id], "staging"), committed)
    (committed / ".terraform.lock.hcl").write_text(lock)
    summary = tmp_path / "summary-committed.md"
    proc = run_init_step(committed, summary, tf_env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "::warning::" not in proc.stdout and not summary.exists()
    assert (committed / ".terraform.lock.hcl").read_text() == lock, "a committed lock file is never rewritten"

    tampered = tmp_path / "tampered" / "staging"
    shutil.copytree(stack(renders[case.id], "staging"), tampered)
    (tampered / ".terraform.lock.hcl").write_text(re.sub(r'"h1:[^"]+"', '"h1:' + "A" * 43 + '="', lock))
    proc = run_init_step(tampered, tmp_path / "summary-tampered.md", tf_env)
    assert proc.returncode != 0 and "checksums" in proc.stdout + proc.stderr


def test_workflow_runs_steps_inside_the_checkout_only_after_checking_out():
    """`defaults.run.working-directory` is a folder of the checkout: a `run:` step before
    actions/checkout (without its own working-directory) cannot start."""
    job = workflow_job()
    assert "working-directory" in job["defaults"]["run"]
    checked_out = False
    for step in job["steps"]:
        checked_out = checked_out or step.get("uses", "").startswith("actions/checkout@")
        if "run" in step:
            assert checked_out or "working-directory" in step, f"step {step.get('name')!r} runs before checkout"
