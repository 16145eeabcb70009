"""`plat new service` as a real process: killed at chosen points (the process or its whole group; KILL,
TERM, INT), one re-run converges with no leftovers; 8 runs in parallel on a fresh PLAT_HOME all succeed;
the same service twice at once is one service and the other run's exit 1 naming the first.

The kill points are git commands (git.py's observe hook pauses plat right after one): no test here
depends on how fast the machine is. Kills at random moments are bench/kills.py's (docs/hardening.md)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from platform_cli import git
from tests.conftest import write_mini_platform
from tests.hardening.processes import Paused, new_args, plat_env, run, start


@pytest.fixture
def world(tmp_path):
    source = write_mini_platform(tmp_path / "src")
    work = tmp_path / "work"
    work.mkdir()
    return {"home": tmp_path / "home", "work": work, "env": plat_env(tmp_path / "home", source), "cwd": tmp_path}


def leftovers(home: Path, work: Path) -> list[str]:
    """What a finished plat must not leave: scratch folders, repos in the making, half renders, git
    lock files, journal temp files."""
    found = [p for p in (home / "tmp").glob("*")] if (home / "tmp").is_dir() else []
    found += [p for p in (home / "forge" / ".incoming").glob("*")] if (home / "forge" / ".incoming").is_dir() else []
    found += list(work.glob("*.plat-partial"))
    found += [p for p in home.rglob("*.lock") if "locks" not in p.relative_to(home).parts and p.name != ".lock"]
    found += [p for p in home.rglob("*.tmp")]
    found += list(home.glob("templates/.new-*")) + list(home.glob("cache/.new-*"))
    return sorted(str(p) for p in found)


def converged(world: dict, names: list[str]) -> None:
    """Each service made whole, once; the shared state made once."""
    forge = world["home"] / "forge" / "acme"
    platform_refs = git.remote_refs(str(forge / "platform.git"))
    assert sorted(r for r in platform_refs if r.startswith("refs/tags/")) == ["refs/tags/v0.1.0"]
    assert git.tracked_files(forge / "platform.git", "v0.1.0"), "the release is not an empty tree"
    pulls = sorted(json.loads(p.read_text())["head"] for p in (forge / "gitops.git" / "plat" / "pulls").glob("*.json"))
    assert pulls == sorted(f"plat/register-{n}" for n in names)
    for name in names:
        refs = git.remote_refs(str(forge / f"{name}.git"))
        clone = world["work"] / name
        assert refs["refs/heads/main"] == refs["refs/heads/plat/template"] == git.rev_parse(clone, "HEAD")
        assert not git.has_changes(clone)
        ci = (clone / ".github" / "workflows" / "ci.yml").read_text()
        assert platform_refs["refs/tags/v0.1.0"] in ci
    assert leftovers(world["home"], world["work"]) == []


# (the git command after which plat is stopped, its occurrence) and what is half-done there
POINTS = {
    "platform release committed, not pushed": ("commit@plat-platform-", 1),
    "template store tagged, stamp not written": ("tag@templates/mini", 1),
    "service repo made aside, not in place": ("init@.incoming", 2),  # 1: the platform repo, 3: GitOps
    "service pushed, not recorded": ("fetch@payments.git", 1),
    "GitOps repo bootstrapped, not recorded": ("update-ref@gitops.git", 1),
    "pull request opened, not recorded": ("symbolic-ref@refs/pull/", 1),
}


def half_done(home: Path, point: str) -> None:
    """The kill left the run unfinished, as the point says."""
    journal = home / "journal" / "local" / "acme" / "payments.json"
    assert not (journal.is_file() and json.loads(journal.read_text())["complete"])
    forge = home / "forge" / "acme"
    if point == "service repo made aside, not in place":
        assert list((home / "forge" / ".incoming").iterdir()) and not (forge / "payments.git").exists()
    if point == "pull request opened, not recorded":  # its ref made, its record not yet
        assert (forge / "gitops.git" / "refs" / "pull" / "1" / "head").is_file()
        assert "pull_request" not in json.loads(journal.read_text())["steps"]


SIGNALS = [
    (signal.SIGKILL, False),
    (signal.SIGKILL, True),
    (signal.SIGTERM, False),
    (signal.SIGTERM, True),
    (signal.SIGINT, False),
    (signal.SIGINT, True),
]


@pytest.mark.parametrize(
    ("point", "how"),
    list(zip(POINTS, SIGNALS, strict=True)),
    ids=[f"{p}-{s.name}-{'group' if g else 'process'}" for p, (s, g) in zip(POINTS, SIGNALS, strict=True)],
)
def test_killed_at_a_point_one_rerun_converges_with_no_leftovers(world, point, how):
    signum, group = how
    args = new_args("payments", world["work"])
    paused = Paused(*POINTS[point], args, world["env"], world["cwd"])
    code = paused.signal(signum, group)
    assert code in (-signum, 130), f"exit {code}"  # killed, or plat's own Ctrl-C exit
    half_done(world["home"], point)

    again = run(args, world["env"], world["cwd"])
    assert again.returncode == 0, again.stderr
    converged(world, ["payments"])


def test_eight_runs_in_parallel_on_a_fresh_home_all_succeed(world):
    names = [f"svc{i}" for i in range(8)]
    procs = [start(new_args(name, world["work"]), world["env"], world["cwd"]) for name in names]
    results = [(p.communicate(timeout=600), p.returncode) for p in procs]
    assert [code for _, code in results] == [0] * 8, [err for (_, err), code in results if code]
    converged(world, names)


def test_the_same_name_twice_at_once_is_one_service_and_the_other_runs_exit_1(world):
    args = new_args("payments", world["work"])
    first = Paused("fetch@payments.git", 1, args, world["env"], world["cwd"])  # holds the service, mid-run
    second = run(args, world["env"], world["cwd"])
    assert second.returncode == 1
    assert f"service acme/payments is in use by pid {first.proc.pid}" in second.stderr

    code, _, err = first.resume()
    assert code == 0, err
    journal = world["home"] / "journal" / "local" / "acme" / "payments.json"
    written = journal.stat().st_mtime_ns
    again = run(args, world["env"], world["cwd"])
    assert again.returncode == 0 and "Already created payments" in again.stdout
    assert journal.stat().st_mtime_ns == written
    converged(world, ["payments"])
