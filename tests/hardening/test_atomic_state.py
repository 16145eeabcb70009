"""Objects plat makes appear whole or not at all, half-made ones are recognised, and a finished
`plat new service` run again writes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from platform_cli import git, templates
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.errors import ForgeError, UsageError
from platform_cli.forge.local import LocalForge
from platform_cli.journal import journal_path
from platform_cli.rendering import publish


def make(settings, tmp_path: Path, name: str = "payments"):
    req = NewRequest(name=name, template="mini", owner="team-a", yes=True, directory=tmp_path / "work" / name)
    return new_service(req, settings, LocalForge(settings.home / "forge"), cwd=tmp_path)


def tree(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every path under `root` with its mtime and content (a folder: b'')."""
    out = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        out[str(path.relative_to(root))] = (stat.st_mtime_ns, path.read_bytes() if path.is_file() else b"")
    return out


def test_a_repo_half_made_by_an_interrupted_init_is_made_again(tmp_path):
    forge = LocalForge(tmp_path / "forge")
    half = tmp_path / "forge" / "acme" / "svc.git"
    git.init(half, bare=True)
    (half / "HEAD").unlink()  # where `git init --bare` was when it was killed
    assert not forge.repo_exists("acme", "svc")
    forge.create_repo("acme", "svc")
    assert forge.repo_exists("acme", "svc")


def test_something_else_in_a_repos_place_is_refused_not_removed(tmp_path):
    forge = LocalForge(tmp_path / "forge")
    other = tmp_path / "forge" / "acme" / "svc.git"
    other.mkdir(parents=True)
    (other / "notes.txt").write_text("mine\n")
    with pytest.raises(ForgeError, match="in the way"):
        forge.create_repo("acme", "svc")
    assert (other / "notes.txt").is_file()


def test_a_killed_runs_repo_in_the_making_is_swept_and_never_in_place(tmp_path):
    forge = LocalForge(tmp_path / "forge")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = tmp_path / "forge" / ".incoming" / f"{dead.stdout.strip()}-abc"
    git.init(leftover, bare=True)
    forge.create_repo("acme", "svc")
    assert not leftover.exists() and list((tmp_path / "forge" / ".incoming").iterdir()) == []
    forge.delete_repo("acme", "svc")
    assert not (tmp_path / "forge" / "acme" / "svc.git").exists()


def test_pull_head_ref_follows_the_branch_and_is_pinned_once_merged(tmp_path):
    forge = LocalForge(tmp_path / "forge")
    forge.create_repo("acme", "gitops")
    forge.commit_files("acme", "gitops", "main", None, {"a": "1\n"}, "first")
    forge.commit_files("acme", "gitops", "topic", "main", {"b": "1\n"}, "topic")
    pr = forge.open_pull_request("acme", "gitops", "topic", "main", "t", "")
    bare = Path(forge.repo_url("acme", "gitops"))
    moved = forge.commit_files("acme", "gitops", "topic", "topic", {"b": "2\n"}, "review fix")
    assert git.rev_parse(bare, f"refs/pull/{pr.id}/head") == moved
    assert git.remote_refs(str(bare))[f"refs/pull/{pr.id}/head"] == moved  # as a fetch sees it
    forge.merge_pull_request("acme", "gitops", pr.id)
    forge.commit_files("acme", "gitops", "topic", "topic", {"b": "3\n"}, "after the merge")
    assert git.rev_parse(bare, f"refs/pull/{pr.id}/head") == moved


def test_a_half_made_template_store_and_a_killed_gits_index_lock_are_recovered(mini_platform, tmp_path):
    template = templates.load(mini_platform, "mini")
    store = tmp_path / "home" / "templates"
    (store / "mini" / ".git").mkdir(parents=True)  # killed inside `git init`: no HEAD
    first = publish.template_release(template, store)
    (store / "mini" / ".git" / "index.lock").write_text("")  # a git killed mid-commit
    readme = mini_platform / "templates" / "mini" / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "more\n")
    second = publish.template_release(template, store)
    assert second.sha != first.sha and second.tag.startswith("v0.1.0+dev.")
    assert (tmp_path / "home" / "locks" / "template-mini.lock").is_file()


@pytest.mark.parametrize("left", ["HEAD only", "no HEAD"])
def test_release_repos_half_made_by_a_killed_git_init_are_made_again(mini_platform, tmp_path, left):
    forge, cache = LocalForge(tmp_path / "forge"), tmp_path / "home" / "cache"
    store = tmp_path / "home" / "templates"
    for half in (cache / "platform-acme-platform.git", store / "mini" / ".git"):
        half.mkdir(parents=True)
        (half / ("HEAD" if left == "HEAD only" else "config")).write_text("ref: refs/heads/main\n")
    release = publish.platform_release(forge, "acme", "platform", mini_platform, "0.1.0", cache)
    assert release.tag == "v0.1.0"
    assert publish.template_release(templates.load(mini_platform, "mini"), store).tag == "v0.1.0"
    assert not list(cache.glob(".new-*")) and not list(store.glob(".new-*"))


def test_a_finished_run_run_again_writes_nothing(settings, tmp_path):
    first = make(settings, tmp_path)
    before_home, before_work = tree(settings.home), tree(tmp_path / "work")
    again = make(settings, tmp_path)
    assert tree(settings.home) == before_home and tree(tmp_path / "work") == before_work
    assert again.commit == first.commit and again.pull_request == first.pull_request
    assert "pull_request" in again.resumed_steps


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare for a read-only bind mount")
def test_a_finished_run_run_again_works_on_a_read_only_home(settings, tmp_path):
    make(settings, tmp_path)
    env = {**os.environ, "PLAT_HOME": str(settings.home), "PLAT_TEMPLATE_SOURCE": str(settings.template_source)}
    env["PLAT_ORG"] = "acme"
    plat = [sys.executable, "-m", "platform_cli", "new", "service", "payments", "--type", "mini"]
    plat += ["--owner", "team-a", "--yes", "--dir", str(tmp_path / "work" / "payments")]
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("user namespaces are not available here")
    script = 'mount --bind -o ro "$PLAT_HOME" "$PLAT_HOME" && exec "$@"'
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", *plat], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "Already created payments" in proc.stdout


def test_a_finished_run_whose_clone_was_deleted_does_not_say_created(settings, tmp_path):
    make(settings, tmp_path)
    journal = journal_path(settings, "payments")
    stamp = journal.stat().st_mtime_ns
    shutil.rmtree(tmp_path / "work" / "payments")
    with pytest.raises(UsageError, match="working clone .* is gone") as info:
        make(settings, tmp_path)
    assert info.value.hint.startswith("clone it again: git clone file://")
    assert journal.stat().st_mtime_ns == stamp
