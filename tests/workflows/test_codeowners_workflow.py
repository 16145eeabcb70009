"""The rehearsal of the GitOps repo's CODEOWNERS workflow: the caller plat seeds at bootstrap, started by a
push to main that merged a registration, runs `workflows/codeowners.yml` of the platform release on the
local forge step by step (plat installed from that release), and CODEOWNERS on main then gives the
registered service's paths to its team; a push that changes no tenancy record starts nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from platform_cli import git
from platform_cli.forge.local import LocalForge
from platform_cli.gitops import codeowners, codeowners_workflow, registration
from platform_cli.rendering import publish
from tests.conftest import REPO_ROOT, hermetic_session_env

from .conftest import ORG, Service, make_world
from .rehearsal import Event, rehearse
from .runner import step_label

WORKFLOW = REPO_ROOT / "workflows" / "codeowners.yml"


def _world(root: Path, prometheus: str):
    home = root / "plathome"
    forge = LocalForge(home / "forge")
    version = (REPO_ROOT / "templates" / "VERSION").read_text().strip()
    with hermetic_session_env(root / "env"):
        release = publish.platform_release(forge, ORG, "platform", REPO_ROOT, version, root / "cache")
        pin = codeowners_workflow.Pin(ORG, "platform", release.sha, version, "platform")
        forge.create_repo(ORG, "gitops")
        registration.bootstrap(forge, ORG, "gitops", "platform", pin)
        reg = registration.Registration(
            "alpha", ORG, "team-a", "alpha", forge.repo_url(ORG, "alpha"), ("staging", "production"), pin=pin
        )
        pr = registration.propose(forge, ORG, "gitops", reg)
        forge.merge_pull_request(ORG, "gitops", pr.id)  # merged on the forge: nothing regenerated yet
        work = root / "gitops"
        forge.clone(ORG, "gitops", work)
    # The rehearsal has no GitHub: the caller plat seeded, told to use the local forge.
    caller = work / codeowners_workflow.PATH
    text = caller.read_text()
    assert text == codeowners_workflow.caller(pin)
    caller.write_text(
        text.replace('      platform-team: "platform"\n', '      platform-team: "platform"\n      forge: local\n')
    )
    world = make_world(Service("gitops", "", work, home / "forge", root), root / "runs", prometheus, root / "caches")
    world = dataclasses.replace(world, env={**world.env, "PLAT_HOME": str(home)})
    return world, forge, caller, git.rev_parse(work, "HEAD")


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory, prometheus):
    world, forge, caller, sha = _world(tmp_path_factory.mktemp("codeowners-rehearsal"), prometheus)
    quiet = rehearse(world, Event("push", sha, "refs/heads/main", changed=("apps/alpha/staging.yaml",)), caller)
    run = rehearse(world, Event("push", sha, "refs/heads/main", changed=("tenancy/services/alpha.yaml",)), caller)
    return run, quiet, forge


def test_a_merged_registration_gives_its_paths_to_the_team(rehearsed):
    run, _, forge = rehearsed
    assert run is not None and not run.failed, run.failures() if run else "the push did not start the caller"
    ran = {(r.workflow, r.step) for r in run.steps if r.outcome == "success"}
    expected = {
        ("codeowners.yml", step_label(s)) for s in yaml.safe_load(WORKFLOW.read_text())["jobs"]["codeowners"]["steps"]
    }
    assert expected <= ran, expected - ran
    gitops = Path(forge.repo_url(ORG, "gitops"))
    text = git.show(gitops, "refs/heads/main", codeowners.PATH) or ""
    assert "/apps/alpha/ @acme/team-a" in text and "* @acme/platform" in text
    assert "up to date" not in run.summary("codeowners / regenerate CODEOWNERS")
    assert git.message(gitops, "refs/heads/main").startswith("Regenerate CODEOWNERS")


def test_a_push_that_changes_no_tenancy_record_starts_nothing(rehearsed):
    assert rehearsed[1] is None


def test_the_caller_passes_the_scanners_the_platform_workflows_pass(tmp_path):
    from tests.templates import tools

    pin = codeowners_workflow.Pin(ORG, "platform", "a" * 40, "1.2.3", "platform")
    path = tmp_path / ".github" / "workflows" / "codeowners.yml"
    path.parent.mkdir(parents=True)
    path.write_text(codeowners_workflow.caller(pin))
    lint = tools.run("actionlint", [str(path)])
    assert lint.returncode == 0, lint.stdout
    zizmor = tools.run("zizmor", ["--offline", "--no-progress", str(path)])
    assert zizmor.returncode == 0 and "No findings to report" in zizmor.stdout, zizmor.stdout
    tools.run("check-jsonschema", ["--builtin-schema", "vendor.github-workflows", str(path)], check=True)
    data = yaml.safe_load(path.read_text())
    assert data["permissions"] == {} and data["jobs"]["codeowners"]["permissions"] == {}
    assert data["jobs"]["codeowners"]["uses"] == f"{ORG}/platform/.github/workflows/codeowners.yml@{'a' * 40}"
    assert "# v1.2.3" in path.read_text()
