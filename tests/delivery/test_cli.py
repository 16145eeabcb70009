"""The delivery and DORA commands through the CLI: flags in, JSON (ids) out, one-line errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from platform_cli.cli.app import app

from .world import at, digest

runner = CliRunner()


def plat(world, monkeypatch, *args: str):
    monkeypatch.setenv("PLAT_HOME", str(world.root / "home"))
    monkeypatch.setenv("PLAT_ORG", "acme")
    return runner.invoke(app, list(args))


def test_deploy_promote_incident_rollback_and_dora_from_the_command_line(world, monkeypatch):
    world.register("pay", owner="payments")
    c1, c2 = world.commit("pay", at(0)), world.commit("pay", at(1))
    first = plat(
        world,
        monkeypatch,
        "deploy",
        "pay",
        "--env",
        "staging",
        "--digest",
        digest("1"),
        "--source",
        c1,
        "--at",
        at(1),
        "--json",
    )
    assert first.exit_code == 0, first.output
    promoted = plat(
        world,
        monkeypatch,
        "promote",
        "pay",
        "--from",
        "staging",
        "--to",
        "production",
        "--direct",
        "--at",
        at(2),
        "--json",
    )
    good = json.loads(promoted.stdout)
    assert (good["landed"], good["digest"], good["source"]) == (True, digest("1"), c1)
    bad = json.loads(
        plat(
            world,
            monkeypatch,
            "deploy",
            "pay",
            "--env",
            "production",
            "--digest",
            digest("2"),
            "--source",
            c2,
            "--direct",
            "--at",
            at(3),
            "--json",
        ).stdout
    )
    opened = json.loads(
        plat(
            world,
            monkeypatch,
            "incident",
            "open",
            "pay",
            "--title",
            "errors",
            "--cause",
            bad["id"],
            "--at",
            at(3.5),
            "--json",
        ).stdout
    )
    assert (opened["id"], opened["cause"]) == ("pay#1", bad["id"])
    back = json.loads(
        plat(world, monkeypatch, "rollback", "pay", "--env", "production", "--at", at(4), "--json").stdout
    )
    assert (back["undoes"], back["digest"], back["deploy_kind"]) == (bad["id"], digest("1"), "rollback")
    resolved = plat(world, monkeypatch, "incident", "resolve", "pay#1", "--at", at(5))
    assert resolved.exit_code == 0 and "resolved" in resolved.stdout
    result = plat(world, monkeypatch, "dora", "--since", at(0), "--until", at(24 * 7), "--json")
    m = json.loads(result.stdout)["teams"]["payments"]
    # production: the promote (c1, 2 h), the bad deploy (c2, 2 h; failed), the rollback (the one rework)
    assert (m["deployments"], m["failed_deployments"], m["rework_deployments"]) == (3, 1, 1)
    assert m["recovery_seconds"]["median"] == 3600.0
    human = plat(world, monkeypatch, "dora", "--since", at(0), "--until", at(24 * 7))
    assert human.exit_code == 0 and "team payments" in human.stdout
    report = plat(world, monkeypatch, "dora", "report", "--month", "2026-11")
    assert report.exit_code == 0 and report.stdout.startswith("# Delivery review 2026-11")
    assert "## payments" in report.stdout and "| change fail rate | 33.3% | low |" in report.stdout


def test_errors_are_one_line_with_a_hint_and_exit_1(world, monkeypatch):
    world.register("pay")
    result = plat(world, monkeypatch, "deploy", "pay", "--env", "staging", "--digest", "nope", "--source", "a" * 40)
    assert result.exit_code == 1 and "not an image digest" in result.output
    result = plat(world, monkeypatch, "incident", "resolve", "pay-3")
    assert result.exit_code == 1 and "not an incident id" in result.output
    result = plat(world, monkeypatch, "dora", "report", "--month", "2026-13")
    assert result.exit_code == 1 and "is not a month" in result.output
    result = plat(world, monkeypatch, "dora", "--since", "yesterday")
    assert result.exit_code == 1 and "--since" in result.output
