"""A runner-like sandbox for one job: its steps in order, as GitHub's runner runs them.

- `run:` steps go through `bash --noprofile --norc -eo pipefail` (GitHub's default shell), in
  `working-directory` (the step's, else `defaults.run`'s) under `GITHUB_WORKSPACE`;
- `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH`, `GITHUB_STEP_SUMMARY` are fresh files per step,
  read back after it (outputs into `steps.<id>.outputs`, env and path into the next steps);
- `env:`, `with:`, `if:` and `working-directory` expressions are evaluated with the job's contexts;
- `uses:` steps go to an action handler (actions.py) or to a named stub (stubs.py); any other
  action fails the job.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

from platform_cli.forge.expressions import Status, condition, interpolate, to_text

STEP_TIMEOUT = 900
HEREDOC = re.compile(r"^([^=\s]+)<<(\S+)$")


@dataclass(frozen=True)
class StepRecord:
    workflow: str  # the reusable or caller workflow file, e.g. deploy.yml
    job: str
    step: str  # the step's name, or its action when it has none
    outcome: str  # success | failure | skipped | stubbed
    detail: str = ""  # the stub's reason, or the end of a failed step's output


@dataclass
class Job:
    """One job's state while it runs."""

    workflow: str
    job_id: str
    spec: Mapping[str, Any]
    context: dict[str, Any]  # github, inputs, secrets, vars, needs, runner, env, steps
    workspace: Path
    temp: Path
    base_env: dict[str, str]
    path: list[str] = field(default_factory=list)  # GITHUB_PATH entries, newest first
    env: dict[str, str] = field(default_factory=dict)  # GITHUB_ENV values
    records: list[StepRecord] = field(default_factory=list)
    failed: bool = False


# An action handler: (job, step, with) -> outputs; raises StepFailed to fail the step.
Handler = Callable[[Job, Mapping[str, Any], Mapping[str, Any]], Mapping[str, str]]


class StepFailed(Exception):
    pass


def step_label(step: Mapping[str, Any]) -> str:
    return str(step.get("name") or str(step.get("uses", "run")).split("@")[0])


def run_job(job: Job, handlers: Mapping[str, Handler], stubs: Mapping[tuple, Any]) -> Job:
    job.context.setdefault("steps", {})
    for index, step in enumerate(job.spec.get("steps") or ()):
        _run_step(job, index, step, handlers, stubs)
    return job


def _run_step(
    job: Job, index: int, step: Mapping[str, Any], handlers: Mapping[str, Handler], stubs: Mapping[tuple, Any]
) -> None:
    label = step_label(step)
    context = {**job.context, "env": _env_context(job, step)}
    if not condition(step.get("if"), context, Status(job.failed)):
        return _record(job, step, label, "skipped", {})
    stub = stubs.get((job.workflow, label))
    try:
        if stub is not None:
            outputs = dict(stub.outputs(job, context))
            return _record(job, step, label, "stubbed", outputs, stub.reason)
        if "run" in step:
            outputs = _shell(job, step, context)
        else:
            outputs = _action(job, step, context, handlers)
    except StepFailed as failed:
        job.failed = True
        return _record(job, step, label, "failure", {}, str(failed))
    _record(job, step, label, "success", outputs)


def _record(
    job: Job, step: Mapping[str, Any], label: str, outcome: str, outputs: Mapping[str, str], detail: str = ""
) -> None:
    if step.get("id"):
        conclusion = "success" if outcome == "stubbed" else outcome
        job.context["steps"][step["id"]] = {"outputs": dict(outputs), "outcome": conclusion, "conclusion": conclusion}
    job.records.append(StepRecord(job.workflow, job.job_id, label, outcome, detail))


def _action(job: Job, step: Mapping[str, Any], context: Mapping[str, Any], handlers: Mapping[str, Handler]) -> dict:
    action = str(step["uses"]).split("@")[0]
    if action not in handlers:
        raise StepFailed(f"action {action} has no handler and no stub in the rehearsal")
    with_ = {str(k): interpolate(v, context) for k, v in (step.get("with") or {}).items()}
    return dict(handlers[action](job, step, with_))


def _env_context(job: Job, step: Mapping[str, Any]) -> dict[str, Any]:
    """`env` as a step sees it: the job's GITHUB_ENV values, then the step's own `env:`."""
    env: dict[str, Any] = dict(job.env)
    base = {**job.context, "env": dict(env)}
    for key, value in (job.spec.get("env") or {}).items():
        env[str(key)] = to_text(interpolate(value, base))
    base["env"] = dict(env)
    for key, value in (step.get("env") or {}).items():
        env[str(key)] = to_text(interpolate(value, base))
    return env


def _shell(job: Job, step: Mapping[str, Any], context: Mapping[str, Any]) -> dict:
    cwd = _working_directory(job, step, context)
    files = {
        name: job.temp / f"_{name.lower()}_{len(job.records)}"
        for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
    }
    for path in files.values():
        path.write_text("")
    script = job.temp / f"_step_{len(job.records)}.sh"
    script.write_text(str(step["run"]))
    env = {**job.base_env, **context["env"], **{k: str(v) for k, v in files.items()}}
    env["PATH"] = os.pathsep.join([*job.path, job.base_env["PATH"]])
    shell = _shell_command(step, job)
    proc = subprocess.run([*shell, str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    _read_env_files(job, files)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise StepFailed(f"exit {proc.returncode}: {tail}")
    return _read_pairs(files["GITHUB_OUTPUT"].read_text())


def _shell_command(step: Mapping[str, Any], job: Job) -> list[str]:
    shell = step.get("shell") or ((job.spec.get("defaults") or {}).get("run") or {}).get("shell") or "bash"
    commands = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"], "sh": ["sh", "-e"]}
    if shell not in commands:
        raise StepFailed(f"shell {shell!r} is not supported by the rehearsal")
    return commands[shell]


def _working_directory(job: Job, step: Mapping[str, Any], context: Mapping[str, Any]) -> Path:
    defaults = ((job.spec.get("defaults") or {}).get("run") or {}).get("working-directory")
    relative = to_text(interpolate(step.get("working-directory", defaults), context))
    path = job.workspace / relative if relative else job.workspace
    if not path.is_dir():
        raise StepFailed(f"working-directory {relative!r} does not exist: the runner cannot start this step")
    return path


def _read_env_files(job: Job, files: Mapping[str, Path]) -> None:
    job.env.update(_read_pairs(files["GITHUB_ENV"].read_text()))
    added = [line.strip() for line in files["GITHUB_PATH"].read_text().splitlines() if line.strip()]
    job.path[:0] = list(reversed(added))
    summary = job.temp / "step_summary.md"
    with summary.open("a") as out:
        out.write(files["GITHUB_STEP_SUMMARY"].read_text())


def _read_pairs(text: str) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks, as the runner reads GITHUB_OUTPUT/GITHUB_ENV."""
    pairs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        heredoc = HEREDOC.match(line)
        if heredoc:
            body: list[str] = []
            for inner in lines:
                if inner == heredoc.group(2):
                    break
                body.append(inner)
            else:
                raise StepFailed(f"{heredoc.group(1)}: unterminated {heredoc.group(2)} block")
            pairs[heredoc.group(1)] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            pairs[key] = value
        elif line.strip():
            raise StepFailed(f"malformed line in an env/output file: {line!r}")
    return pairs
