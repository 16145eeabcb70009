"""The status checks a service's `main` should require: the checks that report on *every* pull
request to `main`, named as GitHub names them.

GitHub's rules (docs: "Reusing workflows", "Troubleshooting required status checks"):
- a job's check is named by its `name:` (its id when it has none), expressions evaluated;
- a job that calls a reusable workflow reports one check per called job, named
  `<caller job name> / <called job name>`, the called job's name evaluated with the caller's inputs;
- a workflow skipped by a path or branch filter reports nothing: its checks stay "Pending" and
  block the merge, so such workflows are never required;
- a caller job skipped by its `if:` reports under its own name only, so a conditional caller job is
  required only when its condition holds on every pull request.
A name that depends on something that varies between pull requests (a variable, the head ref) is
not required either: it could not be written down once in the branch protection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase
from functools import partial
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.forge.expressions import UNKNOWN, ExpressionError, Unresolved, condition, interpolate, to_text

# What a pull request to main knows when its checks are named: everything else differs per run.
PULL_REQUEST_GITHUB = {"event_name": "pull_request", "base_ref": "main", "event": UNKNOWN}
DEFAULT_TYPES = {"opened", "synchronize", "reopened"}


def required_checks(repo: Path, platform_workflows: Path, base: str = "main") -> tuple[str, ...]:
    checks: list[str] = []
    for path in sorted((repo / ".github" / "workflows").glob("*.y*ml")):
        workflow = _load(path)
        if not runs_on_every_pull_request(workflow, base):
            continue
        for job_id, job in (workflow.get("jobs") or {}).items():
            checks += _job_checks(str(job_id), job or {}, platform_workflows)
    return tuple(dict.fromkeys(checks))


def runs_on_every_pull_request(workflow: Mapping[str, Any], base: str = "main") -> bool:
    """True when the workflow starts on every pull request to `base` (no path filter, no branch or
    type filter that leaves some out)."""
    triggers = _triggers(workflow)
    if "pull_request" not in triggers:
        return False
    spec = triggers["pull_request"] or {}
    if not isinstance(spec, Mapping):
        return True
    if spec.get("paths") or spec.get("paths-ignore"):
        return False
    if spec.get("branches") and not any(fnmatchcase(base, str(p)) for p in spec["branches"]):
        return False
    if any(fnmatchcase(base, str(p)) for p in spec.get("branches-ignore") or ()):
        return False
    return not spec.get("types") or DEFAULT_TYPES <= set(spec["types"])


def pull_request_context(inputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "github": dict(PULL_REQUEST_GITHUB),
        "inputs": dict(inputs or {}),
        "vars": UNKNOWN,
        "secrets": UNKNOWN,
        "env": UNKNOWN,
        "needs": UNKNOWN,
        "matrix": UNKNOWN,
        "steps": UNKNOWN,
    }


def _job_checks(job_id: str, job: Mapping[str, Any], platform_workflows: Path) -> list[str]:
    context = pull_request_context()
    name = _evaluated(
        lambda: "" if "if" in job and not condition(job["if"], context) else _name(job.get("name"), job_id, context)
    )
    uses = str(job.get("uses") or "")
    if not name or not uses:
        return [name] if name else []
    callee = _load(platform_workflows / Path(uses.split("@")[0]).name)
    inner_context = pull_request_context(_inputs(callee, job.get("with") or {}, context))
    inner = [
        _evaluated(partial(_name, (j or {}).get("name"), str(jid), inner_context))
        for jid, j in (callee.get("jobs") or {}).items()
    ]
    return [f"{name} / {i}" for i in inner if i] or ([] if inner else [name])


def _evaluated(compute: Callable[[], str]) -> str:
    """A name, or '' when it depends on what differs between pull requests (not requirable)."""
    try:
        return compute()
    except (Unresolved, ExpressionError):
        return ""


def _inputs(callee: Mapping[str, Any], given: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    declared = ((_triggers(callee).get("workflow_call") or {}).get("inputs")) or {}
    values = {str(k): (v or {}).get("default") for k, v in declared.items()}
    for key, value in given.items():
        try:
            values[str(key)] = interpolate(value, context)
        except (Unresolved, ExpressionError):
            values[str(key)] = UNKNOWN  # only a name that reads it is unknown
    return values


def _name(name: object, fallback: str, context: Mapping[str, Any]) -> str:
    return to_text(interpolate(name, context)) if name else fallback


def _triggers(workflow: Mapping[str, Any]) -> dict[str, Any]:
    keys: Mapping[Any, Any] = workflow
    on = keys.get("on", keys.get(True))  # YAML 1.1 reads a bare `on` key as True
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(t): None for t in on}
    return dict(on or {})


def _load(path: Path) -> dict:
    try:
        data = yamlio.load_file(path)
    except (OSError, yamlio.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}
