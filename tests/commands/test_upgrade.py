"""`plat upgrade` on real service repos, across template versions v1 → v2 → v3 built in tmp dirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from platform_cli import git
from platform_cli.commands.upgrade import UpgradeRequest, upgrade
from platform_cli.errors import MissingAnswersError, UsageError
from platform_cli.forge.local import LocalForge
from platform_cli.upgrade.baseline import BASELINE_BRANCH, UpgradeError
from tests.upgrade_helpers import _question, at_version, edit, make_service, repo, show, v1, v2  # noqa: F401

BRANCH2 = "plat/upgrade-0.2.0"


def forge_for(settings) -> LocalForge:
    return LocalForge(settings.home / "forge")


def run_upgrade(settings, repo: Path, **kw):
    return upgrade(UpgradeRequest(path=repo, **kw), settings, forge_for(settings))


def answers_at(repo: Path, rev: str) -> dict:
    return yaml.safe_load(show(repo, rev, ".copier-answers.yml"))


def local_edits_in_every_zone(repo: Path) -> None:
    deployment = "# platform file, edited locally\n" + (repo / "chart/templates/deployment.yaml").read_text()
    edit(repo, "chart/templates/deployment.yaml", deployment, append=False)
    edit(repo, "scripts/run.sh", "echo local-step\n")  # shared; the template renames it
    edit(repo, "app/main.py", "LOCAL = 1\n")  # team-owned; the template changes it
    edit(repo, "config/legacy.yaml", "local: kept\n")  # the template deletes it
    edit(repo, ".github/workflows/ci.yml", None)  # deleted here; the template changes it
    edit(repo, "notes/ours.md", "our own file\n")


def test_upgrade_keeps_local_edits_follows_renames_and_reports_conflicts(v2, repo):
    main_before = git.rev_parse(repo, "main")
    local_edits_in_every_zone(repo)
    app_before = (repo / "app/main.py").read_text()
    result = run_upgrade(v2, repo)

    assert result.status == "upgraded" and (result.current, result.target) == ("0.1.0", "0.2.0")
    assert git.current_branch(repo) == "main" and not git.has_changes(repo)  # the working tree is untouched
    assert git.rev_parse(repo, "main") != main_before
    up = BRANCH2
    assert "echo local-step" in show(repo, up, "scripts/start.sh")  # the edit followed the rename
    assert show(repo, up, "scripts/run.sh") is None
    assert git.run(["ls-tree", up, "scripts/start.sh"], repo).split()[0] == "100755"
    assert show(repo, up, "app/main.py") == app_before.rstrip("\n")  # team-owned: untouched
    assert show(repo, up, "chart/templates/deployment.yaml").startswith("# platform file, edited locally")
    assert "replicas: {{ .Values.replicas }}" in show(repo, up, "chart/templates/deployment.yaml")
    assert "local: kept" in show(repo, up, "config/legacy.yaml")  # deleted by the template: a conflict
    assert [(c.path, c.kind) for c in result.conflicts] == [
        ("config/legacy.yaml", "deleted by the template, edited here")
    ]
    assert result.kept_deleted == (".github/workflows/ci.yml",) and show(repo, up, ".github/workflows/ci.yml") is None
    assert show(repo, up, ".github/workflows/security.yml") == "name: security"
    assert show(repo, up, "notes/ours.md") == "our own file"
    answers = answers_at(repo, up)
    assert answers["_commit"] == "v0.2.0" and answers["replicas"] == 2 and answers["port"] == 8080
    assert git.is_ancestor(repo, BASELINE_BRANCH, up) and git.is_ancestor(repo, "main", up)

    pr = result.pull_request
    assert pr is not None and pr.state == "open" and pr.head == up and pr.base == "main"
    assert "0.1.0 → 0.2.0" in pr.title and "Versions crossed: 0.2.0" in pr.body
    assert "Adds a security workflow" in pr.body and "`config/legacy.yaml`" in pr.body
    assert "kept deleted" in pr.body and "merge commit" in pr.body
    remote = git.remote_refs(forge_for(v2).repo_url("acme", "payments"))
    assert remote[f"refs/heads/{up}"] == result.commit
    assert remote[f"refs/heads/{BASELINE_BRANCH}"] == git.rev_parse(repo, BASELINE_BRANCH)


def test_same_line_edit_is_a_conflict_with_markers(v2, repo):
    edit(repo, "chart/values-extra.yaml", "a: 1\nb: 2\nc: 33\nd: 4\ne: 5\n", append=False)
    result = run_upgrade(v2, repo)
    assert [(c.path, c.kind) for c in result.conflicts] == [("chart/values-extra.yaml", "content")]
    text = show(repo, BRANCH2, "chart/values-extra.yaml")
    assert "<<<<<<<" in text and "c: 33" in text and "c: 30" in text
    assert "Conflicts to resolve" in result.pull_request.body and "(1 conflicts)" in result.pull_request.title


def test_rerun_updates_the_same_pull_request(v2, repo):
    baseline_before = git.rev_parse(repo, BASELINE_BRANCH)
    first = run_upgrade(v2, repo)
    second = run_upgrade(v2, repo)
    assert second.pull_request.id == first.pull_request.id and second.notes == ()
    assert [p.id for p in forge_for(v2).list_pull_requests("acme", "payments", "open")] == [first.pull_request.id]
    assert git.rev_parse(repo, BASELINE_BRANCH) == baseline_before, "the baseline waits for the merge"


def drift_findings(settings, repo: Path) -> list[str]:
    from platform_cli.commands.doctor import doctor

    return [f"{f.rule_id} {f.file}" for f in doctor(repo, settings).findings if f.rule_id.startswith("PLAT-DRIFT")]


def test_the_baseline_moves_only_when_the_upgrade_merges(v2, repo):
    before = git.rev_parse(repo, BASELINE_BRANCH)
    result = run_upgrade(v2, repo)
    remote = forge_for(v2).repo_url("acme", "payments")
    assert git.rev_parse(repo, BASELINE_BRANCH) == before
    assert git.remote_refs(remote)[f"refs/heads/{BASELINE_BRANCH}"] == before
    assert drift_findings(v2, repo) == [], "an untouched main does not drift while the upgrade PR is open"

    merge_and_pull(v2, repo, result.pull_request.id)
    assert answers_at(repo, "main")["_commit"] == "v0.2.0"
    assert drift_findings(v2, repo) == [], "after the merge, main is measured against the merged render"
    assert run_upgrade(v2, repo).status == "up-to-date"


def merge_and_pull(settings, repo: Path, pr_id: int) -> None:
    forge_for(settings).merge_pull_request("acme", "payments", pr_id)
    git.run(["pull", "-q", "--ff-only", "origin", "main"], repo)


def test_v1_to_v2_to_v3_with_migrations(v2, repo, tmp_path):
    edit(
        repo,
        ".copier-answers.yml",
        (repo / ".copier-answers.yml").read_text().replace("port: 8080", "port: 9000"),
        append=False,
    )  # an answer edited by hand reaches the next render
    merge_and_pull(v2, repo, run_upgrade(v2, repo).pull_request.id)
    assert (repo / "chart/values.yaml").read_text() == "port: 9000\nreplicas: 2\n"
    edit(repo, "chart/values.yaml", "local_setting: yes\n")

    v3 = at_version(v2, tmp_path, "0.3.0")
    result = run_upgrade(v3, repo)
    up = "plat/upgrade-0.3.0"
    assert result.conflicts == () and result.current == "0.2.0"
    assert result.migrations == (
        "0.3.0: question port → http_port",
        "0.3.0: file chart/values.yaml → deploy/values.yaml",
    )
    answers = answers_at(repo, up)
    assert answers["http_port"] == 9000 and "port" not in answers and answers["_commit"] == "v0.3.0"
    moved = show(repo, up, "deploy/values.yaml")
    assert "local_setting: yes" in moved and "# values of the chart" in moved and "port: 9000" in moved
    assert show(repo, up, "chart/values.yaml") is None
    assert "Renames the question port" in result.pull_request.body
    merge_and_pull(v3, repo, result.pull_request.id)
    assert run_upgrade(v3, repo).status == "up-to-date"


def test_upgrade_across_two_versions_quotes_both_changelogs(v1, repo, tmp_path):
    result = run_upgrade(at_version(v1, tmp_path, "0.3.0"), repo)
    assert [e.version for e in result.changelog] == ["0.2.0", "0.3.0"]
    assert "Versions crossed: 0.2.0, 0.3.0" in result.pull_request.body
    assert answers_at(repo, "plat/upgrade-0.3.0")["http_port"] == 8080


def test_check_reports_without_changing_anything(v1, v2, repo):
    assert run_upgrade(v1, repo, check=True).status == "up-to-date"
    before = git.run(["for-each-ref"], repo)
    result = run_upgrade(v2, repo, check=True)
    assert result.status == "available" and result.upgrade_available and result.target == "0.2.0"
    assert [e.version for e in result.changelog] == ["0.2.0"]
    assert git.run(["for-each-ref"], repo) == before


def test_dry_run_shows_the_diff_and_moves_no_ref(v2, repo):
    before = git.run(["for-each-ref"], repo)
    forge_before = git.remote_refs(forge_for(v2).repo_url("acme", "payments"))
    result = run_upgrade(v2, repo, dry_run=True)
    assert (
        result.status == "planned" and "+name: security" in result.diff and "rename to scripts/start.sh" in result.diff
    )
    assert git.run(["for-each-ref"], repo) == before
    assert git.remote_refs(forge_for(v2).repo_url("acme", "payments")) == forge_before
    assert git.run(["worktree", "list", "--porcelain"], repo).count("worktree ") == 1


def test_to_an_older_published_version_and_refusals(v1, v2, repo, tmp_path):
    v3 = at_version(v2, tmp_path, "0.3.0")
    with pytest.raises(UpgradeError, match="unknown template version 9.9.9") as info:
        run_upgrade(v3, repo, to="9.9.9")
    assert "0.1.0" in info.value.hint and "0.3.0" in info.value.hint
    with pytest.raises(UpgradeError, match="unknown template version 0.2.0"):
        run_upgrade(v3, repo, to="0.2.0")  # never published anywhere
    merge_and_pull(v2, repo, run_upgrade(v2, repo).pull_request.id)
    with pytest.raises(UpgradeError, match="older than the current"):
        run_upgrade(v3, repo, to="0.1.0")  # published in the template store, but a downgrade


def test_refuses_dirty_worktree_and_untracked_clash(v2, repo):
    (repo / "README.md").write_text("changed\n")
    with pytest.raises(UpgradeError, match="uncommitted changes"):
        run_upgrade(v2, repo)
    git.run(["checkout", "--", "README.md"], repo)
    (repo / ".github/workflows/security.yml").write_text("mine\n")
    before = git.run(["for-each-ref"], repo)
    with pytest.raises(UpgradeError, match="untracked files would be overwritten.*security.yml"):
        run_upgrade(v2, repo)
    assert git.run(["for-each-ref"], repo) == before


def test_refuses_a_repo_plat_did_not_make(v2, tmp_path):
    other = tmp_path / "other"
    git.init(other)
    (other / "x.txt").write_text("x")
    git.commit_all(other, "init")
    with pytest.raises(UpgradeError, match="not made by plat") as info:
        run_upgrade(v2, other)
    assert "plat adopt" in info.value.hint
    with pytest.raises(UpgradeError, match="not a git repository"):
        run_upgrade(v2, tmp_path)  # tmp_path itself is no git repository


def test_squash_merged_upgrade_is_refused_with_a_hint(v2, repo):
    result = run_upgrade(v2, repo)
    tree = git.run(["rev-parse", f"{result.branch}^{{tree}}"], repo)
    squash = git.run(["commit-tree", tree, "-p", "main", "-m", "squash"], repo)
    git.run(["reset", "-q", "--hard", squash], repo)
    with pytest.raises(UpgradeError, match="not an ancestor") as info:
        run_upgrade(v2, repo)
    assert "merge commit" in info.value.hint
    git.run(info.value.hint.split("with: git ", 1)[1].split(), repo)  # follow the hint
    assert run_upgrade(v2, repo).status == "up-to-date" and drift_findings(v2, repo) == []


def test_new_required_question_without_a_terminal_is_listed(v1, repo, tmp_path):
    v2 = at_version(v1, tmp_path, "0.2.0")
    _question(v2.template_source, "tier", {"type": "str", "help": "service tier"})
    with pytest.raises(MissingAnswersError) as info:
        run_upgrade(v2, repo)
    assert info.value.missing == ("tier",)
    result = run_upgrade(v2, repo, sets=("tier=gold",))
    assert answers_at(repo, result.branch)["tier"] == "gold"


def test_copier_update_by_hand_is_reconciled(v2, repo):
    answers = (repo / ".copier-answers.yml").read_text()
    edit(repo, ".copier-answers.yml", answers.replace("_commit: v0.1.0", "_commit: v0.1.1"), append=False)
    result = run_upgrade(v2, repo)
    assert any("copier update" in n for n in result.notes) and result.status == "upgraded"
    assert answers_at(repo, result.branch)["_commit"] == "v0.2.0"


def test_works_from_a_fresh_clone_without_the_old_template(v2, repo, tmp_path):
    clone = tmp_path / "clone"
    git.clone(forge_for(v2).repo_url("acme", "payments"), clone)
    shutil.rmtree(v2.home / "templates")  # the old template version is nowhere on this machine
    result = run_upgrade(v2, clone)
    assert result.status == "upgraded" and show(clone, result.branch, ".github/workflows/security.yml")


# --- plat adopt ---------------------------------------------------------------------------------


def existing_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "legacy"
    git.init(repo)
    (repo / "app").mkdir(parents=True)
    (repo / "app/server.py").write_text("print('ours')\n")
    (repo / "chart/templates").mkdir(parents=True)
    (repo / "chart/templates/deployment.yaml").write_text("kind: Deployment\nname: {{ .Release.Name }}\n")
    (repo / "chart/values.yaml").write_text("port: 9000\n")
    git.commit_all(repo, "legacy history")
    return repo


def test_adopt_then_upgrade(v1, v2, tmp_path):
    from platform_cli.commands.adopt import AdoptRequest, adopt

    repo = existing_repo(tmp_path)
    with pytest.raises(UpgradeError, match="not made by plat"):
        run_upgrade(v2, repo)
    plan = adopt(AdoptRequest(path=repo, template="mini", owner="team-a", dry_run=True), v1, forge_for(v1))
    assert plan.dry_run and not git.ref_exists(repo, f"refs/heads/{BASELINE_BRANCH}")
    result = adopt(AdoptRequest(path=repo, template="mini", owner="team-a", sets=("port=9000",)), v1, forge_for(v1))
    assert result.version == "v0.1.0" and ".copier-answers.yml" in result.added
    assert ".github/workflows/ci.yml" in result.added and "app/main.py" not in result.added  # team files: not added
    assert result.differing == ()  # deployment.yaml and values.yaml match the render
    assert (repo / "app/server.py").read_text() == "print('ours')\n" and not git.has_changes(repo)
    assert git.is_ancestor(repo, BASELINE_BRANCH, "main")
    assert answers_at(repo, "main")["service_name"] == "legacy"
    with pytest.raises(UpgradeError, match="already managed"):
        adopt(AdoptRequest(path=repo, template="mini", owner="team-a"), v1, forge_for(v1))

    edit(repo, "chart/values.yaml", "local: 1\n")
    up = run_upgrade(v2, repo)
    assert up.status == "upgraded" and up.pull_request is None  # not on the forge: branches stay local
    assert "replicas: {{ .Values.replicas }}" in show(repo, up.branch, "chart/templates/deployment.yaml")
    assert show(repo, up.branch, "app/server.py") == "print('ours')"


def test_adopt_refuses_dirty_repo_and_needs_a_type(v1, tmp_path):
    from platform_cli.commands.adopt import AdoptRequest, adopt

    repo = existing_repo(tmp_path)
    with pytest.raises(MissingAnswersError):
        adopt(AdoptRequest(path=repo, owner="team-a"), v1, forge_for(v1))
    (repo / "stray.txt").write_text("x")
    with pytest.raises(UpgradeError, match="uncommitted or untracked"):
        adopt(AdoptRequest(path=repo, template="mini", owner="team-a"), v1, forge_for(v1))


# --- the CLI ------------------------------------------------------------------------------------


def cli(settings, *args):
    from typer.testing import CliRunner

    from platform_cli.cli import app

    env = {"PLAT_HOME": str(settings.home), "PLAT_TEMPLATE_SOURCE": str(settings.template_source), "PLAT_ORG": "acme"}
    return CliRunner().invoke(app, list(args), env=env)


def test_cli_check_exit_codes_and_json(v1, v2, repo):
    assert cli(v1, "upgrade", str(repo), "--check").exit_code == 0
    out = cli(v2, "upgrade", str(repo), "--check", "--json")
    assert out.exit_code == 10, out.output
    import json

    data = json.loads(out.stdout)
    assert data["status"] == "available" and data["target"] == "0.2.0" and data["changelog"][0]["version"] == "0.2.0"
    done = cli(v2, "upgrade", str(repo), "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["pull_request"]["head"] == BRANCH2
    refused = cli(v2, "upgrade", str(repo), "--to", "7.0.0")
    assert refused.exit_code == 1 and "unknown template version" in refused.stderr


def test_render_from_an_export_equals_a_render_of_the_git_release(v2, tmp_path):
    import stat

    from platform_cli import templates
    from platform_cli.rendering import publish, release_render, render

    template = templates.load(v2.template_source, "mini")
    release = publish.template_release(template, v2.home / "templates")
    answers = {"service_name": "svc", "owner": "team-a"}
    render.copy(release.source, release.tag, tmp_path / "a", answers)
    release_render.render_release(release, tmp_path / "b", answers, (), release_render.layout(template), lambda p: None)

    def tree(root: Path) -> dict:
        return {
            p.relative_to(root).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode) & 0o111)
            for p in root.rglob("*")
            if p.is_file()
        }

    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_a_render_error_is_reported_and_nothing_changes(v2, repo):
    from platform_cli.errors import TemplateError

    before = git.run(["for-each-ref"], repo)
    with pytest.raises(UsageError, match="invalid answers: port must be >= 1024"):  # found before any render
        run_upgrade(v2, repo, sets=("port=80",))
    (v2.template_source / "templates" / "mini" / "template" / "broken.txt.jinja").write_text("{% if %}\n")
    with pytest.raises(TemplateError, match="rendering .* failed"):
        run_upgrade(v2, repo)
    assert git.run(["for-each-ref"], repo) == before
    assert git.run(["worktree", "list", "--porcelain"], repo).count("worktree ") == 1


def test_a_newer_upgrade_supersedes_the_unmerged_one(v2, repo, tmp_path):
    first = run_upgrade(v2, repo).pull_request
    second = run_upgrade(at_version(v2, tmp_path, "0.3.0"), repo).pull_request
    pulls = {p.id: p.state for p in forge_for(v2).list_pull_requests("acme", "payments")}
    assert pulls == {first.id: "closed", second.id: "open"} and second.head == "plat/upgrade-0.3.0"


def test_an_upgrade_with_conflicts_exits_11_and_its_pull_request_cannot_merge_until_resolved(v2, repo):
    from typer.testing import CliRunner

    from platform_cli.cli import app

    edit(repo, "chart/values-extra.yaml", "a: 1\nb: 2\nc: 33\nd: 4\ne: 5\n", append=False)
    env = {"PLAT_TEMPLATE_SOURCE": str(v2.template_source), "PLAT_HOME": str(v2.home), "PLAT_ORG": v2.org}
    result = CliRunner().invoke(app, ["upgrade", str(repo)], env=env)
    assert result.exit_code == 11, result.output
    assert "resolve the 1 conflicts before merging: git switch plat/upgrade-0.2.0" in result.stdout
    merge = CliRunner().invoke(app, ["pr", "merge", "payments", "1"], env=env)
    assert merge.exit_code == 1 and "unresolved conflicts: chart/values-extra.yaml:" in merge.stderr
    assert "<<<<<<<" not in show(repo, "main", "chart/values-extra.yaml")
    assert forge_for(v2).get_pull_request("acme", "payments", 1).state == "open"


def test_unpushed_commits_on_main_are_refused_before_anything_moves(v2, repo):
    edit(repo, "notes/local.md", "not pushed yet\n", push=False)
    refs = git.run(["for-each-ref"], repo)
    with pytest.raises(UpgradeError, match="not on the forge") as info:
        run_upgrade(v2, repo)
    assert "git push origin main" in info.value.hint and git.run(["for-each-ref"], repo) == refs
    git.run(["push", "-q", "origin", "main"], repo)
    assert run_upgrade(v2, repo).status == "upgraded"


def test_dry_run_plans_exactly_the_files_the_real_run_changes(settings, tmp_path):
    """The upgrade pins a new platform release: a dry run computes the sha it would publish."""

    def pinning(s):
        (s.template_source / "templates" / "mini" / "template" / "pin.txt.jinja").write_text("{{ platform_ref }}\n")
        return s

    v1 = pinning(at_version(settings, tmp_path, "0.1.0"))
    repo = make_service(v1, tmp_path)
    v2 = pinning(at_version(v1, tmp_path, "0.2.0"))
    forge_refs = git.remote_refs(forge_for(v2).repo_url("acme", "platform"))
    planned = run_upgrade(v2, repo, dry_run=True)
    assert git.remote_refs(forge_for(v2).repo_url("acme", "platform")) == forge_refs, "a dry run publishes nothing"
    real = run_upgrade(v2, repo)
    assert "pin.txt" in {f.path for f in real.files}
    assert [(f.path, f.status) for f in planned.files] == [(f.path, f.status) for f in real.files]
    assert show(repo, real.branch, "pin.txt").strip() == answers_at(repo, real.branch)["platform_ref"]


def test_adopt_renders_in_the_worker_plat_started_for_it(v1, tmp_path):
    """`plat adopt` starts the render worker (launch.RENDERING); the render must go there, not
    through an in-process copier import while the worker idles."""
    import subprocess
    import sys
    import textwrap

    repo = existing_repo(tmp_path)
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from platform_cli.config import Settings
        from platform_cli.commands.adopt import AdoptRequest, adopt
        from platform_cli.forge.local import LocalForge
        from platform_cli.rendering import render
        render.start_worker()
        s = Settings(home=Path({str(v1.home)!r}), template_source=Path({str(v1.template_source)!r}), org="acme")
        adopt(AdoptRequest(path=Path({str(repo)!r}), template="mini", owner="team-a", dry_run=True), s,
              LocalForge(s.home / "forge"))
        print("copier" in sys.modules)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-1] == "False", "adopt rendered in plat's own process"
