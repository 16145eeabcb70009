"""The local forge finds the open pull request of a branch by an index entry, not by reading every
record: `plat new service` (which opens one in the GitOps repo) does not slow down as the fleet grows."""

from __future__ import annotations

import shutil

import pytest

from platform_cli.forge.local import LocalForge


@pytest.fixture
def forge(tmp_path):
    f = LocalForge(tmp_path / "forge")
    f.create_repo("acme", "gitops")
    f.commit_files("acme", "gitops", "main", None, {"README.md": "x\n"}, "first")
    for name in ("a", "b", "plat/register-c"):
        f.commit_files("acme", "gitops", name, "main", {f"{name}.txt": name}, name)
    return f


def test_the_open_pull_request_of_a_branch_is_found_without_a_scan(forge, monkeypatch):
    first = forge.open_pull_request("acme", "gitops", "plat/register-c", "main", "t", "b")
    forge.open_pull_request("acme", "gitops", "a", "main", "t", "b")

    def no_scan(*args, **kwargs):
        raise AssertionError("read every pull request record")

    monkeypatch.setattr(forge, "list_pull_requests", no_scan)
    monkeypatch.setattr(forge, "_records", no_scan)  # numbering reads the counter, not every record
    again = forge.open_pull_request("acme", "gitops", "plat/register-c", "main", "new title", "b")
    assert again.id == first.id and forge.get_pull_request("acme", "gitops", first.id).title == "new title"
    forge.close_pull_request("acme", "gitops", first.id)
    reopened = forge.open_pull_request("acme", "gitops", "plat/register-c", "main", "t", "b")
    assert reopened.id == 3  # the closed one is not reused
    merged = forge.merge_pull_request(
        "acme", "gitops", forge.open_pull_request("acme", "gitops", "b", "main", "t", "").id
    )
    assert merged.state == "merged"
    assert forge.open_pull_request("acme", "gitops", "b", "main", "t", "").id == merged.id + 1


def test_a_forge_written_before_the_index_still_finds_its_open_pull_requests(forge):
    first = forge.open_pull_request("acme", "gitops", "a", "main", "t", "b")
    shutil.rmtree(forge.root / "acme" / "gitops.git" / "plat" / "open-heads")
    (forge.root / "acme" / "gitops.git" / "plat" / "last-pull").unlink()
    assert forge.open_pull_request("acme", "gitops", "a", "main", "t2", "b").id == first.id
    assert forge.open_pull_request("acme", "gitops", "b", "main", "t", "b").id == first.id + 1


def test_a_kill_between_counter_and_record_skips_a_number_and_never_reuses_one(forge, monkeypatch):
    """`_save` moves the counter before it writes the record: a kill in between costs a number, never a
    record (a counter left behind its records would give the next pull request a taken number)."""
    first = forge.open_pull_request("acme", "gitops", "a", "main", "t", "b")
    real_replace = type(forge.root).replace

    def killed(self, target):
        raise KeyboardInterrupt  # the process dies as the record is about to land

    monkeypatch.setattr(type(forge.root), "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        forge.open_pull_request("acme", "gitops", "b", "main", "t", "b")
    monkeypatch.setattr(type(forge.root), "replace", real_replace)
    again = forge.open_pull_request("acme", "gitops", "b", "main", "t", "b")
    assert again.id == first.id + 2
    assert forge.get_pull_request("acme", "gitops", first.id).head == "a"
