"""The Application a deploy pins keeps everything else and still validates against Argo CD's schema."""

from __future__ import annotations

import yaml

from platform_cli.delivery import application
from platform_cli.gitops import registration
from tests.test_gitops_schema import REG, validate

from .world import digest


def test_a_pinned_application_validates_and_keeps_the_rest():
    text = registration.registration_files(REG)["apps/billing-engine/production.yaml"]
    pinned = application.pin(text, "c" * 40, digest("one"))
    again = application.pin(pinned, "d" * 40, digest("two"))
    before, after = yaml.safe_load(text), yaml.safe_load(again)
    assert application.pinned(again) == ("d" * 40, digest("two"))
    assert after["spec"]["source"]["helm"]["parameters"] == [{"name": "image.digest", "value": digest("two")}]
    after["spec"]["source"]["targetRevision"] = "main"
    del after["spec"]["source"]["helm"]["parameters"]
    assert after == before  # nothing else changed
    assert validate({"pinned": yaml.safe_load(again)}) == {"pinned": None}
    assert application.owner(text) == "team-billing"
