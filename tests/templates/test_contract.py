"""The contract between the templates and the CLI: questions, answers file, required paths,
ownership zones, determinism, and the shared-file sync."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from platform_cli.errors import PlatError
from platform_cli.rendering.release_render import list_files

from . import ownership
from .conftest import REPO, render_service
from .matrix import CASE_IDS, CASES, TEMPLATES, Case

COMMON_QUESTIONS = [
    "service_name",
    "owner",
    "description",
    "system",
    "lifecycle",
    "cost_center",
    "org",
    "platform_repo",
    "platform_repo_url",
    "platform_ref",
    "platform_version",
    "platform_team",
    "registry",
    "with_database",
    "with_bucket",
    "with_function",
]
NO_DEFAULT = {"service_name", "owner"}
TYPE_QUESTIONS = {"http-api": ["port"], "worker": ["port"], "cronjob": ["schedule"]}
REQUIRED_PATHS = [
    "chart/Chart.yaml",
    "chart/values.yaml",
    "chart/values-staging.yaml",
    "chart/values-production.yaml",
    "chart/values.schema.json",
    "chart/templates/NOTES.txt",
    "catalog-info.yaml",
    ".github/CODEOWNERS",
    "slo.yaml",
    "terraform/environments/staging",
    "terraform/environments/production",
    "README.md",
    "docs/runbook.md",
    "app",
    "tests",
    "Dockerfile",
    ".copier-answers.yml",
]


def copier_yml(template: str) -> dict:
    return yaml.safe_load((REPO / "templates" / template / "copier.yml").read_text())


def questions(template: str) -> dict:
    return {k: v for k, v in copier_yml(template).items() if not k.startswith("_")}


def rendered_files(root: Path):
    return list(list_files(root))  # every file of the working tree, .git left out


@pytest.mark.parametrize("template", TEMPLATES)
def test_copier_settings_follow_the_cli_contract(template):
    conf = copier_yml(template)
    assert conf["_subdirectory"] == "template"
    assert conf["_templates_suffix"] == ".jinja"
    assert conf["_answers_file"] == ".copier-answers.yml"
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(conf)
    answers_template = REPO / "templates" / template / "template" / "{{ _copier_conf.answers_file }}.jinja"
    assert "_copier_answers|to_nice_yaml" in answers_template.read_text().replace(" ", "")


@pytest.mark.parametrize("template", TEMPLATES)
def test_questions_have_help_defaults_and_shared_names(template):
    qs = questions(template)
    asked = [name for name, q in qs.items() if q.get("when") is not False]
    assert set(asked) == set(COMMON_QUESTIONS + TYPE_QUESTIONS[template])
    for name, q in qs.items():
        assert q.get("help"), f"{template}: question {name} has no help"
        assert ("default" in q) != (name in NO_DEFAULT), f"{template}: {name} default presence is wrong"
    common = {name: questions("http-api")[name] for name in COMMON_QUESTIONS}
    assert {name: qs[name] for name in COMMON_QUESTIONS} == common, "common questions differ between templates"


@pytest.mark.parametrize(
    "answers",
    [
        {"service_name": "Orders", "owner": "payments"},
        {"service_name": "1orders", "owner": "payments"},
        {"service_name": "orders-", "owner": "payments"},
        {"service_name": "a" * 64, "owner": "payments"},
        {"service_name": "orders", "owner": "Payments"},
        {"service_name": "orders", "owner": "p"},
        {"service_name": "orders", "owner": "payments", "platform_ref": "main"},
        {"service_name": "orders", "owner": "payments", "platform_version": "v1"},
        {"service_name": "orders", "owner": "payments", "port": 80},
    ],
    ids=lambda a: ",".join(f"{k}={v}" for k, v in a.items() if k != "owner" or a[k] != "payments")[:60],
)
def test_invalid_answers_are_rejected(answers, tmp_path):
    """By plat's own checks or the template's validators: one message, a hint, nothing left behind."""
    with pytest.raises(PlatError) as info:
        render_service(Case("http-api", "invalid", answers), tmp_path / "out")
    assert info.value.hint
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.parent.glob(f"plat/{tmp_path.name}-*/plathome/journal/**/*.json"))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_required_paths_exist(case, renders):
    root = renders[case.id]
    missing = [p for p in REQUIRED_PATHS if not (root / p).exists()]
    assert not missing
    workflows = sorted(p.name for p in (root / ".github" / "workflows").glob("*.yml"))
    assert workflows == ["ci.yml", "deploy.yml", "doctor.yml", "terraform.yml"]
    assert not [f for f in rendered_files(root) if f.endswith(".jinja")]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_answers_file_records_every_answer(case, renders):
    answers = yaml.safe_load((renders[case.id] / ".copier-answers.yml").read_text())
    for key, value in case.answers.items():
        assert answers[key] == value
    assert "_src_path" in answers
    assert "template_name" not in answers and "max_staleness_seconds" not in answers


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_every_rendered_file_has_exactly_one_owner(case, renders):
    zones = ownership.load(REPO / "templates" / case.template)
    problems = {}
    for path in rendered_files(renders[case.id]):
        owners = ownership.zones_of(path, zones)
        if len(owners) != 1:
            problems[path] = owners
    assert not problems, f"files without exactly one ownership zone: {problems}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_ownership_patterns_all_match_something(case, renders):
    zones = ownership.load(REPO / "templates" / case.template)
    files = rendered_files(renders[case.id])
    unused = [p for zone in zones.values() for p in zone if not any(ownership.matches(f, p) for f in files)]
    assert not unused, f"ownership patterns matching no rendered file: {unused}"


def test_glob_semantics():
    assert ownership.matches("app/main.py", "app/**")
    assert ownership.matches("app/x/y.py", "app/**")
    assert ownership.matches("terraform/environments/staging/main.tf", "terraform/**/*.tf")
    assert ownership.matches("chart/values-staging.yaml", "chart/values*.yaml")
    assert not ownership.matches("chart/templates/values.yaml", "chart/values*.yaml")
    assert not ownership.matches("a/b.tf", "*.tf")


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_render_is_deterministic(case, renders, tmp_path):
    again = render_service(case, tmp_path / "again")
    first = renders[case.id]
    assert rendered_files(first) == rendered_files(again)

    # Each render has a forge of its own: the answers file records where its template release and
    # platform repo live, and Terraform module sources point at that platform repo. Those places
    # aside, the renders are byte-identical.
    def normalised(root: Path, rel: str) -> bytes:
        answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
        places = {answers["_src_path"]: b"<template-release>", answers["platform_repo_url"]: b"<platform-repo>"}
        data = (root / rel).read_bytes()
        for place, token in places.items():
            data = data.replace(place.encode(), token)
        return data

    assert [f for f in rendered_files(first) if normalised(first, f) != normalised(again, f)] == []


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_catalog_entry(case, renders):
    catalog = yaml.safe_load((renders[case.id] / "catalog-info.yaml").read_text())
    assert catalog["kind"] == "Component"
    annotations = catalog["metadata"]["annotations"]
    assert annotations["plat.dev/template"] == case.template
    assert annotations["plat.dev/template-version"] == (REPO / "templates" / "VERSION").read_text().strip()
    assert catalog["spec"]["owner"] == f"group:{case.answers['owner']}"
    assert catalog["metadata"]["name"] == case.service


def test_shared_template_files_are_in_sync():
    proc = subprocess.run(
        [sys.executable, str(REPO / "templates" / "sync.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, f"run `python templates/sync.py`:\n{proc.stdout}"


@pytest.mark.parametrize(
    "schedule,staleness",
    [("*/15 * * * *", 2100), ("*/5 * * * *", 900), ("7 * * * *", 7500), ("0 3 * * *", 176400), ("0 3 * * 1", 691200)],
)
def test_cron_punctuality_threshold_follows_the_schedule(schedule, staleness, tmp_path):
    root = render_service(
        Case("cronjob", "schedule", {"service_name": "nightly", "owner": "data", "schedule": schedule}), tmp_path / "r"
    )
    slo = yaml.safe_load((root / "slo.yaml").read_text())
    punctuality = next(s for s in slo["slos"] if s["name"] == "punctuality")
    assert f"> {staleness})" in punctuality["sli"]["events"]["error_query"]
    values = yaml.safe_load((root / "chart" / "values.yaml").read_text())
    assert values["schedule"] == schedule


def test_a_missing_tool_fails_with_the_install_hint(monkeypatch, tmp_path):
    from . import tools

    monkeypatch.setattr(tools, "TOOLS_BIN", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="scripts/install-test-tools"):
        tools.find("helm")
