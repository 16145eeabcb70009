"""Hand-computed histories, built with real git at chosen dates, give exactly the expected numbers."""

from __future__ import annotations

import pytest

from platform_cli import git
from platform_cli.commands import dora
from platform_cli.delivery import application, history
from platform_cli.dora.summary import Selection
from tests.delivery.world import at, digest

WEEK = {"since": at(0), "until": at(7 * 24)}  # one week: deploys_per_week == deployments


def measure(world, service: str | None = None, window=WEEK, **selection):
    result = dora.dora(world.settings, world.forge, Selection(service=service, **selection), **window)
    return result["services"][service] if service else result


def test_a_single_deploy(world):
    world.register("pay")
    c1 = world.commit("pay", "2026-11-02T05:30:00+05:30")  # T0 written in another time zone
    c2 = world.commit("pay", at(1))
    world.deploy("pay", "staging", c2, "one", 2)
    world.deploy("pay", "production", c2, "one", 3)
    m = measure(world, "pay")
    assert m["deployments"] == 1 and m["deploys_per_week"] == 1.0 and m["deploy_days_per_week"] == 1.0
    assert m["lead_time_seconds"] == {"median": 9000.0, "p90": 10800.0, "n": 2, "unknown_deploys": 0}
    assert (m["change_fail_rate"], m["failed_deployments"], m["rework_rate"]) == (0.0, 0, 0.0)
    assert m["recovery_seconds"] == {"median": None, "p90": None, "n": 0, "unrecovered": 0}
    assert m["bands"] == {
        "deployment_frequency": "high",
        "lead_time": "elite",
        "change_fail_rate": "elite",
        "recovery_time": None,
        "rework_rate": None,
    }
    assert [w["deployments"] for w in m["weekly"]] == [1]
    assert m["weekly"][0] == {
        "week": "2026-W45",
        "start": "2026-11-02T00:00:00Z",
        "deployments": 1,
        "lead_time_median": 9000.0,
        "change_fail_rate": 0.0,
        "recovery_median": None,
        "rework_rate": 0.0,
    }
    assert c1 != c2


def test_a_rollback_of_a_rollback(world):
    world.register("pay")
    c1, c2, c3 = (world.commit("pay", at(h)) for h in (0, 1, 2))
    world.deploy("pay", "production", c1, "one", 1)  # brings c1: 1 h
    d2 = world.deploy("pay", "production", c3, "three", 3)  # brings c2 (2 h), c3 (1 h)
    r1 = world.rollback("pay", "production", 4)  # back to one, undoes d2
    world.rollback("pay", "production", 5, to="three")  # undoes r1
    log = world.log("--format=%(trailers:key=Plat-Undoes,valueonly)", "-2").split()
    assert log == [r1, d2]
    assert c2
    m = measure(world, "pay")
    assert m["deployments"] == 4
    assert m["lead_time_seconds"] == {"median": 3600.0, "p90": 7200.0, "n": 3, "unknown_deploys": 0}
    assert (m["change_fail_rate"], m["failed_deployments"]) == (0.5, 2)
    assert m["recovery_seconds"] == {"median": 3600.0, "p90": 3600.0, "n": 2, "unrecovered": 0}
    assert (m["rework_rate"], m["rework_deployments"]) == (0.5, 2)
    assert m["bands"]["change_fail_rate"] == "low" and m["bands"]["recovery_time"] == "high"


def test_a_redeploy_of_a_deployed_digest(world):
    world.register("pay")
    c1, c2 = world.commit("pay", at(0)), world.commit("pay", at(1))
    d1 = world.deploy("pay", "production", c1, "one", 1)
    assert world.deploy("pay", "production", c1, "one", 2) == d1  # already running: nothing lands
    world.deploy("pay", "production", c2, "two", 3)  # brings c2: 2 h
    world.deploy("pay", "production", c1, "one", 4)  # back to an older digest as a normal deploy: brings none
    m = measure(world, "pay")
    assert m["deployments"] == 3
    assert m["lead_time_seconds"] == {"median": 5400.0, "p90": 7200.0, "n": 2, "unknown_deploys": 0}
    assert (m["change_fail_rate"], m["rework_rate"]) == (0.0, 0.0)


def test_an_incident_without_a_cause(world):
    world.register("pay")
    c1, c2, c3 = (world.commit("pay", at(h)) for h in (0, 1, 2))
    world.deploy("pay", "production", c1, "one", 1)
    ident = world.open_incident("pay", 2)
    world.deploy("pay", "production", c2, "two", 3)  # while the incident is open: rework
    world.resolve(ident, 4)
    world.deploy("pay", "production", c3, "three", 5)
    m = measure(world, "pay")
    assert ident == "pay#1"
    assert (m["deployments"], m["change_fail_rate"], m["failed_deployments"]) == (3, 0.0, 0)
    assert (m["rework_rate"], m["rework_deployments"]) == (pytest.approx(1 / 3), 1)
    assert m["recovery_seconds"]["n"] == 0


def test_a_hotfix_during_an_incident_counts_once(world):
    world.register("pay")
    c1, c2 = world.commit("pay", at(0)), world.commit("pay", at(2.5))
    d1 = world.deploy("pay", "production", c1, "one", 1)
    ident = world.open_incident("pay", 2, cause=d1[:10])
    world.deploy("pay", "production", c2, "fix", 3, kind="hotfix")  # hotfix and during the incident
    world.resolve(ident, 4)
    m = measure(world, "pay")
    assert (m["deployments"], m["change_fail_rate"], m["rework_rate"], m["rework_deployments"]) == (2, 0.5, 0.5, 1)
    assert m["recovery_seconds"] == {"median": 7200.0, "p90": 7200.0, "n": 1, "unrecovered": 0}
    assert m["lead_time_seconds"] == {"median": 2700.0, "p90": 3600.0, "n": 2, "unknown_deploys": 0}


def test_an_empty_window(world):
    world.register("pay")
    world.deploy("pay", "production", world.commit("pay", at(0)), "one", 1)
    m = measure(world, "pay", window={"since": at(24 * 7), "until": at(24 * 14)})
    assert m["deployments"] == 0 and m["deploys_per_week"] == 0.0
    assert m["lead_time_seconds"] == {"median": None, "p90": None, "n": 0, "unknown_deploys": 0}
    assert (m["change_fail_rate"], m["rework_rate"]) == (None, None)
    assert m["bands"] == {
        "deployment_frequency": "low",
        "lead_time": None,
        "change_fail_rate": None,
        "recovery_time": None,
        "rework_rate": None,
    }
    assert [w["deployments"] for w in m["weekly"]] == [0]


def test_a_force_pushed_source_is_unknown_and_reported(world):
    world.register("pay")
    c1 = world.commit("pay", at(0))
    c2 = world.commit("pay", at(1))
    world.deploy("pay", "production", c1, "one", 1)  # brings c1: 1 h
    d2 = world.deploy("pay", "production", c2, "two", 2)
    git.run(["reset", "-q", "--hard", c1], world.work("pay"))
    c3 = world.commit("pay", at(3), "rewritten")  # force-pushed: c2 is gone from every branch
    world.deploy("pay", "production", c3, "three", 4)
    result = measure(world)
    m = result["services"]["pay"]
    assert m["deployments"] == 3
    assert m["lead_time_seconds"] == {"median": 3600.0, "p90": 3600.0, "n": 1, "unknown_deploys": 2}
    assert result["unknown_sources"] == [{"service": "pay", "deploy": d2, "source": c2}]


def test_teams_and_org_pool_their_services(world):
    world.register("pay", owner="payments")
    world.register("ledger", owner="payments")
    world.register("web", owner="front")
    world.deploy("pay", "production", world.commit("pay", at(0)), "p", 1)  # 1 h
    world.deploy("ledger", "production", world.commit("ledger", at(0)), "l", 3)  # 3 h
    world.deploy("web", "production", world.commit("web", at(0)), "w", 24 * 8)  # after the window
    result = measure(world)
    assert result["window"] == {"since": "2026-11-02T00:00:00Z", "until": "2026-11-09T00:00:00Z"}
    assert sorted(result["teams"]) == ["front", "payments"]
    assert result["teams"]["payments"]["lead_time_seconds"]["median"] == 7200.0
    assert result["teams"]["front"]["deployments"] == 0
    assert result["org"]["deployments"] == 2 and result["org"]["lead_time_seconds"]["n"] == 2
    only = dora.dora(world.settings, world.forge, Selection(team="front"), **WEEK)
    assert sorted(only["services"]) == ["web"]


def test_a_deploy_plat_did_not_make_is_recognised_from_its_diff(world):
    """An Application edit without trailers that changes the pinned commit or digest is a deploy; an
    edit that changes neither (a comment, a sync option) is not."""
    world.register("pay")
    c1 = world.commit("pay", at(0))
    path = "apps/pay/production.yaml"
    by_hand = application.pin(git.show(world.gitops, "main", path) + "\n", c1, digest("by-hand"))
    for text, message, hours in ((by_hand, "bump pay by hand", 2), (by_hand + "# a comment\n", "comment", 3)):
        sha = git.commit_tree(world.gitops, git.rev_parse(world.gitops, "main"), {path: text}, message, at(hours))
        git.run(["update-ref", "refs/heads/main", sha], world.gitops)
    m = measure(world, "pay")
    assert m["deployments"] == 1
    assert m["lead_time_seconds"] == {"median": 7200.0, "p90": 7200.0, "n": 1, "unknown_deploys": 0}


def z(hours: float) -> str:
    """at(hours) as the JSON writes instants: UTC, `Z`."""
    return at(hours).replace("+00:00", "Z")


def test_a_services_timeline_lists_the_deploys_counted_and_which_failed(world):
    world.register("pay")
    c1, c2, c3 = (world.commit("pay", at(h)) for h in (0, 1, 2))
    d1 = world.deploy("pay", "production", c1, "one", 1)
    d2 = world.deploy("pay", "production", c3, "three", 3)
    r1 = world.rollback("pay", "production", 4)  # undoes d2: failed
    r2 = world.rollback("pay", "production", 5, to="three")  # undoes r1: failed
    world.deploy("pay", "staging", c2, "two", 2)  # another environment: not counted, not listed
    world.deploy("pay", "production", c2, "two", 24 * 8)  # after the window: not listed
    m = measure(world, "pay")
    assert m["deploys"] == [
        {"id": d1, "at": z(1), "kind": "normal", "failed": False},
        {"id": d2, "at": z(3), "kind": "normal", "failed": True},
        {"id": r1, "at": z(4), "kind": "rollback", "failed": True},
        {"id": r2, "at": z(5), "kind": "rollback", "failed": False},
    ]
    assert len(m["deploys"]) == m["deployments"]
    assert sum(d["failed"] for d in m["deploys"]) == m["failed_deployments"]
    assert m["incidents"] == []


def test_a_services_timeline_lists_its_incidents_overlapping_the_window(world):
    world.register("pay")
    world.register("web")
    c1, c2 = world.commit("pay", at(0)), world.commit("pay", at(2.5))
    d1 = world.deploy("pay", "production", c1, "one", 1)
    ident = world.open_incident("pay", 2, cause=d1[:10])  # names d1: d1 failed
    hotfix = world.deploy("pay", "production", c2, "fix", 3, kind="hotfix")
    world.resolve(ident, 4)
    later = world.open_incident("pay", 24 * 6)  # open past the window's end
    world.open_incident("web", 3)  # another service's
    world.open_incident("pay", 24 * 7 + 1, title="it broke again")  # opened after the window
    m = measure(world, "pay")
    assert m["deploys"] == [
        {"id": d1, "at": z(1), "kind": "normal", "failed": True},
        {"id": hotfix, "at": z(3), "kind": "hotfix", "failed": False},
    ]
    assert m["incidents"] == [
        {"id": "pay#1", "title": "it broke", "opened": z(2), "resolved": z(4), "cause": d1},
        {"id": later, "title": "it broke", "opened": z(24 * 6), "resolved": None, "cause": None},
    ]
    next_week = measure(world, "pay", window={"since": at(24 * 7), "until": at(24 * 14)})
    assert [i["id"] for i in next_week["incidents"]] == [later, "pay#3"]  # pay#1 was resolved before it
    assert next_week["deploys"] == []
    everyone = measure(world)
    assert "deploys" not in everyone["org"] and all("incidents" not in t for t in everyone["teams"].values())
    assert [i["id"] for i in everyone["services"]["web"]["incidents"]] == ["web#1"]


def by_hand(world, service: str, env: str, source: str, image: str, hours: float) -> str:
    """A commit without trailers that pins the Application to `source` and the digest of `image` (a deploy
    made by hand, or by an older workflow), landed on main at T0 + hours."""
    path = f"apps/{service}/{env}.yaml"
    text = application.pin(git.show(world.gitops, "main", path) or "", source, digest(image))
    sha = git.commit_tree(world.gitops, git.rev_parse(world.gitops, "main"), {path: text}, f"pin {image}", at(hours))
    git.run(["update-ref", "refs/heads/main", sha], world.gitops)
    return sha


def test_a_rollback_by_hand_undoes_the_deploy_it_reverts(world):
    """Putting back by hand the digest that ran before the last deploy is a rollback of that deploy: the
    deploy failed, the revert recovered it and is rework, and it brings no commit."""
    world.register("pay")
    c1, c2 = world.commit("pay", at(0)), world.commit("pay", at(1))
    d1 = world.deploy("pay", "production", c1, "one", 1)  # brings c1: 1 h
    d2 = world.deploy("pay", "production", c2, "two", 2)  # brings c2: 1 h
    revert = by_hand(world, "pay", "production", c1, "one", 3)
    (recognised,) = [d for d in history.read(world.gitops).deploys if d.id == revert]
    assert (recognised.kind, recognised.undoes, recognised.by_trailers) == ("rollback", d2, False)
    m = measure(world, "pay")
    assert m["deploys"] == [
        {"id": d1, "at": z(1), "kind": "normal", "failed": False},
        {"id": d2, "at": z(2), "kind": "normal", "failed": True},
        {"id": revert, "at": z(3), "kind": "rollback", "failed": False},
    ]
    assert (m["deployments"], m["failed_deployments"], m["change_fail_rate"]) == (3, 1, pytest.approx(1 / 3))
    assert m["recovery_seconds"] == {"median": 3600.0, "p90": 3600.0, "n": 1, "unrecovered": 0}
    assert (m["rework_deployments"], m["rework_rate"]) == (1, pytest.approx(1 / 3))
    assert m["lead_time_seconds"] == {"median": 3600.0, "p90": 3600.0, "n": 2, "unknown_deploys": 0}


def test_a_rollback_by_hand_of_a_rollback_by_hand(world):
    """The same numbers as plat's own rollback of a rollback: every revert undoes the deploy before it."""
    world.register("pay")
    c1, c2 = world.commit("pay", at(0)), world.commit("pay", at(0.5))
    world.deploy("pay", "production", c1, "one", 1)
    two = by_hand(world, "pay", "production", c2, "two", 2)  # a new digest: a normal deploy
    back = by_hand(world, "pay", "production", c1, "one", 3)  # undoes `two`
    again = by_hand(world, "pay", "production", c2, "two", 4)  # undoes `back`
    m = measure(world, "pay")
    assert [(d["id"], d["kind"], d["failed"]) for d in m["deploys"][1:]] == [
        (two, "normal", True),
        (back, "rollback", True),
        (again, "rollback", False),
    ]
    assert (m["deployments"], m["change_fail_rate"], m["rework_rate"]) == (4, 0.5, 0.5)
    assert m["recovery_seconds"] == {"median": 3600.0, "p90": 3600.0, "n": 2, "unrecovered": 0}


def test_hand_deploys_that_restore_nothing_just_before_are_normal(world):
    """Back to a digest older than the one before the last deploy, or to a new one: not a rollback (plat
    cannot tell a revert from a planned redeploy there); an edit that pins the same is no deploy."""
    world.register("pay")
    c1, c2, c3 = (world.commit("pay", at(h)) for h in (0, 0.5, 1))
    world.deploy("pay", "production", c1, "one", 1)
    world.deploy("pay", "production", c2, "two", 2)
    world.deploy("pay", "production", c3, "three", 3)
    older = by_hand(world, "pay", "production", c1, "one", 4)  # two deploys back
    by_hand(world, "pay", "production", c1, "one", 5)  # the same pins: no deploy
    fresh = by_hand(world, "pay", "production", c3, "four", 6)  # a digest never deployed
    m = measure(world, "pay")
    assert [(d["id"], d["kind"]) for d in m["deploys"][3:]] == [(older, "normal"), (fresh, "normal")]
    assert (m["deployments"], m["change_fail_rate"], m["rework_rate"]) == (5, 0.0, 0.0)
