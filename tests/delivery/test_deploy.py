"""plat deploy / promote / rollback on the local forge: what lands in the GitOps repo."""

from __future__ import annotations

import threading

import pytest
import yaml

from platform_cli import git
from platform_cli.commands import deploy as deploy_cmd
from platform_cli.commands import deploy_rollback
from platform_cli.delivery import history, trailers
from platform_cli.errors import UsageError

from .world import ORG, at, digest, epoch


def test_a_deploy_pins_the_application_in_one_commit_with_trailers(world):
    world.register("pay")
    src = world.commit("pay", at(0))
    out = deploy_cmd.deploy(world.settings, world.forge, "pay", "staging", digest("one"), src)
    assert out.changed and out.landed and out.id == git.rev_parse(world.gitops, "main")
    app = yaml.safe_load(git.show(world.gitops, "main", "apps/pay/staging.yaml"))
    assert app["spec"]["source"]["targetRevision"] == src
    assert app["spec"]["source"]["helm"] == {
        "valueFiles": ["values.yaml", "values-staging.yaml"],
        "parameters": [{"name": "image.digest", "value": digest("one")}],
    }
    assert trailers.parse(world.log("-1", "--format=%B")) == {
        "Plat-Service": "pay",
        "Plat-Environment": "staging",
        "Plat-Digest": digest("one"),
        "Plat-Source": src,
        "Plat-Kind": "normal",
    }
    assert world.log("-1", "--format=%s") == f"deploy(pay): staging -> {digest('one')}"
    assert git.run(["diff", "--name-only", "main~1", "main"], world.gitops) == "apps/pay/staging.yaml"


def test_deploying_what_is_deployed_changes_nothing_and_names_the_running_deploy(world):
    world.register("pay")
    src = world.commit("pay", at(0))
    first = deploy_cmd.deploy(world.settings, world.forge, "pay", "staging", digest("one"), src)
    again = deploy_cmd.deploy(world.settings, world.forge, "pay", "staging", digest("one"), src)
    assert (again.changed, again.id) == (False, first.id)
    assert git.rev_parse(world.gitops, "main") == first.id


def test_production_goes_through_a_pull_request_whose_merge_is_the_deploy(world, monkeypatch):
    world.register("pay")
    src = world.commit("pay", at(0))
    out = deploy_cmd.deploy(world.settings, world.forge, "pay", "production", digest("one"), src)
    assert not out.landed and out.id is None and out.pull_request.head == "plat/deploy-pay-production"
    assert "Plat-Kind: normal" in out.pull_request.body
    monkeypatch.setenv("GIT_COMMITTER_DATE", at(5))
    world.forge.merge_pull_request(ORG, "gitops", out.pull_request.id)
    merge = git.rev_parse(world.gitops, "main")
    [deploy] = history.read(world.gitops).of("pay", "production")
    assert (deploy.id, deploy.landed, deploy.source, deploy.digest) == (merge, epoch(5), src, digest("one"))


def test_direct_deploys_setting_lands_production_directly(tmp_path):
    from .world import World

    world = World(tmp_path, direct_deploys="production")
    world.register("pay")
    src = world.commit("pay", at(0))
    out = deploy_cmd.deploy(world.settings, world.forge, "pay", "production", digest("one"), src)
    assert out.landed and out.id == git.rev_parse(world.gitops, "main")


def test_promote_deploys_exactly_what_runs_in_staging(world):
    world.register("pay")
    src = world.commit("pay", at(0))
    world.deploy("pay", "staging", src, "one", 1)
    out = deploy_cmd.promote(world.settings, world.forge, "pay", "staging", "production", direct=True)
    assert (out.request.digest, out.request.source, out.landed) == (digest("one"), src, True)
    pins = yaml.safe_load(git.show(world.gitops, "main", "apps/pay/production.yaml"))["spec"]["source"]
    assert pins["targetRevision"] == src


def test_promote_with_nothing_in_staging_is_refused(world):
    world.register("pay")
    with pytest.raises(UsageError, match="nothing deployed to staging"):
        deploy_cmd.promote(world.settings, world.forge, "pay", "staging", "production")


def test_rollback_goes_back_to_the_previous_good_deploy_and_names_the_undone_one(world):
    world.register("pay")
    c1, c2, c3 = (world.commit("pay", at(h)) for h in (0, 1, 2))
    d1 = world.deploy("pay", "production", c1, "one", 1)
    d2 = world.deploy("pay", "production", c2, "two", 2)
    world.open_incident("pay", 2.5, cause=d2)  # d2 failed: not a rollback target
    d3 = world.deploy("pay", "production", c3, "three", 3)
    out = deploy_rollback.rollback(world.settings, world.forge, "pay", "production")
    assert (out.request.digest, out.request.source, out.request.undoes, out.request.kind) == (
        digest("one"),
        c1,
        d3,
        "rollback",
    )
    assert out.landed and f"Plat-Undoes: {d3}" in world.log("-1", "--format=%B")
    assert world.log("-1", "--format=%s") == f"rollback(pay): production -> {digest('one')}"
    assert d1 != d2


def test_rollback_to_a_digest_never_deployed_is_refused(world):
    world.register("pay")
    world.deploy("pay", "production", world.commit("pay", at(0)), "one", 1)
    with pytest.raises(UsageError, match="was never deployed"):
        deploy_rollback.rollback(world.settings, world.forge, "pay", "production", digest("nope"))
    with pytest.raises(UsageError, match="no earlier good deploy"):
        deploy_rollback.rollback(world.settings, world.forge, "pay", "production")


@pytest.mark.parametrize(
    ("service", "env", "image", "source", "message"),
    [
        ("nope", "staging", digest("x"), "a" * 40, "has no Application"),
        ("pay", "qa", digest("x"), "a" * 40, "has no Application"),
        ("pay", "staging", "sha256:short", "a" * 40, "not an image digest"),
        ("pay", "staging", digest("x"), "main", "not a full commit sha"),
        ("pay", "staging", digest("x"), "a" * 40, "not a deploy kind"),
    ],
)
def test_bad_input_is_refused_and_nothing_lands(world, service, env, image, source, message):
    world.register("pay")
    before = git.rev_parse(world.gitops, "main")
    kind = "rollback" if "kind" in message else "normal"
    with pytest.raises(UsageError, match=message):
        deploy_cmd.deploy(world.settings, world.forge, service, env, image, source, kind)
    assert git.rev_parse(world.gitops, "main") == before


def test_dry_run_changes_nothing(world):
    world.register("pay")
    before = git.rev_parse(world.gitops, "main")
    out = deploy_cmd.deploy(world.settings, world.forge, "pay", "staging", digest("x"), "a" * 40, dry_run=True)
    assert out.changed and not out.landed and git.rev_parse(world.gitops, "main") == before


def test_concurrent_deploys_of_different_services_all_land(world):
    services = [f"svc{i}" for i in range(6)]
    sources = {}
    for s in services:
        world.register(s)
        sources[s] = world.commit(s, at(0))
    errors = []

    def run(service):
        try:
            deploy_cmd.deploy(world.settings, world.forge, service, "staging", digest(service), sources[service])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    landed = {d.service for d in history.read(world.gitops).deploys}
    assert landed == set(services)


def test_every_commit_honours_git_dates_from_the_environment(world, monkeypatch):
    world.register("pay")
    src = world.commit("pay", at(0))
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-03T10:00:00+02:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-03T11:00:00+02:00")
    deploy_cmd.deploy(world.settings, world.forge, "pay", "staging", digest("one"), src)
    assert world.log("-1", "--format=%aI %cI") == "2026-11-03T10:00:00+02:00 2026-11-03T11:00:00+02:00"


def test_at_backfills_a_past_deploy_on_main(world):
    world.register("pay")
    src = world.commit("pay", at(0))
    out = deploy_cmd.deploy(
        world.settings, world.forge, "pay", "production", digest("one"), src, at="2026-10-01T12:00:00+05:30"
    )
    assert out.landed  # a backfill never waits on a pull request
    assert world.log("-1", "--format=%at %ct") == "1790836200 1790836200"  # 2026-10-01T06:30:00Z


def test_one_services_history_read_alone_is_the_same_as_from_the_whole(world):
    """What a rollback reads (one service's Application and incidents, first-parent line only) names
    the same deploys and incidents as the whole history, a pull request merge included."""
    for s in ("pay", "web"):
        world.register(s)
    c1, c2 = world.commit("pay", at(0)), world.commit("pay", at(1))
    d1 = world.deploy("pay", "production", c1, "one", 1)
    world.deploy("web", "production", world.commit("web", at(0)), "w", 2)
    world.open_incident("pay", 2.5, cause=d1)
    pr = deploy_cmd.deploy(world.settings, world.forge, "pay", "production", digest("two"), c2).pull_request
    world.deploy("web", "staging", world.commit("web", at(3)), "w2", 3)
    world.forge.merge_pull_request(ORG, "gitops", pr.id)
    whole = history.read(world.gitops)
    alone = history.read(world.gitops, paths=("apps/pay/production.yaml", "incidents/pay/"))
    assert alone.of("pay", "production") == whole.of("pay", "production")
    assert [d.source for d in alone.of("pay", "production")] == [c1, c2]
    assert alone.incidents == whole.incidents


def test_rollback_reads_the_whole_history_when_the_recent_part_has_no_good_deploy(world, monkeypatch):
    from platform_cli.delivery import deploys

    monkeypatch.setattr(deploys, "RECENT", 3)  # the newest 3 commits hold d2, d3 and the incidents only
    world.register("pay")
    c1, c2, c3 = (world.commit("pay", at(h)) for h in (0, 1, 2))
    world.deploy("pay", "production", c1, "one", 1)
    d2 = world.deploy("pay", "production", c2, "two", 2)
    world.open_incident("pay", 2.5, cause=d2, title="two broke")
    d3 = world.deploy("pay", "production", c3, "three", 3)
    world.open_incident("pay", 3.5, cause=d3, title="three broke")
    out = deploy_rollback.rollback(world.settings, world.forge, "pay", "production")
    assert (out.request.digest, out.request.source, out.request.undoes) == (digest("one"), c1, d3)
