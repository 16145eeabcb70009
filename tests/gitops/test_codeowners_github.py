"""`plat gitops codeowners` on GitHub, through the GitHub double: the GitOps repo is read from a fetched
copy and the regenerated CODEOWNERS lands on main with a leased push; a second run changes nothing."""

from __future__ import annotations

import dataclasses

from platform_cli import git
from platform_cli.commands import gitops as gitops_cmd
from platform_cli.config import Settings
from platform_cli.forge.local import LocalForge
from platform_cli.gitops import codeowners, registration
from tests.github_double.fixtures import github_double, make_github_forge, slept  # noqa: F401 - fixtures

ORG = "acme"


def test_regenerated_on_github_with_a_leased_push(tmp_path, github_double, make_github_forge):
    local = LocalForge(tmp_path / "local")
    local.create_repo(ORG, "gitops")
    registration.bootstrap(local, ORG, "gitops", "platform")
    reg = registration.Registration("pay", ORG, "payments", "pay", "https://github.com/acme/pay", ("staging",))
    local.commit_files(ORG, "gitops", "main", "main", registration.registration_files(reg), "Register pay")
    repo = github_double.state.create(ORG, "gitops")
    git.run(["push", "-q", "--mirror", str(repo.path)], tmp_path / "local" / ORG / "gitops.git")
    settings = Settings(home=tmp_path / "home", template_source=tmp_path, org=ORG, platform_team="platform")
    settings = dataclasses.replace(settings, forge="github")
    first = gitops_cmd.regenerate(settings, make_github_forge())
    assert first.stale and first.commit == git.resolve(repo.path, "refs/heads/main")
    assert first.to_json()["content"] == first.content and first.to_json()["owners"] == {"pay": "payments"}
    text = git.cat_files(repo.path, [f"refs/heads/main:{codeowners.PATH}"])[f"refs/heads/main:{codeowners.PATH}"]
    assert "/apps/pay/ @acme/payments" in (text or "") and text == first.content
    again = gitops_cmd.regenerate(settings, make_github_forge())
    assert again.commit is None and not again.stale
    assert git.resolve(repo.path, "refs/heads/main") == first.commit
