"""The dashboard workflow's rehearsal: a platform release on the local forge, and a repository of
the platform team (`platform-health`) whose scheduled workflow calls `dashboard.yml` at that
release's sha with saved documents (tests/dashboard/fixtures) committed beside it."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from platform_cli.forge.local import LocalForge
from platform_cli.rendering import publish
from tests.conftest import REPO_ROOT, hermetic_session_env
from tests.dashboard.documents import FIXTURES

from .conftest import ORG, Service, make_world
from .pages import upload_pages_artifact
from .rehearsal import Event, Run, rehearse

REPO = "platform-health"
CALLER = """\
name: platform health
on:
  schedule:
    - cron: "17 6 * * 1-5"
  workflow_dispatch:
permissions: {{}}
jobs:
  dashboard:
    uses: {org}/platform/.github/workflows/dashboard.yml@{sha} # v{version}
    permissions:
      contents: read
      pages: write
      id-token: write
    with:
      platform-repository: {org}/platform
      platform-ref: {sha}
      documents: documents
"""


@dataclass(frozen=True)
class DashboardRun:
    run: Run
    artifacts: Path  # the run's uploaded artifacts: <name>.tar
    caller: Path


def _git(args, cwd: Path, env=None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout.strip()


def make_health_repo(root: Path) -> tuple[Path, Path, str]:
    """The platform release and the platform team's repo on a local forge: (forge, checkout, release sha)."""
    forge_dir = root / "plathome" / "forge"
    forge = LocalForge(forge_dir)
    version = (REPO_ROOT / "templates" / "VERSION").read_text().strip()
    with hermetic_session_env(root):
        release = publish.platform_release(forge, ORG, "platform", REPO_ROOT, version, root / "cache")
        forge.create_repo(ORG, REPO, "platform health dashboard")
        work = root / REPO
        forge.clone(ORG, REPO, work)
        (work / ".github" / "workflows").mkdir(parents=True)
        caller = work / ".github" / "workflows" / "health.yml"
        caller.write_text(CALLER.format(org=ORG, sha=release.sha, version=version))
        shutil.copytree(FIXTURES, work / "documents")
        (work / "documents" / "campaign.json").rename(work / "documents" / "campaign-1.json")
        _git(["add", "-A"], work)
        _git(["commit", "-qm", "the dashboard's caller and saved documents"], work)
        forge.push(work, ORG, REPO, ["HEAD:refs/heads/main"])
    return forge_dir, work, release.sha


def rehearse_dashboard(root: Path, prometheus: str) -> DashboardRun:
    forge_dir, work, _ = make_health_repo(root)
    world = make_world(Service(REPO, "", work, forge_dir, root), root / "runs", prometheus, root / "caches")
    artifacts = root / "artifacts"
    world = dataclasses.replace(
        world, handlers={**world.handlers, "actions/upload-pages-artifact": upload_pages_artifact(artifacts)}
    )
    sha = _git(["rev-parse", "HEAD"], work)
    run = rehearse(world, Event("schedule", sha, "refs/heads/main"), work / ".github" / "workflows" / "health.yml")
    assert run is not None, "the scheduled event does not start the caller"
    return DashboardRun(run, artifacts, work / ".github" / "workflows" / "health.yml")


@pytest.fixture(scope="session")
def dashboard_rehearsed(tmp_path_factory, prometheus) -> DashboardRun:
    """The scheduled dashboard workflow, rehearsed once (read-only!)."""
    return rehearse_dashboard(tmp_path_factory.mktemp("rehearsal-dashboard"), prometheus)
