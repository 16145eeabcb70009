"""The Forge contract. Every forge in the registry must pass these: the local forge on disk, and the
GitHub forge through PyGithub talking to the GitHub API double on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_cli import git
from platform_cli.errors import ForgeError, PlatError
from platform_cli.forge.local import LocalForge
from tests.github_double.fixtures import github_double, make_github_forge, slept  # noqa: F401 - fixtures


@pytest.fixture(params=["local", "github"])
def forge(request, tmp_path):
    if request.param == "github":
        return request.getfixturevalue("make_github_forge")()
    return LocalForge(tmp_path / "forge")


def bare_repo(request, forge, org: str, repo: str) -> Path:
    """Where the forge keeps the repo on disk, to inspect it with plain git."""
    if forge.name == "github":
        return request.getfixturevalue("github_double").state.repo(org, repo).path
    return Path(forge.repo_url(org, repo))


def seeded(tmp_path: Path, forge, repo="svc") -> Path:
    forge.create_repo("acme", repo, "demo")
    work = tmp_path / "seed"
    git.init(work)
    (work / "a.txt").write_text("one\n")
    git.commit_all(work, "first")
    git.run(["checkout", "-q", "-b", "feature"], work)
    (work / "b.txt").write_text("two\n")
    git.commit_all(work, "second")
    forge.push(work, "acme", repo, ["refs/heads/main:refs/heads/main", "refs/heads/feature:refs/heads/feature"])
    return work


def test_create_push_clone(forge, tmp_path):
    work = seeded(tmp_path, forge)
    assert forge.repo_exists("acme", "svc") and not forge.repo_exists("acme", "other")
    assert forge.branch_sha("acme", "svc", "feature") == git.rev_parse(work, "feature")
    assert forge.branch_sha("acme", "svc", "nope") is None
    forge.clone("acme", "svc", tmp_path / "clone")
    assert (tmp_path / "clone" / "a.txt").read_text() == "one\n"
    with pytest.raises(ForgeError, match="already exists"):
        forge.create_repo("acme", "svc")


def test_push_is_git_push(forge, tmp_path, request):
    """Bare names are branches, `src:dst` and tags work, a rewrite needs `+`."""
    work = seeded(tmp_path, forge)
    git.run(["tag", "v1", "main"], work)
    git.run(["checkout", "-q", "-b", "topic", "main"], work)
    forge.push(work, "acme", "svc", ["topic", "HEAD:refs/heads/other", "refs/tags/v1:refs/tags/v1"])
    assert (
        forge.branch_sha("acme", "svc", "topic")
        == forge.branch_sha("acme", "svc", "other")
        == git.rev_parse(work, "main")
    )
    assert git.rev_parse(bare_repo(request, forge, "acme", "svc"), "refs/tags/v1") == git.rev_parse(work, "v1")
    git.run(["commit", "-q", "--amend", "-m", "rewritten"], work)
    with pytest.raises(PlatError, match=r"\[rejected\].*non-fast-forward"):
        forge.push(work, "acme", "svc", ["topic"])
    forge.push(work, "acme", "svc", ["+topic"])
    assert forge.branch_sha("acme", "svc", "topic") == git.rev_parse(work, "topic")


def test_pull_request_is_opened_once_and_updated(forge, tmp_path):
    seeded(tmp_path, forge)
    first = forge.open_pull_request("acme", "svc", "feature", "main", "Add b", "body 1")
    again = forge.open_pull_request("acme", "svc", "feature", "main", "Add b (v2)", "body 2")
    assert first.id == again.id == 1
    assert [p.title for p in forge.list_pull_requests("acme", "svc")] == ["Add b (v2)"]
    assert forge.get_pull_request("acme", "svc", 1).body == "body 2"


def test_merge_uses_a_merge_commit(forge, tmp_path, request):
    work = seeded(tmp_path, forge)
    pr = forge.open_pull_request("acme", "svc", "feature", "main", "Add b", "")
    assert forge.merge_pull_request("acme", "svc", pr.id).state == "merged"
    bare = bare_repo(request, forge, "acme", "svc")
    parents = git.run(["rev-list", "--parents", "-n", "1", "main"], bare).split()
    assert len(parents) == 3  # the merge commit and its two parents: ancestry kept
    assert git.rev_parse(work, "feature") in parents
    assert forge.list_pull_requests("acme", "svc", "open") == ()
    with pytest.raises(ForgeError):
        forge.merge_pull_request("acme", "svc", pr.id)


def test_close_and_delete_branch(forge, tmp_path):
    seeded(tmp_path, forge)
    pr = forge.open_pull_request("acme", "svc", "feature", "main", "Add b", "")
    assert forge.close_pull_request("acme", "svc", pr.id).state == "closed"
    forge.delete_branch("acme", "svc", "feature")
    assert forge.branch_sha("acme", "svc", "feature") is None
    forge.delete_repo("acme", "svc")
    assert not forge.repo_exists("acme", "svc")


def test_errors_name_the_repo(forge):
    with pytest.raises(ForgeError, match="acme/ghost") as info:
        forge.list_pull_requests("acme", "ghost")
    assert info.value.hint
    forge.create_repo("acme", "empty")
    with pytest.raises(ForgeError, match="branch feature does not exist"):
        forge.open_pull_request("acme", "empty", "feature", "main", "t", "")


def test_pull_request_files_carry_status_and_patch(forge, tmp_path):
    work = seeded(tmp_path, forge)
    (work / "a.txt").write_text("one\nmore\n")
    git.commit_all(work, "third")
    forge.push(work, "acme", "svc", ["feature"])
    pr = forge.open_pull_request("acme", "svc", "feature", "main", "Feature", "")
    files = {f.path: f for f in forge.pull_request_files("acme", "svc", pr.id)}
    assert {p: f.status for p, f in files.items()} == {"a.txt": "modified", "b.txt": "added"}
    assert "+more" in files["a.txt"].patch and files["a.txt"].patch.startswith("diff --git a/a.txt b/a.txt")
    assert "@@ -0,0 +1 @@" in files["b.txt"].patch and "+two" in files["b.txt"].patch


def test_merge_is_refused_while_the_pull_request_adds_conflict_markers(forge, tmp_path):
    from platform_cli.commands import pr as pr_cmd

    work = seeded(tmp_path, forge)
    (work / "b.txt").write_text("two\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n")
    git.commit_all(work, "upgrade with a conflict")
    forge.push(work, "acme", "svc", ["feature"])
    pr = forge.open_pull_request("acme", "svc", "feature", "main", "Upgrade", "")
    with pytest.raises(ForgeError, match=r"unresolved conflicts: b.txt:2") as info:
        pr_cmd.merge_pull(forge, "acme/svc", "acme", pr.id)
    assert "feature" in info.value.hint and forge.get_pull_request("acme", "svc", pr.id).state == "open"
    (work / "b.txt").write_text("two\nx\n")
    git.commit_all(work, "resolved")
    forge.push(work, "acme", "svc", ["feature"])
    assert pr_cmd.merge_pull(forge, "acme/svc", "acme", pr.id).state == "merged"
