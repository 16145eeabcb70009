"""Every state file plat reads, damaged in every way (truncated, empty, binary, not UTF-8, JSON of the
wrong type or with a field of the wrong type): never exit 3. A journal or a pull request record plat
cannot use is exit 1 naming the file and how to recover; a cache stamp plat cannot use is a cache miss
(exit 0, the stamp written again)."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from platform_cli import scratch
from platform_cli.cli.app import app
from tests.conftest import write_mini_platform

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
COUNTER = itertools.count()


def corruptions(original: bytes) -> st.SearchStrategy[bytes]:
    data = json.loads(original)
    with_wrong_field = st.tuples(st.sampled_from(sorted(data)), JSON).map(
        lambda kv: json.dumps({**data, kv[0]: kv[1]}).encode()
    )
    return st.one_of(
        st.integers(0, len(original) - 1).map(lambda n: original[:n]),  # truncated (empty included)
        st.binary(min_size=1, max_size=48),  # binary
        st.binary(max_size=16).map(lambda b: b"\xff\xfe" + b),  # not UTF-8
        JSON.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode()),  # wrong type
        with_wrong_field,
    )


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One finished service on a local forge; the environment plat runs in."""
    root = tmp_path_factory.mktemp("corrupt")
    env = {
        "PLAT_HOME": str(root / "home"),
        "PLAT_TEMPLATE_SOURCE": str(write_mini_platform(root / "src")),
        "PLAT_ORG": "acme",
        "HOME": str(root),
        "GIT_CONFIG_GLOBAL": str(root / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.test",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.test",
    }
    (root / "gitconfig").write_text("")
    made = {"root": root, "env": env}
    assert plat(made, "new", "service", "payments", *new_flags(made, "payments")).exit_code == 0
    return made


def new_flags(made: dict, name: str) -> tuple[str, ...]:
    return ("--type", "mini", "--owner", "team-a", "--yes", "--dir", str(made["root"] / "work" / name))


def plat(made: dict, *args: str):
    try:
        return CliRunner(env=made["env"]).invoke(app, list(args))
    finally:
        scratch.release()


def state_file(made: dict, which: str) -> Path:
    home = made["root"] / "home"
    return {
        "journal": home / "journal" / "local" / "acme" / "payments.json",
        "pull request record": home / "forge" / "acme" / "gitops.git" / "plat" / "pulls" / "1.json",
        "platform stamp": home / "cache" / "platform-acme-platform.json",
        "template release stamp": home / "templates" / "mini" / ".git" / "plat-release.json",
    }[which]


def commands(made: dict, which: str) -> list[tuple[str, ...]]:
    if which == "journal":
        return [
            ("new", "service", "payments", *new_flags(made, "payments")),
            ("new", "service", "payments", "--rollback"),
        ]
    if which == "pull request record":
        return [("pr", "list", "gitops"), ("pr", "show", "gitops", "1")]
    name = f"svc{next(COUNTER)}"  # a new service reads both stamps
    return [("new", "service", name, *new_flags(made, name))]


@pytest.mark.parametrize(
    ("which", "examples"),
    [("journal", 12), ("pull request record", 20), ("platform stamp", 4), ("template release stamp", 4)],
)
def test_a_damaged_state_file_is_exit_1_with_a_hint_or_rebuilt_never_3(made, which, examples):
    path = state_file(made, which)
    original = path.read_bytes()
    saved = made["root"] / "saved"
    for part in ("home", "work"):  # --rollback with a journal that still reads removes the service
        shutil.rmtree(saved / part, ignore_errors=True)
        shutil.copytree(made["root"] / part, saved / part, symlinks=True)

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(damaged=corruptions(original))
    def check(damaged: bytes) -> None:
        path.write_bytes(damaged)
        try:
            for args in commands(made, which):
                result = plat(made, *args)
                assert result.exit_code in (0, 1), f"{args}: exit {result.exit_code}: {result.stderr}"
                if result.exit_code == 1:
                    assert str(path) in result.stderr and "(hint: " in result.stderr, result.stderr
                    assert "delete" in result.stderr or "restore" in result.stderr
                elif which.endswith("stamp"):
                    assert json.loads(path.read_text())["sha"], "the stamp is written again"
        finally:
            for part in ("home", "work") if which == "journal" else ():
                shutil.rmtree(made["root"] / part)
                shutil.copytree(saved / part, made["root"] / part, symlinks=True)
            path.write_bytes(original)

    check()
