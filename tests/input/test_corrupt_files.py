"""Property: whatever a user's file holds — truncated, empty, binary, YAML/JSON of the wrong types —
plat answers exit 1 with a hint and the file's name (or reads it fine), never exit 3.

The files: an answers file (`new service --answers-file`), the user config file (`PLAT_CONFIG`), and
in a service repo `.copier-answers.yml`, `.plat/exemptions.yml`, a workflow and the chart's values
(read by doctor) and `slo.yaml` (read by `slo generate`). plat's own state files (journals, stamps, PR records) are tested with the state."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.test_cli import env, run  # noqa: F401 - the CLI fixture and runner

SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
WRONG_TYPES = st.one_of(
    SCALAR.map(repr),  # a bare scalar
    st.lists(VALUE, max_size=3).map(str),  # a list (Python's repr is a YAML flow sequence, near enough)
    st.dictionaries(st.integers(), VALUE, min_size=1, max_size=3).map(str),  # non-string keys
    st.sampled_from(
        ["[1, 2", "{a: [", "a: b: c", "- a\nb: c", "\t- x", "%YAML 9.9\n---", "a: !!python/name:os.system"]
    ),
    st.sampled_from(['{"a": 1}', '[{"port": "x"}]', '{"exemptions": {"id": 5}}', '{"slos": 3}']),
    st.sampled_from(["expires: 2020-02-30", "a: 1e999999", "a: &x [*x]", "a: 0x", "version: []\nslos: {}"]),
)


def corruptions(original: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.integers(0, max(len(original) - 1, 0)).map(lambda n: original[:n]),  # truncated (empty included)
        st.binary(min_size=1, max_size=64),  # binary
        st.binary(min_size=1, max_size=8).map(lambda junk: original[: len(original) // 2] + b"\xff" + junk),
        WRONG_TYPES.map(lambda text: text.encode("utf-8", "surrogatepass")),
    )


def assert_handled(result, name: str) -> None:
    assert result.exit_code != 3, result.output
    if result.exit_code == 1:
        line = result.stderr.strip().splitlines()[-1]
        assert "(hint: " in line and "unexpected error" not in line, line
        assert name in line, line


FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NEW = ("new", "service", "payments", "--type", "mini", "--owner", "team-a", "--yes", "--dry-run")


@FUZZ
@given(data=st.data())
def test_a_corrupt_answers_file(env, data):
    path = env / "answers.yml"
    path.write_bytes(data.draw(corruptions(b"description: a service\nport: 9090\n")))
    result = run(*NEW, "--answers-file", str(path))
    assert_handled(result, str(path))


@FUZZ
@given(data=st.data())
def test_a_corrupt_config_file(env, monkeypatch, data):
    path = env / "config.toml"
    toml = st.sampled_from(["plat = 5", "org = 5", "environments = {}", "home = 5", "[plat]\nx = 1", "forge = []"])
    original = b'org = "acme"\nenvironments = ["staging", "production"]\n'
    path.write_bytes(data.draw(corruptions(original) | toml.map(str.encode)))
    monkeypatch.setenv("PLAT_CONFIG", str(path))
    assert_handled(run(*NEW), str(path))
    assert_handled(run("config", "show"), str(path))


@pytest.fixture
def service(env) -> Path:
    assert run(*NEW[:-1]).exit_code == 0
    return env / "payments"


SERVICE_FILES = {
    ".copier-answers.yml": ("doctor",),
    ".plat/exemptions.yml": ("doctor",),
    ".github/workflows/ci.yml": ("doctor", "--diff"),
    "chart/values.yaml": ("doctor", "--diff"),
    "slo.yaml": ("slo", "generate"),
}
EXEMPTIONS = b"exemptions:\n- id: PLAT-X\n  reason: r\n  owner: team-a\n  expires: 2099-01-01\n"
SLO = b"version: prometheus/v1\nservice: payments\nslos:\n- name: availability\n  objective: 99.9\n"


@pytest.mark.parametrize("rel", sorted(SERVICE_FILES))
def test_a_corrupt_file_in_a_service_repo(service, tmp_path, rel):
    pristine = tmp_path / "pristine"
    shutil.copytree(service, pristine, symlinks=True)
    original = {".plat/exemptions.yml": EXEMPTIONS, "slo.yaml": SLO}.get(rel) or (pristine / rel).read_bytes()

    @FUZZ
    @given(content=corruptions(original))
    def check(content: bytes) -> None:
        work = tmp_path / "work"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(pristine, work, symlinks=True)
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(content)
        assert_handled(run(*SERVICE_FILES[rel], str(work)), rel)

    check()
