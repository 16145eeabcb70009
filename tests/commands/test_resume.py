"""A run killed at any point resumes, on re-run, to the same end state as an uninterrupted run;
--rollback removes only what that run created."""

from __future__ import annotations

from pathlib import Path

import pytest

from platform_cli import git
from platform_cli.commands.new import NewRequest, journal_path, new_service
from platform_cli.commands.rollback import rollback_service
from platform_cli.config import Settings
from platform_cli.errors import UsageError
from platform_cli.forge.local import LocalForge


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except-Exception handler sees it."""


class KillingForge:
    """A LocalForge that dies at its `kill_at`-th method call."""

    def __init__(self, inner: LocalForge, kill_at: int) -> None:
        self.inner, self.kill_at, self.calls = inner, kill_at, 0
        self.name = inner.name

    def __getattr__(self, attr):
        method = getattr(self.inner, attr)

        def call(*args, **kwargs):
            self.calls += 1
            if self.calls == self.kill_at:
                raise Killed(attr)
            return method(*args, **kwargs)

        return call


def request(tmp_path: Path) -> NewRequest:
    return NewRequest(
        name="payments", template="mini", owner="team-a", yes=True, directory=tmp_path / "work" / "payments"
    )


def snapshot(repo: Path, rev: str, base: Path) -> dict[str, str]:
    """Every file of `rev` with this test's tmp path replaced, so two runs can be compared."""
    names = git.run(["ls-tree", "-r", "--name-only", rev], repo).split()
    return {n: git.run(["show", f"{rev}:{n}"], repo).replace(str(base), "<BASE>") for n in names}


def end_state(settings: Settings, tmp_path: Path) -> dict:
    forge = LocalForge(settings.home / "forge")
    service = Path(forge.repo_url("acme", "payments"))
    gitops = Path(forge.repo_url("acme", "gitops"))
    pulls = forge.list_pull_requests("acme", "gitops")
    work = tmp_path / "work"
    return {
        "service_branches": sorted(r for r in git.remote_refs(str(service)) if r.startswith("refs/heads/")),
        "service_files": snapshot(service, "main", tmp_path),
        "baseline_is_main": git.rev_parse(service, "main") == git.rev_parse(service, "plat/template"),
        "gitops_main": snapshot(gitops, "main", tmp_path),
        "pulls": [(p.id, p.head, p.state, p.title) for p in pulls],
        "pr_files": snapshot(gitops, pulls[0].head, tmp_path),
        "work_entries": sorted(p.name for p in work.iterdir()),
        "work_clean": not git.has_changes(work / "payments"),
        "work_head_pushed": git.rev_parse(work / "payments", "HEAD") == git.rev_parse(service, "main"),
        "journal_complete": journal_path(settings, "payments").is_file(),
    }


def fresh_settings(tmp_path: Path, mini_platform: Path) -> Settings:
    return Settings(home=tmp_path / "plathome", template_source=mini_platform, org="acme")


def count_forge_calls(tmp_path: Path, mini_platform: Path) -> tuple[int, dict]:
    settings = fresh_settings(tmp_path, mini_platform)
    forge = KillingForge(LocalForge(settings.home / "forge"), kill_at=0)
    new_service(request(tmp_path), settings, forge, cwd=tmp_path)
    return forge.calls, end_state(settings, tmp_path)


def test_killed_at_every_forge_call_resumes_to_the_same_end_state(tmp_path, mini_platform):
    total, expected = count_forge_calls(tmp_path / "reference", mini_platform)
    assert total > 10
    for kill_at in range(1, total + 1):
        base = tmp_path / f"kill-{kill_at}"
        settings = fresh_settings(base, mini_platform)
        with pytest.raises(Killed):
            new_service(request(base), settings, KillingForge(LocalForge(settings.home / "forge"), kill_at), cwd=base)
        result = new_service(request(base), settings, LocalForge(settings.home / "forge"), cwd=base)
        assert end_state(settings, base) == expected, f"killed at forge call {kill_at}"
        assert result.pull_request.id == 1


@pytest.mark.parametrize("step", ["publish", "render", "commit", "repo", "push", "gitops", "pull request"])
def test_killed_after_each_step_resumes(tmp_path, mini_platform, step):
    _, expected = count_forge_calls(tmp_path / "reference", mini_platform)
    settings = fresh_settings(tmp_path, mini_platform)
    forge = LocalForge(settings.home / "forge")

    def progress(message: str) -> None:
        if message.startswith(step + ":"):
            raise Killed(step)

    with pytest.raises(Killed):
        new_service(request(tmp_path), settings, forge, cwd=tmp_path, progress=progress)
    resumed = new_service(request(tmp_path), settings, forge, cwd=tmp_path)
    assert end_state(settings, tmp_path) == expected
    assert resumed.resumed_steps  # it picked up where the first run stopped


def test_rerun_with_other_answers_is_refused_until_rolled_back(tmp_path, settings):
    forge = LocalForge(settings.home / "forge")
    with pytest.raises(Killed):
        new_service(request(tmp_path), settings, KillingForge(forge, kill_at=12), cwd=tmp_path)
    other = NewRequest(
        name="payments", template="mini", owner="team-b", yes=True, directory=tmp_path / "work" / "payments"
    )
    with pytest.raises(UsageError, match="other answers") as info:
        new_service(other, settings, forge, cwd=tmp_path)
    assert "--rollback" in info.value.hint
    rollback_service("payments", settings, forge)
    new_service(other, settings, forge, cwd=tmp_path)


def test_rollback_removes_only_what_the_run_created(tmp_path, settings):
    forge = LocalForge(settings.home / "forge")
    new_service(
        NewRequest(name="orders", template="mini", owner="team-a", yes=True, directory=tmp_path / "work" / "orders"),
        settings,
        forge,
        cwd=tmp_path,
    )
    new_service(request(tmp_path), settings, forge, cwd=tmp_path)

    result = rollback_service("payments", settings, forge)

    assert not (tmp_path / "work" / "payments").exists()
    assert not forge.repo_exists("acme", "payments")
    assert forge.branch_sha("acme", "gitops", "plat/register-payments") is None
    assert [p.state for p in forge.list_pull_requests("acme", "gitops")] == ["open", "closed"]
    assert (tmp_path / "work" / "orders").is_dir() and forge.repo_exists("acme", "orders")
    assert forge.repo_exists("acme", "gitops") and forge.repo_exists("acme", "platform")
    assert any("payments" in r for r in result.removed)
    assert not journal_path(settings, "payments").exists()


def test_rollback_of_the_first_service_removes_the_gitops_repo_it_created(tmp_path, settings):
    forge = LocalForge(settings.home / "forge")
    new_service(request(tmp_path), settings, forge, cwd=tmp_path)
    rollback_service("payments", settings, forge)
    assert not forge.repo_exists("acme", "gitops")


def test_rollback_refuses_when_the_working_clone_has_new_work(tmp_path, settings):
    forge = LocalForge(settings.home / "forge")
    new_service(request(tmp_path), settings, forge, cwd=tmp_path)
    work = tmp_path / "work" / "payments"
    (work / "app" / "main.py").write_text("PORT = 1\n# my change\n")
    with pytest.raises(UsageError, match="would lose what plat did not make: .* has changes .*app/main.py"):
        rollback_service("payments", settings, forge)
    assert "my change" in (work / "app" / "main.py").read_text()
    assert forge.repo_exists("acme", "payments")


def test_rollback_without_a_run_is_an_error(tmp_path, settings):
    with pytest.raises(UsageError, match="no run"):
        rollback_service("ghost", settings, LocalForge(settings.home / "forge"))
