"""The rehearsal of `workflows/fleet-upgrade.yml`: its plan job and one upgrade job per matrix entry,
step by step in the runner-like sandbox, with plat installed from the platform release on the local
forge, against a small fleet on that forge. The shards together upgrade the whole fleet once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_cli.forge.expressions import interpolate, to_text
from platform_cli.forge.local import LocalForge
from tests.conftest import REPO_ROOT, hermetic_session_env
from tests.fleet.conftest import _build

from .rehearsal import _runner_env, sandbox_env
from .runner import Job, run_job, step_label

WORKFLOW = REPO_ROOT / "workflows" / "fleet-upgrade.yml"
ORG = "acme"


def _job(env, root: Path, job_id: str, spec, context) -> Job:
    home = root / f"{job_id}-{len(list(root.iterdir()))}"
    workspace, temp = home / "workspace", home / "temp"
    workspace.mkdir(parents=True)
    temp.mkdir()
    job_context = {**context, "runner": {"temp": str(temp), "os": "Linux", "arch": "X64"}, "job": {}}
    return run_job(
        Job(
            "fleet-upgrade.yml",
            job_id,
            spec,
            job_context,
            workspace,
            temp,
            {**env, **_runner_env(context["github"], workspace, temp)},
        ),
        {},
        {},
    )


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("fleet-rehearsal")
    with hermetic_session_env(base / "env"):
        fleet = _build(base / "fleet")
    forge = fleet.settings.home / "forge"
    platform_sha = LocalForge(forge).branch_sha(ORG, "platform", "main")
    env = {
        **sandbox_env(base / "runner", forge),
        "PLAT_HOME": str(fleet.settings.home),
        "PLAT_TEMPLATE_SOURCE": str(fleet.settings.template_source),
        "PIP_CACHE_DIR": str(base / "pip-cache"),
    }
    workflow = yaml.safe_load(WORKFLOW.read_text())
    inputs = {
        "platform-repository": f"{ORG}/platform",
        "platform-ref": platform_sha,
        "to": "0.2.0",
        "shards": 2,
        "services": "",
        "wave-size": 0,
        "team": "",
        "org": "",
        "forge": "local",
    }
    github = {
        "repository_owner": ORG,
        "repository": f"{ORG}/platform",
        "event_name": "workflow_call",
        "sha": platform_sha,
    }
    context = {
        "github": github,
        "inputs": inputs,
        "secrets": {"fleet-token": "rehearsal-token"},
        "vars": {},
        "needs": {},
        "env": {},
    }
    runs = base / "runs"
    runs.mkdir()
    jobs = workflow["jobs"]
    plan = _job(env, runs, "plan", jobs["plan"], context)
    outputs = {k: to_text(interpolate(v, plan.context)) for k, v in jobs["plan"]["outputs"].items()}
    needs = {"plan": {"result": "failure" if plan.failed else "success", "outputs": outputs}}
    matrix = interpolate(jobs["upgrade"]["strategy"]["matrix"], {**context, "needs": needs})

    def shard_jobs(inputs: dict[str, Any]) -> list[Job]:
        return [
            _job(env, runs, "upgrade", jobs["upgrade"], {**context, "inputs": inputs, "needs": needs, "matrix": e})
            for e in matrix["include"]
        ]

    gated = shard_jobs({**inputs, "wave-size": 1})  # each shard: its first wave of one, then its gate
    opened = _open_upgrades(LocalForge(forge))
    shards = shard_jobs(inputs)  # then every remaining pull request at once
    return {
        "plan": plan,
        "outputs": outputs,
        "matrix": matrix,
        "gated": gated,
        "opened_by_gated": opened,
        "shards": shards,
        "forge": LocalForge(forge),
    }


def _open_upgrades(forge: LocalForge) -> list[str]:
    names = ("alpha", "bravo", "charlie", "delta", "echo")
    return [n for n in names for p in forge.list_pull_requests(ORG, n, "open") if p.head == "plat/upgrade-0.2.0"]


def test_the_plan_job_outputs_a_matrix_of_every_service_once(rehearsed):
    assert not rehearsed["plan"].failed, [r for r in rehearsed["plan"].records if r.outcome == "failure"]
    include = rehearsed["matrix"]["include"]
    assert [e["shard"] for e in include] == ["1/2", "2/2"] and rehearsed["outputs"]["count"] == "5"
    assert sorted(n for e in include for n in e["services"].split(",")) == [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
    ]


def test_every_shard_job_runs_every_step_and_the_fleet_is_upgraded_once(rehearsed):
    for job in rehearsed["shards"]:
        assert not job.failed, "\n".join(f"{r.step}: {r.detail}" for r in job.records if r.outcome == "failure")
    ran = {
        (r.job, r.step)
        for job in [rehearsed["plan"], *rehearsed["shards"]]
        for r in job.records
        if r.outcome == "success"
    }
    workflow = yaml.safe_load(WORKFLOW.read_text())
    expected = {(job_id, step_label(s)) for job_id, job in workflow["jobs"].items() for s in job["steps"]}
    assert expected <= ran, expected - ran
    forge = rehearsed["forge"]
    upgrades = {
        name: [p.state for p in forge.list_pull_requests(ORG, name) if p.head == "plat/upgrade-0.2.0"]
        for name in ("alpha", "bravo", "charlie", "delta", "echo")
    }
    assert upgrades == {"alpha": ["open"], "bravo": ["open"], "charlie": ["open"], "delta": [], "echo": []}


def test_with_a_wave_size_each_shard_stops_at_its_first_gate(rehearsed):
    for job in rehearsed["gated"]:
        assert not job.failed, "\n".join(f"{r.step}: {r.detail}" for r in job.records if r.outcome == "failure")
        summary = (job.temp / "step_summary.md").read_text()
        assert "stopped at a wave's gate: waiting for 1 upgrade pull requests to merge" in summary, summary
    assert rehearsed["opened_by_gated"] == ["alpha", "bravo"]  # shard 1/2's first wave, and shard 2/2's


def test_no_services_means_no_upgrade_job():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    from platform_cli.forge.expressions import Status, condition

    assert not condition(
        workflow["jobs"]["upgrade"]["if"], {"needs": {"plan": {"outputs": {"count": "0"}}}}, Status(False)
    )
    assert condition(workflow["jobs"]["upgrade"]["if"], {"needs": {"plan": {"outputs": {"count": "3"}}}}, Status(False))
    assert shutil.which("bash")
