"""The actions the rehearsal performs for real, each as the action itself does it.

- actions/checkout: a git clone of the repository (the run's own by default, at the event's
  commit) into `path` under the workspace; the forge answers for https://github.com (see
  `sandbox_gitconfig`), so the remote URL is the one the real action sets.
- azure/setup-helm, hashicorp/setup-terraform: put the requested release on PATH. The sandbox has
  one release of each (the one the suite tests with); another version requested is a failure,
  never a silent substitution.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Dict

from .runner import Handler, Job, StepFailed


def git(args, cwd: Path, env: Mapping[str, str]) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise StepFailed(f"git {' '.join(args)}: {proc.stderr.strip()[-2000:]}")
    return proc.stdout


def checkout(job: Job, step: Mapping[str, Any], with_: Mapping[str, Any]) -> dict[str, str]:
    """As actions/checkout v4: the event's commit of the run's repository (a branch ref checks out
    as that local branch, anything else detached), or another repository's default branch."""
    if with_.get("persist-credentials", True) not in (False, "false"):
        raise StepFailed("checkout without persist-credentials: false would leave the token in .git/config")
    github = job.context["github"]
    repository = str(with_.get("repository") or github["repository"])
    own = repository.lower() == github["repository"].lower()
    ref = str(with_.get("ref") or (github["ref"] if own else ""))
    dest = _checkout_path(job, with_.get("path"))
    env = job.base_env
    git(["init", "-q", "."], dest, env)
    git(["remote", "add", "origin", f"https://github.com/{repository}"], dest, env)
    depth = int(with_.get("fetch-depth", 1) or 0)
    shallow = [f"--depth={depth}"] if depth else []
    if not depth:
        git(["fetch", "-q", "origin", "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"], dest, env)
    if not ref:
        ref = "refs/heads/" + git(["ls-remote", "--symref", "origin", "HEAD"], dest, env).split()[1].split("/")[-1]
    git(["fetch", "-q", "--no-tags", *shallow, "origin", ref], dest, env)
    if ref.startswith("refs/heads/"):
        git(["checkout", "-q", "--force", "-B", ref.removeprefix("refs/heads/"), "FETCH_HEAD"], dest, env)
    else:
        git(["checkout", "-q", "--force", "--detach", "FETCH_HEAD"], dest, env)
    if own and github["event_name"] != "pull_request":
        head = git(["rev-parse", "HEAD"], dest, env).strip()
        assert head == github["sha"], f"checkout of {ref} is {head}, the event's commit is {github['sha']}"
    return {"ref": ref, "commit": git(["rev-parse", "HEAD"], dest, env).strip()}


def _checkout_path(job: Job, path: Any) -> Path:
    dest = (job.workspace / str(path or ".")).resolve()
    if job.workspace.resolve() not in (dest, *dest.parents):
        raise StepFailed(f"checkout path {path!r} is outside the workspace")
    if dest != job.workspace.resolve() and dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def tool_installer(name: str, input_name: str, version_args: list, binary: Path) -> Handler:
    """A setup-<tool> action: the one release the sandbox has, on PATH, when it is the one asked for."""

    def install(job: Job, step: Mapping[str, Any], with_: Mapping[str, Any]) -> dict[str, str]:
        wanted = str(with_.get(input_name) or "").lstrip("v")
        said = subprocess.run(
            [str(binary), *version_args], capture_output=True, text=True, timeout=60, env=job.base_env
        ).stdout
        if not wanted or wanted not in said:
            raise StepFailed(f"{name} {wanted or '(no version)'} requested; the sandbox has {said.strip()[:80]}")
        if str(with_.get("terraform_wrapper", "false")).lower() == "true":
            raise StepFailed("the terraform wrapper is not rehearsed: set terraform_wrapper: false")
        folder = job.temp / "tools" / name
        folder.mkdir(parents=True, exist_ok=True)
        link = folder / binary.name
        if not link.exists():
            link.symlink_to(binary)
        job.path.insert(0, str(folder))
        return {}

    return install


def handlers(helm: Path, terraform: Path) -> dict[str, Handler]:
    return {
        "actions/checkout": checkout,
        "azure/setup-helm": tool_installer("helm", "version", ["version", "--short"], helm),
        "hashicorp/setup-terraform": tool_installer("terraform", "terraform_version", ["version"], terraform),
    }
