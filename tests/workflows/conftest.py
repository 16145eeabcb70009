"""Fixtures for the workflow rehearsal: a service made by `plat new service`, its local forge (which
holds the platform release the service pins), the sandbox, and a Prometheus double for the SLO gate."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from platform_cli.forge.local import LocalForge
from tests import terraform_offline
from tests.conftest import REAL_TEMPLATES, hermetic_session_env, plat_new
from tests.templates import tools

from . import actions
from .rehearsal import Event, Run, World, rehearse, sandbox_env
from .stubs import STUBS

ORG = "acme"


@dataclass(frozen=True)
class Service:
    name: str
    template: str
    repo: Path  # the working copy plat made
    forge: Path
    root: Path


class _Budget(BaseHTTPRequestHandler):
    """Answers every instant query with one sample: half the error budget left, burning slowly
    (`value` on the server: -0.25 for a spent budget)."""

    def do_GET(self):  # noqa: N802 - http.server's name
        value = str(getattr(self.server, "value", "0.5"))
        body = json.dumps(
            {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [0, value]}]}}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def prometheus_double(value: str) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Budget)
    server.value = value  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def prometheus() -> Iterator[str]:
    with prometheus_double("0.5") as url:
        yield url


# Answers per rehearsed template beyond the defaults: one service uses every Terraform module, so the
# rehearsal's `terraform init` fetches them from the platform release on the forge.
OPTIONS = {"http-api": {"with_database": True, "with_bucket": True, "with_function": True}}


def make_service(root: Path, template: str, name: str) -> Service:
    """`plat new service --yes`, then merge its GitOps registration (as the platform team does)."""
    with hermetic_session_env(root):
        answers = {"service_name": name, "owner": "team-a", **OPTIONS.get(template, {})}
        repo = plat_new(root, template, answers, root / name)
        forge = LocalForge(root / "plathome" / "forge")
        for pr in forge.list_pull_requests(ORG, "gitops", state="open"):
            forge.merge_pull_request(ORG, "gitops", pr.id)
    return Service(name, template, repo, root / "plathome" / "forge", root)


def git(args, cwd: Path, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def pull_request(service: Service, env: dict[str, str], number: int, files: dict[str, str]) -> Event:
    """A pull request to main changing `files`, pushed as GitHub exposes it (refs/pull/N/merge)."""
    work = service.root / f"pr-{number}"
    if work.exists():
        shutil.rmtree(work)
    git(["clone", "-q", str(service.forge / ORG / f"{service.name}.git"), str(work)], service.root, env)
    for rel, text in files.items():
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(path.read_text() + text if path.exists() else text)
    author = {
        **env,
        "GIT_AUTHOR_NAME": "dev",
        "GIT_AUTHOR_EMAIL": "dev@example.test",
        "GIT_COMMITTER_NAME": "dev",
        "GIT_COMMITTER_EMAIL": "dev@example.test",
    }
    git(["add", "-A"], work, author)
    git(["commit", "-q", "-m", f"change {', '.join(files)}"], work, author)
    git(["push", "-q", "origin", f"HEAD:refs/pull/{number}/merge", f"HEAD:refs/heads/change-{number}"], work, env)
    return Event(
        "pull_request",
        git(["rev-parse", "HEAD"], work, env),
        f"refs/pull/{number}/merge",
        base_ref="main",
        head_ref=f"change-{number}",
        changed=tuple(files),
    )


def main_event(service: Service, env: dict[str, str], name: str) -> Event:
    """A push to main (the first commit: every file changed) or a scheduled run on main."""
    bare = service.forge / ORG / f"{service.name}.git"
    sha = git(["--git-dir", str(bare), "rev-parse", "refs/heads/main"], service.root, env)
    files = git(["--git-dir", str(bare), "ls-tree", "-r", "--name-only", sha], service.root, env).splitlines()
    return Event(name, sha, "refs/heads/main", changed=tuple(files) if name == "push" else ())


def make_world(service: Service, run_root: Path, prometheus: str, caches: Path) -> World:
    """`caches` is shared by the session's rehearsals: pip's wheel cache (the release built once per
    sha) and terraform's plugin cache."""
    env = sandbox_env(run_root, service.forge)
    env["PIP_CACHE_DIR"] = str(caches / "pip")
    # terraform: the machine's binary, providers from its filesystem mirror (never the registry)
    env = terraform_offline.offline_env(caches / "terraform", base=env)
    terraform = terraform_offline.locate().terraform
    return World(
        forge=service.forge,
        org=ORG,
        repo=service.name,
        root=run_root,
        env=env,
        handlers=actions.handlers(helm=Path(tools.find("helm")), terraform=Path(terraform)),
        stubs=STUBS,
        vars={
            "PROMETHEUS_URL": prometheus,
            "DEPLOY_EXCEPTION_LABELS": "",
            "AWS_TERRAFORM_ROLE_ARN_STAGING": "arn:aws:iam::111111111111:role/terraform-staging",
            "AWS_TERRAFORM_ROLE_ARN_PRODUCTION": "arn:aws:iam::111111111111:role/terraform-production",
        },
        secrets={
            "GITOPS_TOKEN": "rehearsal-gitops-token",
            "GITHUB_TOKEN": "rehearsal-github-token",
            "PLATFORM_READ_TOKEN": "rehearsal-platform-token",
        },
    )


def rehearse_all(service: Service, run_root: Path, prometheus: str, caches: Path) -> dict[str, list[Run]]:
    """Every caller workflow of the service, for each event: a pull request touching only app/, one
    touching terraform/, the push of main (every file changed) and the scheduled runs."""
    world = make_world(service, run_root, prometheus, caches)
    events = {
        "pull_request app": pull_request(service, world.env, 1, {"app/NOTES.txt": "a change to the app only\n"}),
        "pull_request terraform": pull_request(service, world.env, 2, {"terraform/NOTES.md": "a note\n"}),
        "push": main_event(service, world.env, "push"),
        "schedule": main_event(service, world.env, "schedule"),
    }
    callers = sorted((service.repo / ".github" / "workflows").glob("*.yml"))
    out: dict[str, list[Run]] = {}
    for label, event in events.items():
        runs = [rehearse(world, event, caller) for caller in callers]
        out[label] = [r for r in runs if r is not None]
    return out


@pytest.fixture(scope="session")
def rehearsed(tmp_path_factory, prometheus) -> dict[str, tuple[Service, dict[str, list[Run]]]]:
    """One fresh service per golden-path template, rehearsed for every event (read-only!)."""
    out = {}
    caches = tmp_path_factory.mktemp("rehearsal-caches")
    for template in REAL_TEMPLATES:
        root = tmp_path_factory.mktemp(f"rehearsal-{template}")
        service = make_service(root, template, f"demo-{template}")
        out[template] = (service, rehearse_all(service, root / "runs", prometheus, caches))
    return out
