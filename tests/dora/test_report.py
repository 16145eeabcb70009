"""`plat dora report --month`: per team the metrics, bands, change from last month, slowest stage."""

from __future__ import annotations

from platform_cli.commands import dora
from tests.delivery.world import at


def test_the_monthly_review(world):
    world.register("pay", owner="payments")
    old = world.commit("pay", at(-24 * 10))  # October 23
    world.deploy("pay", "production", old, "old", -24 * 10 + 2)  # lead time 2 h, in October
    c1 = world.commit("pay", at(0))  # November 2
    world.deploy("pay", "staging", c1, "one", 1)  # commit -> staging: 1 h
    world.deploy("pay", "production", c1, "one", 5)  # staging -> production: 4 h; lead time 5 h
    text = dora.report(world.settings, world.forge, "2026-11")
    lines = text.splitlines()
    assert lines[0] == "# Delivery review 2026-11"
    assert "## payments" in lines
    assert "1 deploys (1 the month before)." in lines
    assert "| change lead time (median) | 5.0 h | elite | 2.0 h | +3.0 h |" in lines
    assert "| change fail rate | 0.0% | elite | 0.0% | ±0.0 pt |" in lines
    assert "| recovery time (median) | — | — | — | — |" in lines
    assert (
        "Slowest stage of lead time: staging → production, median 4.0 h "
        "(commit → staging 1.0 h, staging → production 4.0 h)." in lines
    )
