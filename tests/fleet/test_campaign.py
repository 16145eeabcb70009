"""`plat fleet upgrade`: waves, the journal, a resumed campaign, and failures kept to their repo."""

from __future__ import annotations

import pytest

from platform_cli import git
from platform_cli.commands import fleet
from platform_cli.fleet import campaign, shards
from platform_cli.fleet.status import DoctorSummary

from .conftest import SERVICES, collaborators, copy_of, upgrader

BEHIND = ("alpha", "bravo", "charlie")


def same_grade(path):
    """A doctor stand-in that grades every repo alike, where the test is not about doctor (it is slow)."""
    return DoctorSummary("bronze", 80, 0)


def run(fc, real_doctor=False, **kw):
    s, forge = fc.settings, fc.forge
    req = fleet.UpgradeRequest(to="0.2.0", **kw)
    collab = collaborators(s, forge) if real_doctor else fleet.Collaborators(doctor=same_grade, jobs=2)
    return fleet.upgrade(req, s, forge, collab, upgrader(s, forge))


def states(result) -> dict[str, str]:
    return {s.service: s.state for s in result.services}


def end_state(fc) -> dict[str, tuple]:
    """What the forge holds per service: its upgrade pull requests (head, state) and branches, and the
    tree the upgrade branch proposes."""
    out = {}
    for name in SERVICES:
        repo = fc.forge.root / "acme" / f"{name}.git"
        if not repo.is_dir():
            continue
        pulls = [(p.head, p.state) for p in fc.forge.list_pull_requests("acme", name) if p.head.startswith("plat/upg")]
        branches = git.run(["for-each-ref", "--format=%(refname)", "refs/heads"], repo).split()
        tree = (
            git.resolve(repo, "refs/heads/plat/upgrade-0.2.0^{tree}")
            if "refs/heads/plat/upgrade-0.2.0" in branches
            else None
        )
        out[name] = (tuple(pulls), tuple(branches), tree)
    return out


def test_waves_are_canaries_first_then_name_order():
    assert campaign.waves(["e", "b", "a", "d", "c"], ("d", "zz"), 2) == (("d",), ("a", "b"), ("c", "e"))
    assert campaign.waves(["b", "a"], (), 5) == (("a", "b"),)
    assert campaign.waves([], ("a",), 3) == ()


def test_no_wait_opens_every_upgrade_pull_request_once(fleet_copy):
    result = run(fleet_copy, wait=False, wave_size=2)
    assert states(result) == {
        "alpha": "pr-open",
        "bravo": "pr-open",
        "charlie": "conflicts",
        "delta": "current",
        "echo": "current",
    }
    assert result.waiting is None
    again = run(fleet_copy, wait=False, wave_size=2)  # re-running changes nothing that is done
    assert states(again) == states(result)
    ends = end_state(fleet_copy)
    for name in BEHIND:
        assert ends[name][0] == (("plat/upgrade-0.2.0", "open"),)
    assert ends["echo"][0] == () and ends["delta"][0] == ()


def test_the_next_wave_waits_for_the_previous_one_to_merge(fleet_copy):
    """Doctor grades every repo alike here: the gate's merge rule alone."""
    s, forge = fleet_copy.settings, fleet_copy.forge
    same = fleet.Collaborators(doctor=same_grade, jobs=2)

    def go():
        return run(fleet_copy, canary=("bravo",), wave_size=5)

    first = go()
    assert states(first)["bravo"] == "pr-open" and states(first)["alpha"] == "pending"
    assert "waiting for 1 upgrade pull requests to merge: bravo" in first.waiting
    assert states(go()) == states(first)  # still waiting: nothing changes
    pr = next(x.pull_request for x in first.services if x.service == "bravo")
    forge.merge_pull_request("acme", "bravo", pr)
    second = go()
    assert second.waiting is None
    assert states(second) == {
        "bravo": "merged",
        "alpha": "pr-open",
        "charlie": "conflicts",
        "delta": "current",
        "echo": "current",
    }
    assert states(fleet.campaign_status(s, forge, same)) == states(second)


def test_a_merged_wave_with_new_high_findings_holds_the_next(fleet_copy):
    """The mini template's 0.2.0 adds a workflow doctor grades high: once bravo's upgrade merges, the
    real doctor sees one more high finding than before, and the rollout stops there."""
    first = run(fleet_copy, real_doctor=True, canary=("bravo",), wave_size=5)
    pr = next(x.pull_request for x in first.services if x.service == "bravo")
    fleet_copy.forge.merge_pull_request("acme", "bravo", pr)
    second = run(fleet_copy, real_doctor=True, canary=("bravo",), wave_size=5)
    assert second.waiting == "new doctor findings at or above high after the upgrade merged: bravo (+1)"
    assert states(second)["bravo"] == "merged" and states(second)["alpha"] == "pending"
    assert run(fleet_copy, canary=("bravo",), wave_size=5, wait=False).waiting is None  # --no-wait goes on


def test_max_open_holds_back_the_rest(fleet_copy):
    result = run(fleet_copy, wait=False, max_open=1)
    assert sorted(states(result).values()).count("pr-open") + sorted(states(result).values()).count("conflicts") == 1
    assert "--max-open" in result.waiting


class Killed(BaseException):
    """What a kill looks like to the code it interrupts: not an Exception, nothing catches it."""


@pytest.fixture(scope="module")
def one_run(built, tmp_path_factory):
    """The campaign run once, uninterrupted, on its own copy: its states and the forge's end state."""
    from tests.conftest import hermetic_session_env

    straight = copy_of(built, tmp_path_factory.mktemp("one-run") / "fleet")
    with hermetic_session_env(straight.root / "env"):
        return states(run(straight, wait=False)), end_state(straight)


def test_shards_add_up_to_one_run(one_run, fleet_copy):
    for shard in ("1/2", "2/2"):
        run(fleet_copy, wait=False, shard=shard)
    assert end_state(fleet_copy) == one_run[1]
    plan = fleet.plan(fleet_copy.settings, fleet_copy.forge, 3).to_json()
    assert [m["shard"] for m in plan["matrix"]["include"]] == ["1/3", "2/3", "3/3"]
    assert sorted(n for m in plan["matrix"]["include"] for n in m["services"].split(",")) == list(SERVICES)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7, 40])
def test_the_matrix_plan_covers_every_service_exactly_once(count):
    for size in (0, 1, 6, 13, 41):
        names = [f"svc-{i:03d}" for i in reversed(range(size))]
        dealt = [n for _, part in shards.split(names, count) for n in part]
        assert sorted(dealt) == sorted(names) and len(dealt) == len(set(dealt))
        sizes = [len(part) for _, part in shards.split(names, count)]
        assert len(sizes) == count and max(sizes) - min(sizes) <= 1
        assert all(shards.take(names, s) == part for s, part in shards.split(names, count))


def test_a_campaign_killed_mid_wave_resumes_to_the_same_end_state(built, tmp_path, one_run):
    whole, straight_end = one_run
    killed = copy_of(built, tmp_path / "b")
    s, forge = killed.settings, killed.forge
    real, calls = upgrader(s, forge), []

    def dies_after_the_second(path, to):
        result = real(path, to)  # the pull request is opened, then the process dies before the journal says so
        calls.append(path.name)
        if len(calls) == 2:
            raise Killed()
        return result

    with pytest.raises(Killed):
        fleet.upgrade(
            fleet.UpgradeRequest(to="0.2.0", wait=False),
            s,
            forge,
            fleet.Collaborators(same_grade),
            dies_after_the_second,
        )
    resumed = run(killed, wait=False)
    assert states(resumed) == whole
    assert end_state(killed) == straight_end


def test_one_failing_repo_never_stops_the_others(fleet_copy):
    fleet_copy.forge.delete_repo("acme", "alpha")
    result = run(fleet_copy, wait=False)
    failed = next(s for s in result.services if s.service == "alpha")
    assert failed.state == "failed" and "alpha" in failed.reason
    assert states(result)["bravo"] == "pr-open" and states(result)["charlie"] == "conflicts"


def test_bad_flags_are_usage_errors(fleet_copy):
    from platform_cli.errors import UsageError

    with pytest.raises(UsageError, match="wave-size"):
        run(fleet_copy, wave_size=0)
    with pytest.raises(UsageError, match="not registered"):
        run(fleet_copy, selection=fleet.Selection(services=("nope",)))
    with pytest.raises(UsageError):
        run(fleet_copy, shard="3/2")
