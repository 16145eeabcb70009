"""The rehearsal: a fresh service's workflows run step by step for each event GitHub would start
them on, against the platform release plat published on the local forge. Every workflow must reach
its end with only the named cloud stubs standing in."""

from __future__ import annotations

import subprocess
from typing import List

import pytest
import yaml

from tests.conftest import REAL_TEMPLATES, REPO_ROOT

from .conftest import ORG, main_event, make_service, make_world, prometheus_double, pull_request
from .dashboard_world import dashboard_rehearsed  # noqa: F401 - the platform team's scheduled dashboard
from .rehearsal import rehearse
from .runner import StepRecord, step_label
from .stubs import STUBS, pushed_digest

EVENTS = ("pull_request app", "pull_request terraform", "push", "schedule")
# Workflows no service calls, each rehearsed (every step, the same rule) by its own test module.
REHEARSED_ELSEWHERE = {
    "rescan.yml": "test_rescan.py",
    "fleet-upgrade.yml": "test_fleet_upgrade.py",
    "codeowners.yml": "test_codeowners_workflow.py",
}


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("template", REAL_TEMPLATES)
def test_every_workflow_reaches_its_end(rehearsed, template, event):
    _, per_event = rehearsed[template]
    runs = per_event[event]
    assert runs, f"no workflow starts on {event}"
    failures = "\n".join(r.failures() for r in runs if r.failed)
    assert not [c for r in runs for c in r.failed], failures
    skipped = [c.name for r in runs for c in r.checks if c.conclusion == "skipped"]
    assert not skipped, f"jobs that never ran: {skipped}"


def test_which_workflows_each_event_starts(rehearsed):
    for template, (_, per_event) in rehearsed.items():
        started = {event: sorted(r.workflow for r in runs) for event, runs in per_event.items()}
        assert started == {
            "pull_request app": ["ci.yml", "doctor.yml"],
            "pull_request terraform": ["ci.yml", "doctor.yml", "terraform.yml"],
            "push": ["ci.yml", "deploy.yml", "terraform.yml"],
            "schedule": ["doctor.yml", "terraform.yml"],
        }, template


def test_every_step_ran_or_is_a_named_stub(rehearsed, dashboard_rehearsed):
    """Every step of every reusable workflow ran (or stood in as its named stub) in some rehearsal,
    and every stub of the table stood in at least once: the table names exactly what is not run."""
    records: list[StepRecord] = [
        s for _, per_event in rehearsed.values() for runs in per_event.values() for run in runs for s in run.steps
    ] + dashboard_rehearsed.run.steps
    done = {(r.workflow, r.step) for r in records if r.outcome in ("success", "stubbed")}
    stubbed = {(r.workflow, r.step) for r in records if r.outcome == "stubbed"}
    expected = set()
    for path in sorted((REPO_ROOT / "workflows").glob("*.yml")):
        if path.name in REHEARSED_ELSEWHERE:
            continue
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            expected |= {(path.name, step_label(s)) for s in job.get("steps", [])}
    assert expected - done == set(), "steps no rehearsal reached"
    assert set(STUBS) - stubbed == set(), "stubs no rehearsal used (remove them)"
    assert stubbed <= set(STUBS)


def test_the_deploys_promoted_the_built_digest_in_the_gitops_repo(rehearsed):
    """Staging then production: the GitOps Applications point at the pushed commit and the digest
    the build gave (the registry stub's answer), in two commits `plat deploy` and `plat promote` landed
    from the deploy jobs, with the delivery trailers."""
    for template, (service, per_event) in rehearsed.items():
        push = {r.workflow: r for r in per_event["push"]}["deploy.yml"]
        digest = pushed_digest(None, {"github": {"sha": push.event.sha}})["digest"]
        gitops = service.forge / ORG / "gitops.git"
        assert _git(gitops, "log", "--format=%s", "-2", "main").splitlines() == [
            f"deploy({service.name}): production -> {digest}",
            f"deploy({service.name}): staging -> {digest}",
        ], template
        trailers = _git(
            gitops, "log", "-2", "--format=%(trailers:key=Plat-Environment,key=Plat-Digest,key=Plat-Source)"
        )
        assert trailers.split("\n\n") == [
            f"Plat-Environment: {env}\nPlat-Digest: {digest}\nPlat-Source: {push.event.sha}"
            for env in ("production", "staging")
        ], template  # plat deploy (staging) and plat promote (production) made them: docs/delivery.md
        for env in ("staging", "production"):
            source = yaml.safe_load(_git(gitops, "show", f"main:apps/{service.name}/{env}.yaml"))["spec"]["source"]
            assert source["targetRevision"] == push.event.sha
            assert source["helm"]["parameters"] == [{"name": "image.digest", "value": digest}]
            assert source["helm"]["valueFiles"] == ["values.yaml", f"values-{env}.yaml"]  # the rest kept


def test_terraform_on_a_repo_without_lock_file_publishes_the_one_it_resolved(rehearsed):
    """A fresh render ships no .terraform.lock.hcl: init resolves the providers (from the mirror
    here) and the job summary carries the lock file for the team to commit."""
    for template, (_, per_event) in rehearsed.items():
        run = {r.workflow: r for r in per_event["pull_request terraform"]}["terraform.yml"]
        for env in ("staging", "production"):
            summary = run.summary(f"{env} / terraform plan ({env})")
            assert f"### Commit `terraform/environments/{env}/.terraform.lock.hcl`" in summary, template
            assert 'provider "registry.terraform.io/hashicorp/aws"' in summary, template


def test_a_spent_error_budget_stops_the_production_deploy(tmp_path):
    """The SLO gate really gates: with the budget spent, staging deploys and production stops at
    the gate, before anything reaches the GitOps repo."""
    service = make_service(tmp_path, "worker", "spent-budget")
    with prometheus_double("-0.25") as url:
        world = make_world(service, tmp_path / "runs", url, tmp_path / "caches")
        run = rehearse(
            world, main_event(service, world.env, "push"), service.repo / ".github" / "workflows" / "deploy.yml"
        )
    assert {c.name: c.conclusion for c in run.checks}["production / deploy production"] == "failure"
    assert {c.name: c.conclusion for c in run.checks}["staging / deploy staging"] == "success"
    staging_gate, production_gate = [r for r in run.steps if r.step == "SLO gate (error budget)"]
    assert staging_gate.outcome == "skipped"  # the gate guards production only
    assert production_gate.outcome == "failure" and "budget" in production_gate.detail
    log = _git(service.forge / ORG / "gitops.git", "log", "--format=%s", "main")
    assert "deploy(spent-budget): staging" in log and "production ->" not in log


def test_the_terraform_modules_came_from_the_platform_release_on_the_forge(rehearsed):
    service, per_event = rehearsed["http-api"]
    main = (service.repo / "terraform" / "environments" / "staging" / "main.tf").read_text()
    release = f"{service.forge / ORG / 'platform.git'}//terraform-modules/"
    assert main.count(release) == 3, main  # rds-postgres, s3-bucket, lambda-function at the pinned sha
    run = {r.workflow: r for r in per_event["pull_request terraform"]}["terraform.yml"]
    assert [r.outcome for r in run.steps if r.step == "Init and validate"] == ["success", "success"]


def test_the_required_doctor_check_fails_a_pull_request_that_edits_a_platform_owned_file(tmp_path, prometheus):
    """`doctor / plat doctor` is a real gate: drift of a platform-owned file (high) fails it."""
    service = make_service(tmp_path, "cronjob", "drifting")
    world = make_world(service, tmp_path / "runs", prometheus, tmp_path / "caches")
    event = pull_request(service, world.env, 1, {".github/workflows/ci.yml": "# a local tweak\n"})
    run = rehearse(world, event, service.repo / ".github" / "workflows" / "doctor.yml")
    assert [(c.name, c.conclusion) for c in run.checks] == [("doctor / plat doctor", "failure")]
    doctor = next(r for r in run.steps if r.step == "plat doctor")
    assert doctor.outcome == "failure" and "exit 4" in doctor.detail and "PLAT-DRIFT-001" in doctor.detail


def _git(bare, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(bare), *args], check=True, capture_output=True, text=True
    ).stdout.strip()
