"""Rollback removes only what the run created and nobody changed since; it refuses, naming the loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_cli import git
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.commands.rollback import rollback_service
from platform_cli.errors import UsageError
from platform_cli.forge.local import LocalForge
from platform_cli.journal import journal_path


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs."""


def make(settings, tmp_path: Path, name: str = "payments", progress=lambda _: None):
    req = NewRequest(name=name, template="mini", owner="team-a", yes=True, directory=tmp_path / "work" / name)
    return new_service(req, settings, LocalForge(settings.home / "forge"), cwd=tmp_path, progress=progress)


def killed_after(step: str):
    def progress(message: str) -> None:
        if message.startswith(step + ":"):
            raise Killed(step)

    return progress


def refused(settings, match: str, **kw) -> UsageError:
    with pytest.raises(UsageError, match=match) as info:
        rollback_service("payments", settings, LocalForge(settings.home / "forge"), **kw)
    return info.value


def test_a_colleagues_branch_on_the_service_repo_is_not_deleted(settings, tmp_path):
    make(settings, tmp_path)
    forge = LocalForge(settings.home / "forge")
    colleague = tmp_path / "colleague"
    forge.clone("acme", "payments", colleague)
    git.run(["checkout", "-q", "-b", "feature"], colleague)
    (colleague / "app" / "more.py").write_text("X = 1\n")
    git.commit_all(colleague, "colleague's work")
    forge.push(colleague, "acme", "payments", ["feature"])

    err = refused(settings, "feature")
    assert "repo acme/payments" in err.message and "--rollback again" in err.hint
    assert forge.branch_sha("acme", "payments", "feature") and (tmp_path / "work" / "payments").is_dir()
    assert journal_path(settings, "payments").is_file()  # nothing was removed: the run can still be rolled back


def test_a_gitops_repo_with_direct_commits_is_kept(settings, tmp_path):
    make(settings, tmp_path)
    forge = LocalForge(settings.home / "forge")
    main = forge.branch_sha("acme", "gitops", "main")
    forge.commit_files("acme", "gitops", "main", "main", {"apps/other/staging.yaml": "x: 1\n"}, "direct")
    assert forge.branch_sha("acme", "gitops", "main") != main

    result = rollback_service("payments", settings, forge)

    assert forge.repo_exists("acme", "gitops") and any("gitops (others use it)" in k for k in result.kept)
    assert not forge.repo_exists("acme", "payments")
    assert forge.branch_sha("acme", "gitops", "plat/register-payments") is None


def test_the_first_services_gitops_repo_goes_when_only_its_own(settings, tmp_path):
    make(settings, tmp_path)
    rollback_service("payments", settings, LocalForge(settings.home / "forge"))
    assert not LocalForge(settings.home / "forge").repo_exists("acme", "gitops")


def test_edits_before_the_first_commit_are_not_lost(settings, tmp_path):
    with pytest.raises(Killed):
        make(settings, tmp_path, progress=killed_after("render"))
    work = tmp_path / "work" / "payments"
    (work / "app" / "main.py").write_text("PORT = 1  # my edit\n")
    (work / "notes.txt").write_text("mine\n")

    err = refused(settings, "did not render")
    assert "app/main.py" in err.message and "notes.txt" in err.message
    assert "my edit" in (work / "app" / "main.py").read_text()


def test_an_untouched_render_before_the_first_commit_is_removed(settings, tmp_path):
    with pytest.raises(Killed):
        make(settings, tmp_path, progress=killed_after("render"))
    rollback_service("payments", settings, LocalForge(settings.home / "forge"))
    assert not (tmp_path / "work" / "payments").exists()


@pytest.mark.parametrize("what", ["ignored", "untracked", "branch", "stash"])
def test_files_and_refs_in_the_clone_plat_did_not_make_stop_it(settings, tmp_path, what):
    make(settings, tmp_path)
    work = tmp_path / "work" / "payments"
    if what == "ignored":
        (work / ".gitignore").write_text(".env\n")
        git.commit_all(work, "ignore .env")  # a commit too: both are named
        (work / ".env").write_text("SECRET=1\n")
    elif what == "untracked":
        (work / "draft.py").write_text("x\n")
    elif what == "branch":
        git.run(["branch", "spike"], work)
        git.run(["commit", "-q", "--allow-empty", "-m", "spike", "--no-verify"], work)
    else:
        (work / "README.md").write_text("changed\n")
        git.run(["stash", "-q"], work)
    err = refused(settings, str(work))
    assert {"ignored": ".env", "untracked": "draft.py", "branch": "commits", "stash": "stash"}[what] in err.message
    assert work.is_dir()


def test_a_moved_registration_branch_is_not_deleted(settings, tmp_path):
    make(settings, tmp_path)
    forge = LocalForge(settings.home / "forge")
    branch = "plat/register-payments"
    forge.commit_files("acme", "gitops", branch, branch, {"apps/payments/extra.yaml": "x: 1\n"}, "review fix")
    refused(settings, "branch plat/register-payments of acme/gitops has commits")
    assert forge.branch_sha("acme", "gitops", branch)


def test_a_merged_registration_is_unregistered_by_pull_request_first(settings, tmp_path):
    make(settings, tmp_path)
    forge = LocalForge(settings.home / "forge")
    forge.merge_pull_request("acme", "gitops", 1)

    err = refused(settings, "was merged")
    assert "--unregister" in err.hint
    assert forge.get_pull_request("acme", "gitops", 1).state == "merged"

    opened = rollback_service("payments", settings, forge, unregister=True).pull_request
    assert opened is not None and opened.title == "Unregister service payments"
    changed = {f.path: f.status for f in forge.pull_request_files("acme", "gitops", opened.id)}
    assert changed == {
        "apps/payments/staging.yaml": "removed",
        "apps/payments/production.yaml": "removed",
        "catalog/payments.yaml": "removed",
        "tenancy/services/payments.yaml": "removed",  # the team's project no longer reaches its namespaces
    }
    again = rollback_service("payments", settings, forge, unregister=True).pull_request
    assert again is not None and again.id == opened.id  # the open one, not a second
    refused(settings, "was merged")  # not merged yet: still registered

    forge.merge_pull_request("acme", "gitops", opened.id)
    result = rollback_service("payments", settings, forge)
    assert not forge.repo_exists("acme", "payments") and not (tmp_path / "work" / "payments").exists()
    assert forge.get_pull_request("acme", "gitops", 1).state == "merged"  # the record is not rewritten
    assert any("merged" in k for k in result.kept)


def test_unregister_without_a_merged_registration_is_an_error(settings, tmp_path):
    make(settings, tmp_path)
    refused(settings, "no merged registration", unregister=True)
