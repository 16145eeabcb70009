"""The commits a deploy brings are what `git rev-list NEW ^OLD` lists, on histories with merges too."""

from __future__ import annotations

import itertools

from platform_cli import git
from platform_cli.dora import graph


def commit(repo, name: str, when: int) -> str:
    (repo / f"{name}.txt").write_text(name)
    git.stage_all(repo)
    date = f"@{1790000000 + when * 60} +0000"
    return git.commit(repo, name, env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})


def test_brought_is_git_rev_list_new_not_old(tmp_path):
    repo = tmp_path / "svc"
    git.init(repo)
    shas = [commit(repo, "a", 1), commit(repo, "b", 2)]
    git.run(["checkout", "-q", "-b", "topic"], repo)
    shas += [commit(repo, "t1", 3), commit(repo, "t2", 9)]  # a late commit on the side branch
    git.run(["checkout", "-q", "main"], repo)
    shas += [commit(repo, "c", 4)]
    date = {"GIT_AUTHOR_DATE": "@1790000500 +0000", "GIT_COMMITTER_DATE": "@1790000500 +0000"}
    git.run(["merge", "-q", "--no-ff", "-m", "merge", "topic"], repo, env=date)
    shas += [git.rev_parse(repo, "HEAD"), commit(repo, "d", 11)]
    g = graph.read(repo)
    for new, old in itertools.permutations(shas, 2):
        expected = set(git.run(["rev-list", new, f"^{old}"], repo).split())
        assert set(g.brought(new, old)) == expected, (new, old)
    assert set(g.brought(shas[-1], None)) == set(shas)
    assert g.brought("f" * 40, shas[0]) is None and g.brought(shas[0], "f" * 40) is None
