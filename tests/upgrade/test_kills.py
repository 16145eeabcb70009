"""A `plat upgrade` killed at deterministic points (KILL, TERM, INT; the process or its group)
converges on one re-run, leaving no worktree registered in the service repo and no temporary
folder behind. The kill points are git commands (see kill_child.py): no sleeps, no timing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from platform_cli import git
from platform_cli.forge.local import LocalForge
from platform_cli.upgrade.baseline import BASELINE_BRANCH
from tests.upgrade_helpers import at_version, edit, make_service

CHILD = Path(__file__).with_name("kill_child.py")
BRANCH2 = "plat/upgrade-0.2.0"


def plat(settings, repo: Path, kill: str | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PLAT_HOME": str(settings.home),
        "PLAT_TEMPLATE_SOURCE": str(settings.template_source),
        "PLAT_ORG": "acme",
    }
    env.pop("PLAT_TEST_KILL", None)
    if kill:
        env["PLAT_TEST_KILL"] = kill
    return subprocess.run(
        [sys.executable, str(CHILD), "upgrade", str(repo), "--yes"],
        env=env,
        capture_output=True,
        text=True,
        start_new_session=True,  # its own process group: a group kill stays inside it
        timeout=300,
    )


def leftovers(settings, repo: Path) -> list[str]:
    """What a finished run must not leave: worktrees, per-worktree refs, plat's temporary folders."""
    out = [f"worktree {w}" for w in git.worktrees(repo)[1:]]
    out += [f"admin {p.name}" for p in (repo / ".git" / "worktrees").glob("*")]
    out += [str(p) for p in (settings.home / "tmp").rglob("plat-*")]
    return out


@pytest.mark.parametrize(
    "kill",
    [
        "worktree add:1:KILL:group",  # the baseline worktree just made
        "commit:1:TERM:group",  # the new render committed in it
        "merge:1:INT:process",  # the merge into the upgrade branch done, not committed as the branch
        "fetch:1:KILL:process",  # both branches pushed, no pull request yet
    ],
)
def test_a_killed_upgrade_converges_on_one_rerun_with_no_leftovers(settings, tmp_path, kill):
    v1 = at_version(settings, tmp_path, "0.1.0")
    repo = make_service(v1, tmp_path)
    edit(repo, "chart/values-extra.yaml", "z: 1\n")
    v2 = at_version(v1, tmp_path, "0.2.0")

    killed = plat(v2, repo, kill)
    assert killed.returncode != 0, killed.stdout + killed.stderr
    rerun = plat(v2, repo)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr

    assert leftovers(v2, repo) == []
    assert git.current_branch(repo) == "main" and git.is_clean(repo)
    forge = LocalForge(v2.home / "forge")
    for branch in (BASELINE_BRANCH, BRANCH2):
        assert forge.branch_sha("acme", "payments", branch) == git.rev_parse(repo, branch)
    assert [p.head for p in forge.list_pull_requests("acme", "payments", "open")] == [BRANCH2]


def test_a_worktree_add_killed_midway_is_pruned_once_its_folder_is_gone(tmp_path):
    """`git worktree add` locks its entry ("initializing") until it finishes; killed, the lock stays
    and `git worktree prune` alone would keep the entry forever (found by bench/kills_upgrade.py)."""
    repo = tmp_path / "repo"
    git.init(repo)
    git.commit(repo, "first")
    wt = tmp_path / "scratch" / "wt"
    git.worktree_add(repo, wt, "HEAD")
    entry = repo / ".git" / "worktrees" / "wt"
    (entry / "locked").write_text("initializing")  # as a killed `git worktree add` leaves it
    shutil.rmtree(tmp_path / "scratch")  # the killed run's scratch folder, swept
    git.worktree_prune(repo)
    assert not entry.exists() and git.worktrees(repo) == (repo,)
