"""`plat fleet upgrade` on the GitHub forge (the API double), end to end: the canary's pull request
opened on GitHub, the gate reading its state from GitHub, a merge on GitHub letting the next wave go,
a stopped campaign resumed, a re-run that changes nothing, and one repo's failure (gone, or a token
refused) reported with its reason while the others go on. No token in the output or the journal."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from platform_cli.commands import fleet
from platform_cli.commands import upgrade as upgrade_cmd
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.config import Settings
from platform_cli.fleet.status import DoctorSummary
from platform_cli.forge.github import GitHubForge, from_settings
from platform_cli.forge.github_client import Credentials
from tests.github_double import Double
from tests.github_double.fixtures import github_double  # noqa: F401 - fixture
from tests.upgrade_helpers import platform_version

UPGRADE = "plat/upgrade-0.2.0"
WRITES = ("POST", "PATCH", "PUT", "DELETE")


class Killed(BaseException):
    """A kill, as the code it interrupts sees it: nothing catches it."""


@dataclasses.dataclass
class World:
    double: Double
    settings: Settings  # the platform at 0.2.0, on the double
    writer: GitHubForge  # the people merging on GitHub

    def forge(self) -> GitHubForge:
        """A forge as a new plat process has it (its ETag cache in PLAT_HOME)."""
        return from_settings(self.settings, {"GITHUB_TOKEN": self.double.token})

    def pulls(self, name: str) -> list[tuple[str, str, bool]]:
        return [(p.head, p.state, p.merged) for p in self.double.state.repo("acme", name).pulls]

    def merge_upgrades(self) -> None:
        for (org, name), repo in sorted(self.double.state.repos.items()):
            for pull in repo.pulls:
                if pull.head == UPGRADE and pull.state == "open":
                    self.writer.merge_pull_request(org, name, pull.number)

    def snapshot(self) -> dict:
        """Every repo's branches and pull requests on the double."""
        return {
            key: (repo.branches(), [(p.number, p.head, p.state, p.merged) for p in repo.pulls])
            for key, repo in sorted(self.double.state.repos.items())
        }


def build(double: Double, base: Path, names: tuple[str, ...]) -> World:
    v1 = Settings(
        home=base / "plathome",
        template_source=platform_version(base / "p-0.1.0", "0.1.0"),
        org="acme",
        forge="github",
        github_url=double.api_url,
    )
    writer = GitHubForge(double.api_url, Credentials(token=double.token), sleep=lambda s: None)
    for name in names:
        req = NewRequest(name=name, template="mini", owner="team-a", yes=True, directory=base / "work" / name)
        new_service(req, v1, writer, cwd=base)
    v2 = dataclasses.replace(v1, template_source=platform_version(base / "p-0.2.0", "0.2.0"))
    return World(double, v2, writer)


class Team:
    """Who acts while a waiting run sleeps: `acts[n]` at its n-th nap; the clock is the naps."""

    def __init__(self, *acts):
        self.acts, self.slept, self.told = list(acts), [], []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        assert len(self.slept) < 10, f"the run never went on: {self.told}"
        if self.acts:
            self.acts.pop(0)()

    def waiting(self, world: World, reconnect: bool = True) -> fleet.Waiting:
        return fleet.Waiting(
            sleep=self.sleep,
            clock=lambda: sum(self.slept),
            progress=self.told.append,
            reconnect=world.forge if reconnect else None,
        )


def campaign(world: World, waiting: fleet.Waiting | None = None, used=None, **kw) -> fleet.CampaignResult:
    """One `plat fleet upgrade` run; `used` collects (service, forge) of each upgrade."""
    forge = world.forge()

    def upgrader(path: Path, to: str, on: GitHubForge):
        (used if used is not None else []).append((path.name, on))
        return upgrade_cmd.upgrade(upgrade_cmd.UpgradeRequest(path=path, to=to, yes=True), world.settings, on)

    collab = fleet.Collaborators(doctor=lambda path: DoctorSummary("bronze", 80, 0), jobs=1)
    req = fleet.UpgradeRequest(to="0.2.0", canary=("bravo",), wave_size=2, poll=60, **kw)
    return fleet.upgrade(req, world.settings, forge, collab, upgrader, waiting)


def states(result) -> dict[str, str]:
    return {s.service: s.state for s in result.services}


def test_a_campaign_on_github_waits_for_merges_there_and_a_failing_repo_never_stops_it(github_double, tmp_path):
    world = build(github_double, tmp_path, ("alpha", "bravo", "charlie", "delta", "echo"))
    github_double.state.delete("acme", "delta")  # gone from GitHub since it registered
    github_double.state.forbidden.append(r"^/repos/acme/echo/pulls")  # a token that may not open its PR

    team, used = Team(world.merge_upgrades, world.merge_upgrades), []
    github_double.calls.clear()
    result = campaign(world, team.waiting(world), used)

    assert team.slept == [60, 60]  # canary wave held once, the second wave once
    assert states(result) == {
        "bravo": "merged",
        "alpha": "merged",
        "charlie": "merged",
        "delta": "failed",
        "echo": "failed",
    }
    reasons = {s.service: s.reason for s in result.services if s.reason}
    assert "acme/delta" in reasons["delta"] and "not found" in reasons["delta"]
    assert (
        reasons["echo"] == "GitHub answered 403 to GET /repos/acme/echo/pulls: Resource not accessible by integration"
    )
    for name in ("alpha", "bravo", "charlie"):
        assert world.pulls(name) == [(UPGRADE, "closed", True)]  # one pull request each, merged on GitHub
    forge_of = dict(used)  # each wave upgraded through the forge of its look, opened after the last merge
    assert len({id(forge_of["bravo"]), id(forge_of["alpha"]), id(forge_of["echo"])}) == 3
    assert forge_of["alpha"] is forge_of["charlie"]
    bravo_reads = [c.status for c in github_double.calls if c.method == "GET" and c.path.endswith("/bravo/pulls/1")]
    assert bravo_reads[:2] == [200, 200]  # the gate asked GitHub: open, then (after the merge) merged
    told = "\n".join(team.told)
    assert "waiting: waiting for 1 upgrade pull requests to merge: bravo" in told
    assert "bravo: upgrade pull request #1 merged" in told and "echo: failed: " in told

    before, sent = world.snapshot(), len(github_double.calls)
    again = campaign(world, team.waiting(world))  # a re-run: only the failed ones are tried again
    assert states(again) == states(result) and team.slept == [60, 60]
    assert world.snapshot() == before
    rerun = [(c.method, c.path.split("?")[0], c.status) for c in github_double.calls[sent:]]
    assert [c for c in rerun if c[0] in WRITES] == []
    assert [c for c in rerun if c[2] != 304] == [("GET", "/api/v3/repos/acme/echo/pulls", 403)] * 2  # echo's, again

    journal = result.journal.read_text()
    for shown in (journal, json.dumps(result.to_json()), told):
        assert github_double.token not in shown
    assert json.loads(journal)["steps"]["echo"]["state"] == "failed"


def test_a_stopped_campaign_on_github_resumes_and_keeps_one_pull_request_each(github_double, tmp_path):
    world = build(github_double, tmp_path, ("alpha", "bravo", "charlie"))
    first = campaign(world, once=True)  # --once: stops at the canary's gate
    assert states(first) == {"bravo": "pr-open", "alpha": "pending", "charlie": "pending"}
    assert world.pulls("bravo") == [(UPGRADE, "open", False)]

    def killed():
        raise Killed()

    with pytest.raises(Killed):  # a blocking run, killed in its sleep at the same gate
        campaign(world, Team(killed).waiting(world))
    assert world.pulls("bravo") == [(UPGRADE, "open", False)]  # nothing opened twice

    world.merge_upgrades()
    team = Team()
    resumed = campaign(world, team.waiting(world))
    assert team.slept == [] and resumed.waiting is None  # the gate opened at once; the last wave has none
    assert states(resumed) == {"bravo": "merged", "alpha": "pr-open", "charlie": "pr-open"}

    world.merge_upgrades()
    done = campaign(world, once=True)
    assert states(done) == {"bravo": "merged", "alpha": "merged", "charlie": "merged"}
    for name in ("alpha", "bravo", "charlie"):
        assert world.pulls(name) == [(UPGRADE, "closed", True)]  # one pull request each, never two
    before, sent = world.snapshot(), len(github_double.calls)
    assert states(campaign(world, once=True)) == states(done)  # re-running a finished campaign
    assert world.snapshot() == before
    assert {(c.method, c.status) for c in github_double.calls[sent:]} == {("GET", 304)}  # free, uncounted


def test_without_a_new_forge_per_look_a_merge_on_github_stays_unseen(github_double, tmp_path):
    """Why each look opens the forge again: the GitHub forge remembers the pull requests it opened and
    the branches it read, so the same forge looking again sees the canary open forever."""
    world = build(github_double, tmp_path, ("alpha", "bravo"))
    team = Team(world.merge_upgrades)
    with pytest.raises(AssertionError, match="never went on"):
        campaign(world, team.waiting(world, reconnect=False))
    assert world.pulls("bravo") == [(UPGRADE, "closed", True)] and world.pulls("alpha") == []


def test_the_gate_holds_while_github_cannot_tell_the_canary_state_and_goes_on_once_it_can(github_double, tmp_path):
    world = build(github_double, tmp_path, ("alpha", "bravo"))
    assert states(campaign(world, once=True))["bravo"] == "pr-open"
    world.merge_upgrades()
    refused = r"^/repos/acme/bravo/pulls/\d+$"  # reading the canary's pull request: 403, as a token without access
    github_double.state.forbidden.append(refused)
    team = Team(lambda: github_double.state.forbidden.remove(refused))
    result = campaign(world, team.waiting(world))
    assert team.slept == [60] and result.waiting is None  # held one look; read again, merged: the next wave
    assert states(result) == {"bravo": "merged", "alpha": "pr-open"}
    waits = [line.split(";")[0] for line in team.told if line.startswith("waiting:")]
    assert waits == [
        "waiting: could not check: bravo (GitHub answered 403 to GET /repos/acme/bravo/pulls/1: "
        "Resource not accessible by integration)"
    ]
