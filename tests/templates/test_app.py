"""The app skeleton of every render runs its own tests (standard library only) and ships in a
hardened image."""

from __future__ import annotations

import re
import sys

import pytest

from .conftest import run_python
from .matrix import CASE_IDS, CASES


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_app_unittest_suite_passes(case, renders):
    proc = run_python(["-m", "unittest", "discover", "-s", "tests", "-v"], cwd=renders[case.id])
    assert proc.returncode == 0, proc.stderr[-6000:]
    assert re.search(r"Ran [1-9]\d* tests?", proc.stderr)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_app_uses_only_the_standard_library(case, renders):
    root = renders[case.id]
    stdlib = set(sys.stdlib_module_names) | {"app", "support"}
    for path in list((root / "app").rglob("*.py")) + list((root / "tests").rglob("*.py")):
        for module in re.findall(r"^\s*(?:from|import)\s+([A-Za-z_][\w]*)", path.read_text(), re.M):
            assert module in stdlib, f"{path.relative_to(root)} imports {module}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_dockerfile_is_hardened(case, renders):
    text = (renders[case.id] / "Dockerfile").read_text()
    images = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert images and all(re.search(r"@sha256:[0-9a-f]{64}$", i) for i in images), images
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2, "multi-stage"
    (user,) = re.findall(r"^USER\s+(\d+)(?::(\d+))?$", text, re.M)
    assert int(user[0]) >= 10000 and (not user[1] or int(user[1]) >= 10000)
    if case.template == "cronjob":
        assert "HEALTHCHECK NONE" in text
    else:
        assert re.search(r"^HEALTHCHECK .*CMD", text, re.M)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_checkov_dockerfile_zero_findings(case, renders, checkov_dockerfile):
    results = checkov_dockerfile.file(renders[case.id] / "Dockerfile")
    assert results, "checkov did not scan the Dockerfile"
    assert not [f"{r.check_id} {r.resource}" for r in results if r.result != "PASSED"]
