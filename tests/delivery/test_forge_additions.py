"""What delivery needs from every forge (the local one, and GitHub through the double): commits at a
given date, a local copy of a repo to read its history, labelled issues (none on the local forge)."""

from __future__ import annotations

import pytest

from platform_cli import git
from platform_cli.forge.local import LocalForge
from tests.github_double.fixtures import github_double, make_github_forge, slept  # noqa: F401 - fixtures


@pytest.fixture(params=["local", "github"])
def forge(request, tmp_path):
    if request.param == "github":
        return request.getfixturevalue("make_github_forge")()
    return LocalForge(tmp_path / "forge")


def test_commit_files_at_a_date_and_a_mirror_to_read_it(forge, tmp_path):
    forge.create_repo("acme", "gitops")
    first = forge.commit_files("acme", "gitops", "main", None, {"a.txt": "1\n"}, "first")
    at = "@1790836200 +0530"
    second = forge.commit_files("acme", "gitops", "main", "main", {"b.txt": "2\n"}, "second", at)
    mirror = forge.mirror("acme", "gitops", tmp_path / "cache")
    assert git.run(["log", "--format=%H %at %ct %ci", "main"], mirror).splitlines()[0] == (
        f"{second} 1790836200 1790836200 2026-10-01 12:00:00 +0530"
    )
    assert git.run(["rev-parse", "main~1"], mirror) == first
    third = forge.commit_files("acme", "gitops", "main", "main", {"c.txt": "3\n"}, "third")
    assert git.resolve(forge.mirror("acme", "gitops", tmp_path / "cache"), "refs/heads/main") == third
    assert forge.labelled_issues("acme", "gitops", "incident", tmp_path / "cache") == ()
