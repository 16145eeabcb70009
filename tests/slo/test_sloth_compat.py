"""Sloth compatibility: the project's own prometheus/v1 fixtures (tests/slo/sloth/*.in.yaml), one per
feature Sloth's examples and integration testdata exercise, each with the rules Sloth writes for it
(*.out.yaml, derived from Sloth's documented output), compared semantically; and the specs plat must
refuse, refused before any file is written."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from platform_cli.commands import slo as slo_cmd
from platform_cli.errors import UsageError
from platform_cli.slo import rules
from platform_cli.slo import spec as spec_mod
from tests.slo import sloth_compat
from tests.slo.test_slo import HTTP_SLO, promtool

FIXTURES = Path(__file__).parent / "sloth"
CASES = sorted(p.name.removesuffix(".in.yaml") for p in FIXTURES.glob("*.in.yaml"))


def generated(name: str) -> dict:
    return rules.rule_groups(spec_mod.load(FIXTURES / f"{name}.in.yaml"))


@pytest.mark.parametrize("name", CASES)
def test_fixture_generates_sloths_rules(name):
    expected = sloth_compat.load_sloth((FIXTURES / f"{name}.out.yaml").read_text())
    assert sloth_compat.differences(generated(name), expected) == []


def test_the_fixtures_cover_every_feature():
    text = "\n".join((FIXTURES / f"{n}.in.yaml").read_text() for n in CASES)
    for feature in (
        "events:",
        "raw:",
        "\n---\n",
        "disable: true",
        "period_days: 28",
        "{{ .window }}",
        "labels:",
        "annotations:",
        "slo_plugins:",
        "info_labels",
        "rule_intervals",
        "remove_labels",
        "overridePrevious: true",
        "disableOptimized",
        "tier: 1",
        "true\n",
    ):
        assert feature in text, feature


def test_the_comparison_can_fail():
    ours = generated("events-annotations")
    for change in ("label", "expr", "annotation", "interval"):
        other = copy.deepcopy(ours)
        first = other["groups"][0]
        alert = other["groups"][2]["rules"][0]
        if change == "label":
            first["rules"][0]["labels"]["team"] = "other"
        elif change == "expr":
            first["rules"][0]["expr"] = first["rules"][0]["expr"].replace("5m", "6m")
        elif change == "annotation":
            alert["annotations"]["title"] = "changed"
        else:
            first["interval"] = "1m"
        assert sloth_compat.differences(other, ours), change


def test_number_formatting_and_the_total_guard_are_normalised():
    ours = {"groups": [{"name": "g", "rules": [{"record": "r", "expr": "(a)\n/\n((b) > 0)\n", "labels": {}}]}]}
    sloth = {"groups": [{"name": "g", "rules": [{"record": "r", "expr": "(a)\n/\n(b)\n", "labels": {}}]}]}
    assert sloth_compat.differences(ours, sloth) == []
    ours["groups"][0]["rules"][0]["expr"] = "vector(0.50)"
    sloth["groups"][0]["rules"][0]["expr"] = "vector( 0.5 )"
    assert sloth_compat.differences(ours, sloth) == []


def test_what_the_issue_found_wrong_is_right():
    page_off = {
        **HTTP_SLO,
        "slos": [{**HTTP_SLO["slos"][0], "alerting": {"name": "A", "page_alert": {"disable": True}}}],
    }
    alerts = [r for g in rules.rule_groups(spec_mod.parse(page_off))["groups"] for r in g["rules"] if "alert" in r]
    assert [a["labels"]["sloth_severity"] for a in alerts] == ["ticket"]  # a team that turned paging off
    out = rules.rule_groups(spec_mod.load(FIXTURES / "raw-28d.in.yaml"))
    meta = {r["record"]: r for r in out["groups"][1]["rules"]}
    assert meta["slo:objective:ratio"]["expr"] == "vector(0.9999998999999999)"
    assert meta["sloth_slo_info"]["labels"]["sloth_objective"] == "99.99999"
    assert "slo:sli_error:ratio_rate4w" in [r["record"] for r in out["groups"][0]["rules"]]
    labels = rules.rule_groups(spec_mod.load(FIXTURES / "events-annotations.in.yaml"))["groups"][0]["rules"][0]
    assert (labels["labels"]["critical"], labels["labels"]["tier"]) == ("true", "1")


@pytest.mark.parametrize("name", CASES)
def test_promtool_accepts_the_fixture_rules_and_their_generated_tests(name, tmp_path):
    repo = tmp_path / "svc"
    repo.mkdir()
    (repo / "slo.yaml").write_text((FIXTURES / f"{name}.in.yaml").read_text())
    slo_cmd.generate(repo)
    files = repo / "chart" / "files"
    for args in (("check", "rules", "slo-rules.yaml"), ("test", "rules", "slo-rules.test.yaml")):
        result = promtool(*args, cwd=files)
        assert result.returncode == 0, result.stdout + result.stderr


def slo_with(**changes) -> dict:
    data = copy.deepcopy(HTTP_SLO)
    data["slos"][0].update(changes)
    return data


EVENTS = HTTP_SLO["slos"][0]["sli"]["events"]
REFUSED = {  # what plat refuses (Sloth refuses it too, or it would fail in promtool / never alert): the field named
    "invalid PromQL": (
        slo_with(sli={"events": {**EVENTS, "error_query": "sum(rate(x[{{.window}}]"}}),
        "error_query is not valid PromQL",
    ),
    "__name__ label": (slo_with(labels={"__name__": "x"}), "'__name__' is not a label name"),
    "sloth_ label": (slo_with(labels={"sloth_slo": "x"}), "'sloth_slo' is not a label name"),
    "name with spaces": (slo_with(name="requests availability"), "`name` 'requests availability' is not a valid name"),
    "service with spaces": ({**HTTP_SLO, "service": "pay ments"}, "`service` 'pay ments' is not a valid name"),
    "no alerting section": (slo_with(alerting=None), "`name` is missing: an enabled page or ticket alert"),
    "same error and total": (
        slo_with(sli={"events": {**EVENTS, "error_query": EVENTS["total_query"]}}),
        "are the same query",
    ),
    "events and raw": (
        slo_with(sli={"events": EVENTS, "raw": {"error_ratio_query": "rate(x[{{.window}}])"}}),
        "both sli.events and sli.raw",
    ),
    "no window": (
        slo_with(sli={"events": {**EVENTS, "total_query": "sum(rate(x[5m]))"}}),
        "total_query must be a query using {{.window}}",
    ),
    "other template": (
        slo_with(sli={"raw": {"error_ratio_query": "rate(x[{{.window}}]) > {{.limit}}"}}),
        "uses a template other than",
    ),
    "SLI plugin": (slo_with(sli={"plugin": {"id": "sloth-common/availability"}}), "sli.plugin is not supported"),
    "unknown SLO plugin": (
        {**HTTP_SLO, "slo_plugins": {"chain": [{"id": "acme/x/v1"}]}},
        "'acme/x/v1' is not supported",
    ),
    "bad plugin config": (slo_with(plugins={"chain": [{"id": "sloth.dev/contrib/info_labels/v1"}]}), "needs labels"),
    "override without plugins": (slo_with(plugins={"overridePrevious": True, "chain": []}), "overridePrevious is set"),
    "objective 100": (slo_with(objective=100), "objective must be a percentage above 0 and below 100"),
    "empty label value": (slo_with(labels={"team": ""}), "labels.team must be a non-empty"),
    "disable not a boolean": (
        slo_with(alerting={"name": "A", "page_alert": {"disable": "yes"}}),
        "`disable` must be true or false",
    ),
    "duplicate ids across documents": ([HTTP_SLO, HTTP_SLO], "'payments-requests-availability' is declared twice"),
}


DOCUMENT_LEVEL = {  # problems of the document, or of the name itself (quoted in the message)
    "service with spaces",
    "unknown SLO plugin",
    "duplicate ids across documents",
    "name with spaces",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_specs_are_refused_naming_the_slo_and_field_before_writing(case, tmp_path):
    data, message = REFUSED[case]
    repo = tmp_path / "svc"
    (repo / "chart" / "files").mkdir(parents=True)
    docs = data if isinstance(data, list) else [data]
    (repo / "slo.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    with pytest.raises(UsageError) as info:
        slo_cmd.generate(repo)
    assert message in info.value.message and info.value.hint
    assert "\n" not in info.value.message
    assert list((repo / "chart" / "files").iterdir()) == []  # nothing written
    if case not in DOCUMENT_LEVEL:
        assert "(requests-availability)" in info.value.message  # the SLO is named


def test_a_multi_document_file_is_valid_yaml_and_generates(tmp_path):
    repo = tmp_path / "svc"
    repo.mkdir()
    other = {**HTTP_SLO, "service": "orders"}
    (repo / "slo.yaml").write_text(yaml.safe_dump_all([HTTP_SLO, other], sort_keys=False))
    result = slo_cmd.generate(repo)
    groups = yaml.safe_load(result.files["chart/files/slo-rules.yaml"])["groups"]
    assert {g["name"] for g in groups} >= {
        "sloth-slo-alerts-payments-requests-availability",
        "sloth-slo-alerts-orders-requests-availability",
    }
