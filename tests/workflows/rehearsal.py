"""Rehearse a service's workflows for one event, as GitHub Actions would run them.

The caller workflows come from the rendered service; each `uses: ORG/REPO/.github/workflows/X@SHA`
is read from the platform release on the local forge at that sha (a pin that does not resolve
fails). Jobs run in `needs` order with their `if:`; a reusable workflow gets its inputs (declared
defaults, the caller's `with:`), its secrets, and reports one check per called job named
`<caller job> / <called job>`, as GitHub does. The local forge plays github.com: the sandbox's
git config rewrites https://github.com/ to it, so checkouts, `pip install git+https://github.com/…`
and pushes reach the forge's bare repos unchanged.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from platform_cli.forge.expressions import Status, condition, interpolate, to_text

from .runner import Handler, Job, StepRecord, run_job

SUPPORTED_JOB_KEYS = {
    "name",
    "needs",
    "if",
    "uses",
    "with",
    "secrets",
    "permissions",
    "runs-on",
    "steps",
    "timeout-minutes",
    "outputs",
    "environment",
    "concurrency",
    "defaults",
    "env",
}


@dataclass(frozen=True)
class Event:
    name: str  # pull_request | push | schedule
    sha: str  # the commit the run is for
    ref: str  # refs/heads/main, refs/pull/1/merge
    base_ref: str = ""
    head_ref: str = ""
    changed: tuple[str, ...] = ()  # files the push or pull request changes (for path filters)


@dataclass(frozen=True)
class World:
    """What the rehearsal runs against: the forge, the repos, the settings a real org would have."""

    forge: Path  # the local forge: <forge>/<org>/<repo>.git
    org: str
    repo: str
    root: Path  # where run directories go
    env: Mapping[str, str]  # the runner's base environment (PATH, HOME, git config...)
    handlers: Mapping[str, Handler]
    stubs: Mapping[tuple, Any]
    vars: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    name: str
    conclusion: str  # success | failure | skipped


@dataclass
class Run:
    workflow: str
    event: Event
    home: Path  # this run's jobs: <home>/<job>/workspace and temp
    checks: list[Check] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.conclusion == "failure"]

    def summary(self, check: str) -> str:
        """The job summary (GITHUB_STEP_SUMMARY of all its steps) of the job reporting `check`."""
        path = self.home / _slug(check) / "temp" / "step_summary.md"
        return path.read_text() if path.exists() else ""

    def failures(self) -> str:
        return "\n".join(f"{r.workflow} / {r.job} / {r.step}: {r.detail}" for r in self.steps if r.outcome == "failure")


def triggered(workflow: Mapping[str, Any], event: Event) -> bool:
    on = workflow.get("on", workflow.get(True))
    triggers = {on: None} if isinstance(on, str) else dict(on or {})
    if event.name not in triggers:
        return False
    spec = triggers[event.name] if isinstance(triggers[event.name], dict) else {}
    branch = event.base_ref or event.ref.removeprefix("refs/heads/")
    if spec.get("branches") and branch not in spec["branches"]:
        return False
    if spec.get("paths"):
        return any(fnmatch(path, pattern.replace("**", "*")) for path in event.changed for pattern in spec["paths"])
    return True


def rehearse(world: World, event: Event, caller: Path) -> Run | None:
    """Run one caller workflow for `event`; None when the event does not start it."""
    workflow = yaml.safe_load(caller.read_text())
    if not triggered(workflow, event):
        return None
    world.root.mkdir(parents=True, exist_ok=True)
    run = Run(caller.name, event, world.root / f"{len(list(world.root.iterdir())):03d}-{event.name}-{caller.stem}")
    github = _github(world, event, caller.name)
    results: dict[str, dict[str, Any]] = {}
    for job_id, job in _ordered(workflow.get("jobs") or {}):
        results[job_id] = _caller_job(world, run, github, job_id, job, results)
    return run


def _caller_job(
    world: World,
    run: Run,
    github: dict[str, Any],
    job_id: str,
    job: Mapping[str, Any],
    results: Mapping[str, dict[str, Any]],
) -> dict[str, Any]:
    unsupported = set(job) - SUPPORTED_JOB_KEYS
    assert not unsupported, f"{run.workflow}/{job_id}: keys the rehearsal does not know: {unsupported}"
    needs = {n: results[n] for n in _needs(job)}
    context = {
        "github": github,
        "vars": dict(world.vars),
        "secrets": dict(world.secrets),
        "needs": needs,
        "inputs": {},
        "env": {},
    }
    name = to_text(interpolate(job.get("name"), context)) if job.get("name") else job_id
    failed_before = any(n["result"] != "success" for n in needs.values())
    if not condition(job.get("if"), context, Status(failed_before)):
        run.checks.append(Check(name, "skipped"))
        return {"result": "skipped", "outputs": {}}
    if not job.get("uses"):
        return _plain_job(world, run, context, run.workflow, job_id, job, name)
    callee_name, callee = _reusable(world, str(job["uses"]))
    inputs = _inputs(callee, job.get("with") or {}, context, f"{run.workflow}/{job_id}")
    secrets = _secrets(callee, job.get("secrets") or {}, context, f"{run.workflow}/{job_id}")
    inner: dict[str, dict[str, Any]] = {}
    for inner_id, inner_job in _ordered(callee.get("jobs") or {}):
        inner_context = {
            "github": github,
            "vars": dict(world.vars),
            "secrets": secrets,
            "inputs": inputs,
            "needs": {n: inner[n] for n in _needs(inner_job)},
            "env": {},
        }
        inner_name = to_text(interpolate(inner_job.get("name"), inner_context)) if inner_job.get("name") else inner_id
        inner[inner_id] = _plain_job(
            world, run, inner_context, callee_name, inner_id, inner_job, f"{name} / {inner_name}"
        )
    result = "success" if all(r["result"] in ("success", "skipped") for r in inner.values()) else "failure"
    declared = ((_on(callee).get("workflow_call") or {}).get("outputs")) or {}
    outputs = {k: to_text(interpolate(v.get("value"), {"jobs": inner})) for k, v in declared.items()}
    return {"result": result, "outputs": outputs}


def _plain_job(
    world: World, run: Run, context: dict[str, Any], workflow: str, job_id: str, spec: Mapping[str, Any], check: str
) -> dict[str, Any]:
    failed_before = any(n["result"] != "success" for n in context["needs"].values())
    if not condition(spec.get("if"), context, Status(failed_before)):
        run.checks.append(Check(check, "skipped"))
        return {"result": "skipped", "outputs": {}}
    home = run.home / _slug(check)
    workspace, temp = home / "workspace", home / "temp"
    workspace.mkdir(parents=True)
    temp.mkdir()
    base_env = {**world.env, **_runner_env(context["github"], workspace, temp)}
    job_context = {
        **context,
        "runner": {"temp": str(temp), "os": "Linux", "arch": "X64"},
        "job": {},
        "github": {**context["github"], "workspace": str(workspace), "job": job_id},
    }
    job = run_job(Job(workflow, job_id, spec, job_context, workspace, temp, base_env), world.handlers, world.stubs)
    run.steps.extend(job.records)
    result = "failure" if job.failed else "success"
    run.checks.append(Check(check, result))
    outputs = {k: to_text(interpolate(v, job.context)) for k, v in (spec.get("outputs") or {}).items()}
    return {"result": result, "outputs": outputs}


def _reusable(world: World, uses: str) -> tuple[str, dict[str, Any]]:
    """`ORG/REPO/.github/workflows/NAME.yml@SHA` read from the forge's bare repo at that sha."""
    path, ref = uses.split("@", 1)
    org, repo, inner = path.split("/", 2)
    bare = world.forge / org / f"{repo}.git"
    proc = subprocess.run(
        ["git", "--git-dir", str(bare), "show", f"{ref}:{inner}"], capture_output=True, text=True, env=dict(world.env)
    )
    assert proc.returncode == 0, f"{uses} does not resolve on the forge: {proc.stderr.strip()}"
    return Path(inner).name, yaml.safe_load(proc.stdout)


def _inputs(
    callee: Mapping[str, Any], given: Mapping[str, Any], context: Mapping[str, Any], where: str
) -> dict[str, Any]:
    declared = ((_on(callee).get("workflow_call") or {}).get("inputs")) or {}
    unknown = set(map(str, given)) - set(map(str, declared))
    assert not unknown, f"{where} passes inputs the workflow does not declare: {unknown}"
    values: dict[str, Any] = {}
    for key, spec in declared.items():
        spec = spec or {}
        if key in given:
            value = interpolate(given[key], context)
        else:
            assert not spec.get("required"), f"{where}: required input {key} not given"
            value = spec.get("default")
        values[str(key)] = _typed(value, spec.get("type", "string"))
    return values


def _secrets(
    callee: Mapping[str, Any], given: Mapping[str, Any], context: Mapping[str, Any], where: str
) -> dict[str, str]:
    assert given != "inherit", f"{where}: secrets: inherit"
    declared = ((_on(callee).get("workflow_call") or {}).get("secrets")) or {}
    unknown = set(map(str, given)) - set(map(str, declared))
    assert not unknown, f"{where} passes secrets the workflow does not declare: {unknown}"
    missing = {str(k) for k, v in declared.items() if (v or {}).get("required") and k not in given}
    assert not missing, f"{where}: required secrets not given: {missing}"
    values = {str(k): to_text(interpolate(v, context)) for k, v in given.items()}
    assert all(values.values()), f"{where}: a secret it passes is empty (not set in the rehearsal's world)"
    return values


def _typed(value: Any, kind: str) -> Any:
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if kind == "number":
        return float(value or 0)
    return "" if value is None else to_text(value)


def _github(world: World, event: Event, workflow: str) -> dict[str, Any]:
    repository = f"{world.org}/{world.repo}"
    return {
        "event_name": event.name,
        "sha": event.sha,
        "ref": event.ref,
        "base_ref": event.base_ref,
        "head_ref": event.head_ref,
        "repository": repository,
        "repository_owner": world.org,
        "actor": "rehearsal[bot]",
        "server_url": "https://github.com",
        "workflow": workflow,
        "run_id": str(int(hashlib.sha256(event.sha.encode()).hexdigest()[:8], 16)),
        "run_attempt": "1",
        "token": world.secrets.get("GITHUB_TOKEN", ""),
    }


def _runner_env(github: Mapping[str, Any], workspace: Path, temp: Path) -> dict[str, str]:
    env = {f"GITHUB_{k.upper()}": str(v) for k, v in github.items() if k != "token"}
    env.update(
        {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(temp),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
        }
    )
    return env


def _ordered(jobs: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    done: list[str] = []
    while len(done) < len(jobs):
        ready = [j for j in jobs if j not in done and all(n in done for n in _needs(jobs[j] or {}))]
        assert ready, f"jobs with unmet or circular needs: {set(jobs) - set(done)}"
        done.append(ready[0])
    return [(j, jobs[j] or {}) for j in done]


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


def _on(workflow: Mapping[str, Any]) -> dict[str, Any]:
    on = workflow.get("on", workflow.get(True))
    return {on: None} if isinstance(on, str) else dict(on or {})


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")[:60] or "job"


def sandbox_env(root: Path, forge: Path) -> dict[str, str]:
    """The runner's environment: its own HOME and git config (the forge answers for github.com),
    PATH without the suite's own tools (helm and terraform come from their setup actions)."""
    home = root / "runner-home"
    home.mkdir(parents=True, exist_ok=True)
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        f'[url "file://{forge}/"]\n\tinsteadOf = https://github.com/\n'
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
    )
    repo_dirs = {str(Path(__file__).resolve().parents[2] / d) for d in (".tools/bin", ".venv/bin")}
    path = [
        p
        for p in os.environ.get("PATH", "").split(os.pathsep)
        if p and p not in repo_dirs and not p.startswith(str(Path(__file__).resolve().parents[2] / ".venv"))
    ]
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join(path),
        "LANG": "C.UTF-8",
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_ALLOW_PROTOCOL": "file",
        "GIT_TERMINAL_PROMPT": "0",
        # no AWS here: the SDKs must not probe the EC2 metadata endpoint for credentials
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.update(offline_pip())
    return env


def offline_pip() -> dict[str, str]:
    """pip without PyPI: plat's dependencies are those of the suite's venv (PYTHONPATH, so pip finds
    them installed and still checks every requirement), and the release builds with its setuptools
    (PIP_NO_BUILD_ISOLATION=0 turns isolation *off*: pip's inverted boolean). The only difference from
    a runner, which downloads the same dependencies from PyPI."""
    purelib = sysconfig.get_paths()["purelib"]
    return {
        "PYTHONPATH": purelib,
        "PIP_NO_INDEX": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
    }
