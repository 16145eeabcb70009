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


def run(fc, real_doctor=False, doctor=same_grade, waiting=None, **kw):
    s, forge = fc.settings, fc.forge
    req = fleet.UpgradeRequest(to="0.2.0", **kw)
    collab = collaborators(s, forge) if real_doctor else fleet.Collaborators(doctor=doctor, jobs=2)
    return fleet.upgrade(req, s, forge, collab, upgrader(s, forge), waiting)


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
        return run(fleet_copy, canary=("bravo",), wave_size=5, once=True)

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
    first = run(fleet_copy, real_doctor=True, canary=("bravo",), wave_size=5, once=True)
    pr = next(x.pull_request for x in first.services if x.service == "bravo")
    fleet_copy.forge.merge_pull_request("acme", "bravo", pr)
    second = run(fleet_copy, real_doctor=True, canary=("bravo",), wave_size=5, once=True)
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

    def dies_after_the_second(path, to, on):
        result = real(path, to, on)  # the pull request is opened, then the process dies before the journal says so
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


# --- a blocking run (--wait): the sleep and the clock are handed in, so nothing here waits for real


class Team:
    """The people on the other side of a waiting run: each time it sleeps, they do `acts[n]` (merge
    pull requests, fix a finding...). The clock moves by what the run slept, never by real time."""

    def __init__(self, fc, *acts):
        self.fc, self.acts, self.slept, self.told = fc, list(acts), [], []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        assert len(self.slept) < 10, f"the run never went on: {self.told}"
        if self.acts:
            self.acts.pop(0)(self.fc)

    def clock(self) -> float:
        return sum(self.slept)

    def waiting(self) -> fleet.Waiting:
        return fleet.Waiting(sleep=self.sleep, clock=self.clock, progress=self.told.append)


def merge_open_upgrades(fc) -> None:
    for name in SERVICES:
        if (fc.forge.root / "acme" / f"{name}.git").is_dir():
            for pr in fc.forge.list_pull_requests("acme", name, "open"):
                if pr.head == "plat/upgrade-0.2.0":
                    fc.forge.merge_pull_request("acme", name, pr.id)


def nothing(fc) -> None:
    pass


def test_wait_blocks_at_the_gate_until_the_canary_merged_then_goes_on(fleet_copy):
    team = Team(fleet_copy, merge_open_upgrades)
    result = run(fleet_copy, canary=("bravo",), wave_size=5, poll=120, waiting=team.waiting())
    assert team.slept == [120]  # one look at the gate, one nap; the team merged during it
    assert result.waiting is None and not result.timed_out
    assert states(result) == {
        "bravo": "merged",
        "alpha": "pr-open",
        "charlie": "conflicts",
        "delta": "current",
        "echo": "current",
    }
    pr = next(x.pull_request for x in result.services if x.service == "bravo")
    assert team.told[:2] == [
        f"bravo: upgrade pull request #{pr} open",
        "waiting: waiting for 1 upgrade pull requests to merge: bravo; next look in 2m (Ctrl-C stops, a new run resumes)",
    ]
    merged = team.told.index(f"bravo: upgrade pull request #{pr} merged")
    assert merged < team.told.index("alpha: upgrade pull request #1 open")  # the next wave after the merge


def test_a_timeout_gives_up_waiting_with_the_reason_and_the_last_look_falls_on_it(fleet_copy):
    team = Team(fleet_copy)  # nobody merges
    result = run(fleet_copy, canary=("bravo",), wave_size=5, poll=300, timeout=700, waiting=team.waiting())
    assert team.slept == [300, 300, 100]
    assert result.timed_out and result.waiting.startswith("waiting for 1 upgrade pull requests to merge: bravo")
    assert result.to_json()["timed_out"] is True
    assert sum(1 for line in team.told if line.startswith("waiting:")) == 1  # told once, not at every look
    assert states(result)["alpha"] == "pending"


def test_a_waiting_run_killed_in_its_sleep_resumes_from_the_journal(fleet_copy):
    def killed(fc):
        raise Killed()

    with pytest.raises(Killed):
        run(fleet_copy, canary=("bravo",), wave_size=5, waiting=Team(fleet_copy, killed).waiting())
    merge_open_upgrades(fleet_copy)
    team = Team(fleet_copy)
    resumed = run(fleet_copy, canary=("bravo",), wave_size=5, waiting=team.waiting())
    assert team.slept == [] and resumed.waiting is None
    assert states(resumed)["bravo"] == "merged" and states(resumed)["alpha"] == "pr-open"
    assert end_state(fleet_copy)["bravo"][0] == (("plat/upgrade-0.2.0", "merged"),)  # one pull request, merged


def test_a_hold_for_new_high_findings_lifts_once_they_are_fixed(fleet_copy):
    """Doctor finds one high finding on bravo after its upgrade merged; the team fixes it (a commit on
    main: a new sha, doctor runs again) and the waiting run goes on to the next wave."""
    high = {"bravo": 0}

    def doctor(path):
        return DoctorSummary("bronze", 80, high.get(path.name, 0))

    def merge_and_break(fc):
        merge_open_upgrades(fc)
        high["bravo"] = 1

    def fix(fc):
        high["bravo"] = 0
        fc.forge.commit_files("acme", "bravo", "main", "main", {"FIXED.md": "fixed\n"}, "fix the finding")

    team = Team(fleet_copy, merge_and_break, nothing, fix)
    result = run(fleet_copy, doctor=doctor, canary=("bravo",), wave_size=5, poll=60, waiting=team.waiting())
    assert team.slept == [60, 60, 60]
    waits = [line for line in team.told if line.startswith("waiting:")]
    assert [w.split(";")[0] for w in waits] == [
        "waiting: waiting for 1 upgrade pull requests to merge: bravo",
        "waiting: new doctor findings at or above high after the upgrade merged: bravo (+1)",
    ]
    assert result.waiting is None and states(result)["alpha"] == "pr-open"


def test_max_open_waits_for_merges_and_counts_only_what_is_still_open(fleet_copy):
    team = Team(fleet_copy, merge_open_upgrades, merge_open_upgrades, merge_open_upgrades)
    result = run(fleet_copy, max_open=1, waiting=team.waiting())
    # alpha, bravo, charlie: one open at a time (delta and echo wait their turn to be found current)
    assert result.waiting is None and len(team.slept) == 3
    assert states(result) == {
        "alpha": "merged",
        "bravo": "merged",
        "charlie": "merged",
        "delta": "current",
        "echo": "current",
    }


def test_once_stops_at_the_gate_and_no_wait_goes_through_without_sleeping(fleet_copy):
    team = Team(fleet_copy, merge_open_upgrades)
    first = run(fleet_copy, canary=("bravo",), once=True, waiting=team.waiting())
    assert first.waiting and not first.timed_out and team.slept == []
    assert run(fleet_copy, canary=("bravo",), wait=False, waiting=team.waiting()).waiting is None
    assert team.slept == []


def test_the_cli_exits_12_when_its_timeout_passes_and_tells_progress_unless_quiet(fleet_copy, monkeypatch):
    import json

    from typer.testing import CliRunner

    from platform_cli.cli.app import app

    monkeypatch.setenv("PLAT_HOME", str(fleet_copy.settings.home))
    monkeypatch.setenv("PLAT_ORG", "acme")
    monkeypatch.setenv("PLAT_TEMPLATE_SOURCE", str(fleet_copy.settings.template_source))
    upgrade = ["fleet", "upgrade", "--to", "0.2.0", "--canary", "bravo"]

    def cli(*args):
        return CliRunner().invoke(app, list(args))

    bad = cli(*upgrade, "--poll", "soon")
    assert bad.exit_code == 1 and "--poll 'soon' is not a number of seconds or a duration" in bad.stderr
    assert cli(*upgrade, "--once", "--no-wait").exit_code == 1
    assert not (fleet_copy.settings.home / "fleet").exists()  # refused before anything ran

    human = cli(*upgrade, "--timeout", "0")
    assert human.exit_code == 12, human.output
    assert "✓ bravo upgrade pull request #1 open" in human.stderr
    assert "gave up waiting: waiting for 1 upgrade pull requests to merge: bravo" in human.stdout
    machine = cli(*upgrade, "--timeout", "0", "--poll", "1m", "--json")
    assert machine.exit_code == 12 and machine.stderr == ""
    data = json.loads(machine.stdout)
    assert data["timed_out"] is True and data["counts"] == {"pending": 4, "pr-open": 1}
    quiet = cli("--quiet", *upgrade, "--once")
    assert quiet.exit_code == 0 and quiet.stderr == "" and "waiting for 1 upgrade" in quiet.stdout


def test_a_doctor_without_result_on_a_merged_canary_holds_the_gate_until_it_has_one(fleet_copy):
    from platform_cli.errors import PlatError

    broken = {"bravo": False}

    def doctor(path):
        if broken.get(path.name):
            raise PlatError("the chart does not render")
        return DoctorSummary("bronze", 80, 0)

    def merge_and_break(fc):
        merge_open_upgrades(fc)
        broken["bravo"] = True

    def repair(fc):
        broken["bravo"] = False
        fc.forge.commit_files("acme", "bravo", "main", "main", {"FIXED.md": "fixed\n"}, "repair the chart")

    team = Team(fleet_copy, merge_and_break, repair)
    result = run(fleet_copy, doctor=doctor, canary=("bravo",), wave_size=5, poll=60, waiting=team.waiting())
    assert team.slept == [60, 60] and result.waiting is None
    assert "waiting: could not check: bravo (doctor gave no result on main: doctor: the chart does not render)" in [
        line.split(";")[0] for line in team.told
    ]
    assert states(result)["alpha"] == "pr-open"


def test_a_second_run_of_the_same_campaign_is_refused_while_one_waits(fleet_copy):
    from platform_cli import locks

    s = fleet_copy.settings
    seen = []

    def second_run(fc):
        with pytest.raises(locks.LockBusy, match="the fleet campaign upgrade-0.2.0"):
            run(fc, canary=("bravo",), once=True)
        seen.append("refused")
        merge_open_upgrades(fc)

    team = Team(fleet_copy, second_run)
    assert run(fleet_copy, canary=("bravo",), waiting=team.waiting()).waiting is None
    assert seen == ["refused"]
    lock = fleet.campaign_lock(s, fleet.journal_path(s, "0.2.0", None))
    with locks.hold(lock, "a test", wait=False):  # the lock is free again once the run ended
        pass


def test_campaign_status_during_a_waiting_run_shows_its_journal_and_writes_nothing(fleet_copy):
    s = fleet_copy.settings
    seen = []

    def look(fc):
        merge_open_upgrades(fc)  # merged: the waiting run will see it at its next look, status leaves that to it
        journal = fleet.journal_path(s, "0.2.0", None)
        before = journal.read_bytes()
        seen.append(states(fleet.campaign_status(s, fc.forge, fleet.Collaborators(same_grade))))
        assert journal.read_bytes() == before

    result = run(fleet_copy, canary=("bravo",), waiting=Team(fleet_copy, look).waiting())
    assert seen[0]["bravo"] == "pr-open" and seen[0]["alpha"] == "pending"
    assert states(fleet.campaign_status(s, fleet_copy.forge, fleet.Collaborators(same_grade))) == states(result)


def test_a_pull_request_gone_fails_its_service_and_an_unreadable_one_holds_the_gate(fleet_copy, monkeypatch):
    """The forge's NotFoundError (a 404) means gone: that service failed, the gate lets the rest go. Any
    other error reading the pull request (an outage, a refusal) is not an answer: the gate holds."""
    from platform_cli.errors import ForgeError

    first = run(fleet_copy, canary=("bravo",), wave_size=5, once=True)
    pr = next(x.pull_request for x in first.services if x.service == "bravo")
    real = type(fleet_copy.forge).get_pull_request

    def refused(self, org, repo, number):
        raise ForgeError("GitHub refused: 403 rate limit", hint="later")

    monkeypatch.setattr(type(fleet_copy.forge), "get_pull_request", refused)
    held = run(fleet_copy, canary=("bravo",), wave_size=5, once=True)
    assert states(held)["bravo"] == "pr-open" and states(held)["alpha"] == "pending"
    assert "could not check" in held.waiting and "403 rate limit" in held.waiting
    monkeypatch.setattr(type(fleet_copy.forge), "get_pull_request", real)
    (fleet_copy.forge.root / "acme" / "bravo.git" / "plat" / "pulls" / f"{pr}.json").unlink()
    gone = run(fleet_copy, canary=("bravo",), wave_size=5, once=True)
    bravo = next(x for x in gone.services if x.service == "bravo")
    assert bravo.state == "failed" and f"no pull request #{pr}" in bravo.reason
    assert states(gone)["alpha"] == "pr-open"  # the failed canary does not hold the others
