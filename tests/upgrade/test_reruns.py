"""Re-runs, dry runs, refusals and locks of `plat upgrade` (issue #14): each test failed before its fix."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from platform_cli import git, locks
from platform_cli.commands.adopt import AdoptRequest, adopt
from platform_cli.commands.upgrade import UpgradeRequest, upgrade
from platform_cli.forge.local import LocalForge
from platform_cli.upgrade.baseline import BASELINE_BRANCH, UpgradeError
from tests.upgrade_helpers import edit, repo, show, v1, v2  # noqa: F401

BRANCH2 = "plat/upgrade-0.2.0"


def forge_for(settings) -> LocalForge:
    return LocalForge(settings.home / "forge")


def run_upgrade(settings, repo: Path, progress=None, **kw):
    return upgrade(
        UpgradeRequest(path=repo, **kw), settings, forge_for(settings), progress=progress or (lambda _: None)
    )


def git_commands(into: list[tuple[str, ...]]):
    return git.observe(lambda args, cwd, code, secs: into.append(args))


def test_a_rerun_with_nothing_changed_makes_the_same_commits_and_pushes_nothing(v2, repo, monkeypatch):
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2030-01-01T00:00:00Z")  # the clock moves between the runs
    first = run_upgrade(v2, repo)
    forge_repo = forge_for(v2)._path("acme", "payments")
    before = {b: git.resolve(forge_repo, f"refs/heads/{b}") for b in (BASELINE_BRANCH, BRANCH2)}
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2030-06-01T00:00:00Z")
    seen: list[tuple[str, ...]] = []
    stop = git_commands(seen)
    try:
        second = run_upgrade(v2, repo)
    finally:
        stop()
    assert second.commit == first.commit and second.pull_request.id == first.pull_request.id
    assert {b: git.resolve(forge_repo, f"refs/heads/{b}") for b in before} == before
    assert not [a for a in seen if "fetch" in a or "push" in a], "nothing to push: nothing pushed"


def test_conflict_markers_name_the_template_version_not_a_sha(v2, repo):
    edit(repo, "chart/values-extra.yaml", "a: 1\nb: 2\nc: 33\nd: 4\ne: 5\n", append=False)
    run_upgrade(v2, repo)
    marker = next(
        line for line in show(repo, BRANCH2, "chart/values-extra.yaml").splitlines() if line.startswith(">>>")
    )
    assert "v0.2.0" in marker and not re.search(r"\b[0-9a-f]{40}\b", marker), marker


def test_the_pull_request_names_team_owned_files_the_template_changed_but_it_left_alone(v2, repo):
    result = run_upgrade(v2, repo)
    assert result.team_changes == ("app/main.py",)  # mini v0.2.0 changes app/main.py.jinja (team-owned)
    assert "not applied" in result.pull_request.body and "`app/main.py`" in result.pull_request.body
    assert "DEBUG = False" not in show(repo, BRANCH2, "app/main.py")


def test_check_mentions_an_open_upgrade_pull_request(v2, repo):
    assert run_upgrade(v2, repo, check=True).open_pull_request is None
    opened = run_upgrade(v2, repo).pull_request
    checked = run_upgrade(v2, repo, check=True)
    assert checked.status == "available" and checked.open_pull_request.id == opened.id
    assert checked.to_json()["open_pull_request"]["head"] == BRANCH2


def snapshot(*roots: Path) -> dict[str, str]:
    """Every file under `roots` (but PLAT_HOME's scratch folder) with a digest of its content."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for root in roots
        for p in sorted(root.rglob("*"))
        if p.is_file() and "tmp" not in p.relative_to(root).parts[:1]
    }


def test_dry_run_writes_nothing_anywhere(v2, repo):
    before = snapshot(repo, v2.home)
    planned = run_upgrade(v2, repo, dry_run=True)
    assert planned.status == "planned" and planned.files
    assert snapshot(repo, v2.home) == before
    done = run_upgrade(v2, repo)  # and it planned what a real run does
    assert {f.path for f in done.files} == {f.path for f in planned.files}
    assert show(repo, BRANCH2, ".copier-answers.yml") and str(v2.home / "templates") in show(
        repo, BRANCH2, ".copier-answers.yml"
    )


def test_dry_run_of_a_fresh_clone_creates_no_branch(v2, repo, tmp_path):
    clone = tmp_path / "clone"
    git.clone(str(repo), clone)
    run_upgrade(v2, clone, dry_run=True)
    assert not git.ref_exists(clone, f"refs/heads/{BASELINE_BRANCH}")


def test_the_committed_line_is_not_printed_in_a_dry_run_nor_in_a_refused_run(v2, repo):
    said: list[str] = []
    run_upgrade(v2, repo, progress=said.append, dry_run=True)
    (repo / ".github/workflows/security.yml").write_text("mine\n")  # untracked, and the upgrade adds it
    with pytest.raises(UpgradeError, match="untracked files would be overwritten"):
        run_upgrade(v2, repo, progress=said.append)
    assert said and not [s for s in said if "committed" in s], said
    (repo / ".github/workflows/security.yml").unlink()
    run_upgrade(v2, repo, progress=said.append)
    assert [s for s in said if "committed on top of" in s]


def test_a_second_upgrade_of_the_same_service_is_refused_naming_the_first(v2, repo):
    with locks.hold(locks.service_lock(v2.home, "payments"), "service payments", wait=False):
        with pytest.raises(locks.LockBusy, match=r"service payments is in use by pid \d+"):
            run_upgrade(v2, repo)
        assert run_upgrade(v2, repo, dry_run=True).status == "planned"  # a plan takes no lock
    assert not git.ref_exists(repo, f"refs/heads/{BRANCH2}")


def test_adopt_takes_the_service_lock(v1, tmp_path):
    legacy = tmp_path / "legacy-api"
    legacy.mkdir()
    git.init(legacy)
    (legacy / "README.md").write_text("legacy\n")
    git.commit_all(legacy, "legacy")
    with locks.hold(locks.service_lock(v1.home, "legacy-api"), "service legacy-api", wait=False):
        with pytest.raises(locks.LockBusy):
            adopt(AdoptRequest(path=legacy, template="mini", owner="team-a", yes=True), v1, forge_for(v1))
    assert not git.ref_exists(legacy, f"refs/heads/{BASELINE_BRANCH}")


def test_a_stat_cache_lock_a_killed_run_left_in_the_template_store_does_not_stop_the_next(v2, repo):
    store = v2.home / "templates" / "mini" / ".git"
    (store / "plat-source.index.lock").write_text("")  # git was killed while refreshing the release digest
    assert run_upgrade(v2, repo).status == "upgraded"
