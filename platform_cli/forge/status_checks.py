"""The status checks a service's `main` should require: the jobs its golden-path workflows run on
pull requests, named as GitHub names them (`caller / called` for reusable workflows)."""

from __future__ import annotations

from pathlib import Path

from platform_cli import yamlio


def required_checks(repo: Path, platform_workflows: Path) -> tuple[str, ...]:
    checks: list[str] = []
    for path in sorted((repo / ".github" / "workflows").glob("*.y*ml")):
        workflow = _load(path)
        if "pull_request" not in _triggers(workflow):
            continue
        for job_id, job in (workflow.get("jobs") or {}).items():
            checks += _job_checks(job_id, job or {}, platform_workflows)
    return tuple(dict.fromkeys(checks))


def _job_checks(job_id: str, job: dict, platform_workflows: Path) -> list[str]:
    name = _plain(job.get("name"), job_id)
    uses = str(job.get("uses") or "")
    if not uses:
        return [name]
    callee = _load(platform_workflows / Path(uses.split("@")[0]).name)
    inner = [_plain((j or {}).get("name"), jid) for jid, j in (callee.get("jobs") or {}).items()]
    return [f"{name} / {i}" for i in inner] or [name]


def _triggers(workflow: dict) -> set[str]:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True
    if isinstance(on, str):
        return {on}
    return set(on or ())


def _plain(name: object, fallback: str) -> str:
    return fallback if not name or "${{" in str(name) else str(name)


def _load(path: Path) -> dict:
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except (OSError, yamlio.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}
