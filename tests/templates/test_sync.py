"""templates/sync.py: every template's copier.yml and plat.yml are generated from templates/_shared/
plus the template's own *.local.yml; a hand edit or a stale file fails `sync.py --check`."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import REPO
from .matrix import TEMPLATES

SPEC = importlib.util.spec_from_file_location("templates_sync", REPO / "templates" / "sync.py")
assert SPEC and SPEC.loader
sync = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(sync)


@pytest.fixture
def copy(tmp_path) -> Path:
    """A scratch copy of templates/ (sync.py works on the directory it sits in)."""
    root = tmp_path / "templates"
    shutil.copytree(REPO / "templates", root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def run_sync(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(root / "sync.py"), *args], capture_output=True, text=True)


def load(text: str) -> dict:
    return yaml.safe_load(text) or {}


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("generated", ["copier.yml", "plat.yml"])
def test_a_hand_edit_to_a_generated_file_is_caught_and_undone(copy, template, generated):
    path = copy / template / generated
    original = path.read_text()
    path.write_text(original.replace("default: experimental", "default: production").replace('"slo.yaml"', '"slo.yml"'))
    assert path.read_text() != original
    check = run_sync(copy, "--check")
    assert check.returncode == 1
    assert f"out of sync: {template}/{generated}" in check.stdout
    assert run_sync(copy).returncode == 0
    assert path.read_text() == original
    assert run_sync(copy, "--check").returncode == 0


def test_a_shared_question_is_edited_once_for_every_template(copy):
    shared = copy / "_shared" / "questions.shared.yml"
    shared.write_text(shared.read_text().replace("default: engineering", "default: platform-eng"))
    assert run_sync(copy, "--check").returncode == 1
    assert run_sync(copy).returncode == 0
    for template in TEMPLATES:
        assert load((copy / template / "copier.yml").read_text())["cost_center"]["default"] == "platform-eng"


@pytest.mark.parametrize("template", TEMPLATES)
def test_generated_copier_yml_means_its_sources(template):
    """Concatenating text blocks keeps each block's meaning: the generated file loads to the shared
    questions, then template_name, then the template's own, then the shared rest, values unchanged."""
    shared_text = sync.source_text(REPO / "templates" / "_shared" / "questions.shared.yml")
    head, tail = shared_text.split(sync.MARKER)
    local = REPO / "templates" / template / "questions.local.yml"
    own = load(local.read_text()) if local.is_file() else {}
    template_name = {
        "type": "str",
        "help": "Name of the golden-path template (computed, not asked).",
        "default": template,
        "when": False,
    }
    expected = {**load(head), "template_name": template_name, **own, **load(tail)}
    generated = load((REPO / "templates" / template / "copier.yml").read_text())
    assert list(generated) == list(expected)
    assert generated == expected
    assert not set(own) & (set(load(head)) | set(load(tail)))


@pytest.mark.parametrize("template", TEMPLATES)
def test_generated_plat_yml_means_its_sources(template):
    shared = load((REPO / "templates" / "_shared" / "plat.shared.yml").read_text())
    local = REPO / "templates" / template / "plat.local.yml"
    extra = load(local.read_text()).get("ownership", {}) if local.is_file() else {}
    expected = {zone: globs + extra.get(zone, []) for zone, globs in shared["ownership"].items()}
    assert load((REPO / "templates" / template / "plat.yml").read_text()) == {"ownership": expected}


def test_a_templates_own_globs_join_their_zone_textually(copy):
    (copy / "cronjob" / "plat.local.yml").write_text(
        '## cronjob\'s own ownership globs\n\nownership:\n  team:\n    - "jobs/**"\n  shared:\n    - "cron.env"  # why\n'
    )
    assert run_sync(copy).returncode == 0
    text = (copy / "cronjob" / "plat.yml").read_text()
    ownership = load(text)["ownership"]
    shared = load((copy / "_shared" / "plat.shared.yml").read_text())["ownership"]
    assert ownership["team"] == shared["team"] + ["jobs/**"]
    assert ownership["shared"] == shared["shared"] + ["cron.env"]
    assert ownership["platform"] == shared["platform"]
    assert '    - "cron.env"  # why\n' in text and "cronjob's own" not in text
    assert "templates/cronjob/plat.local.yml" in text.splitlines()[0]
    assert (copy / "worker" / "plat.yml").read_text() == (REPO / "templates" / "worker" / "plat.yml").read_text()


@pytest.mark.parametrize(
    "source,text,message",
    [
        ("http-api/questions.local.yml", "owner:\n  type: str\n  help: x\n", "redefines shared question(s): owner"),
        (
            "worker/plat.local.yml",
            'ownership:\n  vendored:\n    - "x/**"\n',
            "zone(s) the shared plat.yml lacks: vendored",
        ),
    ],
)
def test_a_source_that_cannot_be_assembled_fails_and_writes_nothing(copy, source, text, message):
    (copy / source).write_text(text)
    before = {p: p.read_text() for t in TEMPLATES for p in (copy / t / "copier.yml", copy / t / "plat.yml")}
    proc = run_sync(copy)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert {p: p.read_text() for p in before} == before


def test_the_generated_files_say_where_to_edit():
    for template in TEMPLATES:
        for generated in ("copier.yml", "plat.yml"):
            first = (REPO / "templates" / template / generated).read_text().splitlines()[0]
            assert first.startswith("# GENERATED by templates/sync.py from templates/_shared/"), first
