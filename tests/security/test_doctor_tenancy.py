"""`plat doctor` checks the tenancy of the service it runs on, read from the GitOps repo (its record and the
tenancy chart), with a fix per finding."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from platform_cli import git
from platform_cli.checks.tools import Tools
from platform_cli.commands.doctor import doctor
from platform_cli.config import Settings
from platform_cli.forge.local import LocalForge
from platform_cli.gitops import registration as gitops
from platform_cli.gitops import tenancy
from tests.checks.support import TODAY, make_service
from tests.conftest import hermetic_session_env, write_mini_platform

FAMILY = ("PLAT-TEN-001", "PLAT-TEN-002", "PLAT-TEN-003", "PLAT-TEN-004")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A service made by `plat new service` on the local forge, its registration merged (once per module)."""
    root = tmp_path_factory.mktemp("doctor-tenancy")
    with hermetic_session_env(root):
        settings = Settings(
            home=root / "plathome", template_source=write_mini_platform(root / "platform-src"), org="acme"
        )
        forge = LocalForge(settings.home / "forge")
        service = make_service(settings, root, "payments")
        pr = forge.list_pull_requests(settings.org, settings.gitops_repo)[0]
        forge.merge_pull_request(settings.org, settings.gitops_repo, pr.id)
    return settings, forge, service


@pytest.fixture
def world(made):
    """The service of `made`; the GitOps repo's main is put back as it was after each test."""
    settings, forge, _ = made
    git_dir = Path(forge.repo_url(settings.org, settings.gitops_repo))
    main = git.rev_parse(git_dir, "refs/heads/main")
    yield made
    git.run(["update-ref", "refs/heads/main", main], git_dir)


def run(service: Path, settings: Settings, forge=None):
    make = (lambda: forge) if forge is not None else None
    return doctor(service, settings, tools=Tools(helm=None), clock=lambda: TODAY, forge=make)


def tenancy_findings(report) -> list:
    return [f for f in report.findings if f.rule_id in FAMILY]


def gitops_file(settings, forge, path: str) -> str:
    return git.show(Path(forge.repo_url(settings.org, settings.gitops_repo)), "main", path)


def change_main(settings, forge, path: str, edit) -> None:
    """Edit a YAML file of the GitOps repo's main (`edit` changes its documents in place)."""
    docs = list(yaml.safe_load_all(gitops_file(settings, forge, path)))
    edit(docs)
    commit_main(settings, forge, path, tenancy.dump_all(docs))


def commit_main(settings, forge, path: str, text: str) -> None:
    forge.commit_files(settings.org, settings.gitops_repo, "main", "main", {path: text}, f"edit {path}")


def namespace_entry(record: dict, name: str) -> dict:
    return next(e for e in record["namespaces"] if e["name"] == name)


RECORD = tenancy.service_path("payments")


def test_a_registered_service_passes_every_tenancy_rule(world):
    settings, forge, service = world
    report = run(service, settings, forge)
    assert tenancy_findings(report) == []
    assert set(FAMILY) <= {r.id for r in report.rules_run}
    assert "tenancy" not in {s.family for s in report.skipped}


def test_before_the_registration_is_merged_it_is_checked_on_its_branch(settings, tmp_path):
    forge = LocalForge(settings.home / "forge")
    service = make_service(settings, tmp_path, "refunds")
    report = run(service, settings, forge)
    assert tenancy_findings(report) == [] and set(FAMILY) <= {r.id for r in report.rules_run}
    git_dir = Path(forge.repo_url(settings.org, settings.gitops_repo))
    git.run(["update-ref", "-d", f"refs/heads/{gitops.branch_name('refunds')}"], git_dir)  # the PR closed unmerged
    skipped = {s.family: s.reason for s in run(service, settings, forge).skipped}
    assert "not registered" in skipped["tenancy"]


def test_an_application_in_the_default_project_is_found(world):
    settings, forge, service = world
    change_main(settings, forge, "apps/payments/production.yaml", lambda d: d[0]["spec"].update(project="default"))
    (f,) = tenancy_findings(run(service, settings, forge))
    assert f.rule_id == "PLAT-TEN-001" and "'default'" in f.message and "apps/payments/production.yaml" in f.message
    assert "spec.project: team-a" in f.remediation


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda d: d[0]["namespaces"].append({"name": "*", "environment": "x"}), "patterns"),
        (lambda d: d[0].update(repoURL="*"), "sourceRepos holds a pattern"),
        (lambda d: d[0].update(repoURL="https://example.com/other"), "sourceRepos lacks the service's repo"),
        (lambda d: d[0].update(extraKinds=[{"group": "", "kind": "ConfigMap"}]), "core/ConfigMap"),
    ],
    ids=["wildcard-destination", "any-repo", "another-repo", "extra-kind"],
)
def test_a_record_that_no_longer_confines_the_team_is_found(world, edit, words):
    settings, forge, service = world
    change_main(settings, forge, RECORD, edit)
    found = tenancy_findings(run(service, settings, forge))
    assert [f.rule_id for f in found] == ["PLAT-TEN-002"] and words in found[0].message, found
    assert found[0].remediation


def test_a_record_without_the_services_namespaces_is_found(world):
    settings, forge, service = world
    change_main(settings, forge, RECORD, lambda d: d[0].update(namespaces=[]))
    found = tenancy_findings(run(service, settings, forge))
    assert {f.rule_id for f in found} == {"PLAT-TEN-002", "PLAT-TEN-003"}
    assert any("lack the service's namespaces" in f.message for f in found)
    assert any("no namespace payments-staging" in f.message for f in found)


@pytest.mark.parametrize(
    "path, old, new, rule",
    [
        (
            "tenancy/templates/projects.yaml",
            "clusterResourceWhitelist: []",
            "clusterResourceWhitelist: [{group: '*', kind: '*'}]",
            "PLAT-TEN-002",
        ),
        (
            "tenancy/templates/projects.yaml",
            "  namespaceResourceWhitelist:\n",
            "  namespaceResourceWhitelist:\n    - group: ''\n      kind: Secret\n",
            "PLAT-TEN-002",
        ),
        (
            "tenancy/templates/namespaces.yaml",
            '"pod-security.kubernetes.io/enforce" "restricted"',
            '"pod-security.kubernetes.io/enforce" "privileged"',
            "PLAT-TEN-003",
        ),
    ],
    ids=["cluster-kinds", "secrets-allowed", "privileged-namespaces"],
)
def test_an_edited_tenancy_chart_is_found(world, path, old, new, rule):
    """The chart renders every team's project and namespaces: an edit there is found, with the fix."""
    settings, forge, service = world
    text = gitops_file(settings, forge, path)
    assert old in text
    commit_main(settings, forge, path, text.replace(old, new))
    (f,) = tenancy_findings(run(service, settings, forge))
    assert f.rule_id == rule and path in f.message and "differs from the tenancy chart" in f.message
    assert f"restore {path}" in f.remediation


def test_a_missing_record_is_found_with_the_fix(world, tmp_path):
    settings, forge, service = world
    clone = tmp_path / "gitops-clone"
    forge.clone(settings.org, settings.gitops_repo, clone)
    git.run(["rm", "-q", RECORD], clone)
    git.commit(clone, "drop the record")
    git.run(["push", "-q", "origin", "main"], clone)
    found = tenancy_findings(run(service, settings, forge))
    (f,) = [f for f in found if f.rule_id == "PLAT-TEN-002"]
    assert "no AppProject for team 'team-a'" in f.message and RECORD in f.remediation
    assert sorted(f.message for f in found if f.rule_id == "PLAT-TEN-003") == [
        f"no namespace payments-{env} in {settings.org}/{settings.gitops_repo}:{RECORD}"
        for env in ("production", "staging")
    ]


def test_a_quota_smaller_than_the_chart_needs_is_found(world):
    settings, forge, service = world

    def shrink(d):
        namespace_entry(d[0], "payments-production")["quota"].update({"limits.memory": "512Mi", "pods": "2"})

    change_main(settings, forge, RECORD, shrink)
    (f,) = tenancy_findings(run(service, settings, forge))
    assert f.rule_id == "PLAT-TEN-004" and "payments-production" in f.message
    assert "limits.memory: 512Mi <" in f.message and "pods: 2 <" in f.message
    assert "raise the quota" in f.remediation and RECORD in f.remediation


def test_a_namespace_without_quota_is_found(world):
    settings, forge, service = world
    change_main(settings, forge, RECORD, lambda d: namespace_entry(d[0], "payments-staging").pop("quota"))
    (f,) = tenancy_findings(run(service, settings, forge))
    assert f.rule_id == "PLAT-TEN-004" and "no quota for payments-staging" in f.message


def test_without_a_reachable_gitops_repo_the_family_is_skipped_and_said(world, tmp_path):
    settings, _, service = world
    elsewhere = LocalForge(tmp_path / "other-forge")
    report = run(service, settings, elsewhere)
    skipped = {s.family: s for s in report.skipped}
    assert "no GitOps repo" in skipped["tenancy"].reason and skipped["tenancy"].unverified == ()
    assert tenancy_findings(report) == []
