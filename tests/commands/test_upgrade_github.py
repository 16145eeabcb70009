"""`plat upgrade` through the GitHub forge (the API double): branches pushed, one pull request with
the versions, changelog and conflicts, updated in place by a re-run; the REST calls it costs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from platform_cli import git
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.commands.upgrade import UpgradeRequest, upgrade
from platform_cli.forge.github import GitHubForge
from platform_cli.forge.github_client import Credentials
from platform_cli.upgrade.baseline import BASELINE_BRANCH
from tests.commands.test_new_github import gh_settings
from tests.github_double import Double
from tests.github_double.fixtures import github_double, slept  # noqa: F401 - fixtures
from tests.upgrade_helpers import CHANGES, edit, platform_version

UPGRADE_CALLS = 2  # create PR, open PRs (stale ones); whether the repos exist is asked over git: docs/github.md


def forge(double: Double) -> GitHubForge:
    return GitHubForge(double.api_url, Credentials(token=double.token), sleep=lambda s: None)


def test_upgrade_opens_and_then_updates_one_pull_request_on_github(github_double, tmp_path):
    v1 = gh_settings(tmp_path, github_double, platform_version(tmp_path / "platform-0.1.0", "0.1.0"))
    work = tmp_path / "work" / "payments"
    new_service(
        NewRequest(name="payments", template="mini", owner="team-a", yes=True, directory=work),
        v1,
        forge(github_double),
        cwd=tmp_path,
    )
    edit(work, "chart/values-extra.yaml", "c: 3000\n", append=False, push=False)  # the template changes c too
    forge(github_double).push(work, "acme", "payments", ["main"])
    v2 = dataclasses.replace(v1, template_source=platform_version(tmp_path / "platform-0.2.0", "0.2.0"))

    github_double.calls.clear()
    result = upgrade(UpgradeRequest(path=work), v2, forge(github_double))
    assert len(github_double.calls) == UPGRADE_CALLS

    service = github_double.state.repo("acme", "payments")
    branches = service.branches()
    assert branches["plat/upgrade-0.2.0"] == result.commit
    assert branches[BASELINE_BRANCH] == git.rev_parse(work, BASELINE_BRANCH)
    [pull] = service.pulls
    assert (pull.number, pull.head, pull.base, pull.state) == (
        result.pull_request.id,
        "plat/upgrade-0.2.0",
        "main",
        "open",
    )
    assert "0.1.0 → 0.2.0" in pull.title and "(1 conflicts)" in pull.title
    assert CHANGES["0.2.0"] in pull.body and "- [ ] `chart/values-extra.yaml`" in pull.body
    assert "scripts/start.sh" in git.run(["ls-tree", "-r", "--name-only", pull.head], service.path)

    edit(work, "README.md", "\nmore notes\n", push=False)
    forge(github_double).push(work, "acme", "payments", ["main"])
    again = upgrade(UpgradeRequest(path=work), v2, forge(github_double))
    assert [p.number for p in service.pulls] == [pull.number]
    assert service.branches()["plat/upgrade-0.2.0"] == again.commit != result.commit
    assert Path(work / "README.md").read_text().endswith("more notes\n")
