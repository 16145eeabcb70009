from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from platform_cli import git
from platform_cli.commands.new import BASELINE_BRANCH, NewRequest, journal_path, new_service
from platform_cli.config import Settings
from platform_cli.errors import MissingAnswersError, PlatError, TemplateError, UsageError
from platform_cli.forge.local import LocalForge


def forge_for(settings) -> LocalForge:
    return LocalForge(settings.home / "forge")


def make(settings, tmp_path, name="payments", **kw):
    req = NewRequest(name=name, template="mini", owner="team-a", yes=True, directory=tmp_path / "work" / name, **kw)
    return new_service(req, settings, forge_for(settings), cwd=tmp_path)


def test_creates_pushed_repo_baseline_branch_and_registration(settings, tmp_path):
    result = make(settings, tmp_path)
    forge = forge_for(settings)
    work = tmp_path / "work" / "payments"

    assert forge.repo_exists("acme", "payments")
    refs = git.remote_refs(forge.repo_url("acme", "payments"))
    assert refs["refs/heads/main"] == refs[f"refs/heads/{BASELINE_BRANCH}"] == result.commit
    assert git.rev_parse(work, "HEAD") == result.commit
    assert not git.has_changes(work)
    assert "up to date with 'origin/main'" in git.run(["status"], work)
    assert git.rev_parse(work, "origin/plat/template") == result.commit

    answers = yaml.safe_load((work / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v0.1.0"
    assert Path(answers["_src_path"]).is_absolute()
    assert answers["service_name"] == "payments" and answers["owner"] == "team-a"

    workflow = (work / ".github/workflows/ci.yml").read_text()
    platform_sha = git.remote_refs(forge.repo_url("acme", "platform"))["refs/heads/main"]
    assert f"acme/platform/.github/workflows/build.yml@{platform_sha} # v0.1.0" in workflow
    assert stat.S_IMODE((work / "scripts/run.sh").stat().st_mode) & 0o100
    mode = git.run(["ls-files", "-s", "scripts/run.sh"], work).split()[0]
    assert mode == "100755"

    pr = result.pull_request
    assert pr is not None and pr.state == "open" and pr.repo == "acme/gitops"
    assert [p.id for p in forge.list_pull_requests("acme", "gitops")] == [pr.id]
    files = git.run(["ls-tree", "-r", "--name-only", f"refs/heads/{pr.head}"], Path(forge.repo_url("acme", "gitops")))
    assert {"apps/payments/staging.yaml", "apps/payments/production.yaml", "catalog/payments.yaml"} <= set(
        files.split()
    )
    assert result.files == tuple(sorted(result.files)) and "README.md" in result.files


def test_registration_syncs_staging_automatically_and_production_by_hand(settings, tmp_path):
    result = make(settings, tmp_path)
    gitops = Path(forge_for(settings).repo_url("acme", "gitops"))
    head = result.pull_request.head
    staging = yaml.safe_load(git.run(["show", f"{head}:apps/payments/staging.yaml"], gitops))
    production = yaml.safe_load(git.run(["show", f"{head}:apps/payments/production.yaml"], gitops))
    assert staging["kind"] == "Application"
    assert staging["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "automated" not in production["spec"]["syncPolicy"]
    assert production["spec"]["source"]["helm"]["valueFiles"] == ["values.yaml", "values-production.yaml"]
    assert staging["spec"]["source"]["repoURL"] == result.repo_url


def test_pull_request_merges_into_gitops_main(settings, tmp_path):
    result = make(settings, tmp_path)
    forge = forge_for(settings)
    merged = forge.merge_pull_request("acme", "gitops", result.pull_request.id)
    assert merged.state == "merged"
    main_files = git.run(["ls-tree", "-r", "--name-only", "main"], Path(forge.repo_url("acme", "gitops")))
    assert "apps/payments/staging.yaml" in main_files.split()


def test_second_service_reuses_gitops_repo_and_platform_release(settings, tmp_path):
    first = make(settings, tmp_path, "payments")
    second = make(settings, tmp_path, "orders")
    assert second.pull_request.id == first.pull_request.id + 1
    assert len(forge_for(settings).list_pull_requests("acme", "gitops")) == 2


def test_dry_run_lists_plan_and_changes_nothing(settings, tmp_path):
    result = make(settings, tmp_path, dry_run=True)
    assert result.dry_run and "README.md" in result.files and result.pull_request is None
    assert not (tmp_path / "work").exists()
    assert not settings.home.exists()


@pytest.mark.parametrize("name", ["Payments", "1abc", "a" * 64, "bad_name", "ends-", "default", ""])
def test_bad_names_fail_before_any_side_effect(settings, tmp_path, name):
    with pytest.raises(UsageError) as info:
        make(settings, tmp_path, name)
    assert info.value.hint
    assert not (tmp_path / "work").exists() and not settings.home.exists()


def test_unknown_template_lists_the_known_ones(settings, tmp_path):
    req = NewRequest(name="svc", template="nope", owner="team-a", yes=True)
    with pytest.raises(TemplateError, match="unknown template 'nope'") as info:
        new_service(req, settings, forge_for(settings), cwd=tmp_path)
    assert "mini" in info.value.hint


def test_malformed_answers_file(settings, tmp_path):
    bad = tmp_path / "answers.yml"
    bad.write_text("port: [unclosed\n")
    with pytest.raises(UsageError, match="not valid YAML"):
        make(settings, tmp_path, answers_file=bad)
    bad.write_text("- a list\n")
    with pytest.raises(UsageError, match="not a mapping"):
        make(settings, tmp_path, answers_file=bad)
    bad.write_text("colour: blue\n")
    with pytest.raises(UsageError, match="no question.*colour"):
        make(settings, tmp_path, answers_file=bad)
    assert not settings.home.exists()


def test_answers_file_and_set_are_applied(settings, tmp_path):
    answers = tmp_path / "answers.yml"
    answers.write_text("port: 9000\nwith_database: true\n_commit: ignored\n")
    make(settings, tmp_path, answers_file=answers, sets=("port=9100",))
    recorded = yaml.safe_load((tmp_path / "work/payments/.copier-answers.yml").read_text())
    assert recorded["port"] == 9100 and recorded["with_database"] is True


@pytest.mark.parametrize(
    "sets, message",
    [
        (("port=http",), "must be a number"),
        (("with_database=maybe",), "true or false"),
        (("lifecycle=retired",), "must be one of"),
        (("noequals",), "KEY=VALUE"),
    ],
)
def test_bad_set_values(settings, tmp_path, sets, message):
    with pytest.raises(UsageError, match=message):
        make(settings, tmp_path, sets=sets)
    assert not settings.home.exists()


def test_template_validator_failure_leaves_no_journal_or_directory(settings, tmp_path):
    with pytest.raises(UsageError, match="invalid answers: port must be >= 1024") as info:
        make(settings, tmp_path, sets=("port=80",))
    assert "--set port=" in info.value.hint
    assert not settings.home.exists(), "checked before anything is published, rendered or journaled"
    assert not (tmp_path / "work" / "payments").exists()
    assert not list((tmp_path / "work").glob("*")) if (tmp_path / "work").exists() else True
    assert not journal_path(settings, "payments").exists()
    make(settings, tmp_path, sets=("port=8081",))  # the corrected command just works


def test_missing_answers_without_terminal_are_listed(settings, tmp_path):
    req = NewRequest(name="payments", template="mini")
    with pytest.raises(MissingAnswersError) as info:
        new_service(req, settings, forge_for(settings), cwd=tmp_path)
    assert info.value.missing == ("owner",)


def test_existing_directory_and_existing_repo_are_refused(settings, tmp_path):
    target = tmp_path / "work" / "payments"
    target.mkdir(parents=True)
    (target / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="already exists"):
        make(settings, tmp_path)
    assert (target / "notes.txt").read_text() == "mine"
    forge_for(settings).create_repo("acme", "orders")
    with pytest.raises(PlatError, match="already exists on the local forge"):
        make(settings, tmp_path, "orders")


def test_rerun_of_a_finished_command_changes_nothing(settings, tmp_path):
    first = make(settings, tmp_path)
    again = make(settings, tmp_path)
    assert again.pull_request == first.pull_request and again.commit == first.commit
    assert set(again.resumed_steps) >= {"render", "commit", "push", "pull_request"}
    assert len(forge_for(settings).list_pull_requests("acme", "gitops")) == 1
    with pytest.raises(UsageError, match="already created"):
        make(settings, tmp_path, sets=("port=9999",))


def test_the_readme_dry_run_works_without_a_terminal(tmp_path):
    """`plat new service payments-api --owner payments --dry-run`: the type takes its default, as
    every question with a default does when nobody can be asked."""
    from tests.conftest import REPO_ROOT

    settings = Settings(home=tmp_path / "plathome", template_source=REPO_ROOT, org="acme")
    req = NewRequest(name="payments-api", owner="payments", dry_run=True)
    result = new_service(req, settings, forge_for(settings), cwd=tmp_path)
    assert result.dry_run and result.template == "http-api" and "chart/Chart.yaml" in result.files
    assert not (tmp_path / "payments-api").exists()


def test_a_file_where_the_clone_would_go_is_refused_with_a_hint(settings, tmp_path):
    (tmp_path / "payments").write_text("not a directory\n")
    with pytest.raises(UsageError, match="already exists and is not empty") as info:
        new_service(
            NewRequest(name="payments", template="mini", owner="team-a", yes=True),
            settings,
            forge_for(settings),
            cwd=tmp_path,
        )
    assert "--dir" in info.value.hint and (tmp_path / "payments").read_text() == "not a directory\n"
