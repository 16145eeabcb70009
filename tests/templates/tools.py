"""Locate the external validators the template tests run.

Lookup order: `<repo>/.tools/bin/<name>` (installed by `scripts/install-test-tools`), then PATH.
A missing tool fails the test (never skips it): the scanners are the point of these tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS_BIN = REPO / ".tools" / "bin"
INSTALL_HINT = "run `scripts/install-test-tools` (installs helm, checkov, zizmor, kubernetes-validate, check-jsonschema into .tools/)"


def find(name: str) -> str:
    local = TOOLS_BIN / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(f"required tool {name!r} not found in {TOOLS_BIN} or on PATH: {INSTALL_HINT}", pytrace=False)
    raise AssertionError("unreachable")


def offline_env(extra: Mapping[str, str] | None = None) -> dict:
    """Environment for scanners: no tokens (zizmor goes online with one), no update checks."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GITHUB_TOKEN", "GH_TOKEN", "ZIZMOR_GITHUB_TOKEN", "BC_API_KEY")
    }
    env["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "true"
    env["BC_SKIP_MAPPING"] = "TRUE"
    env["CHECKOV_RUN_SCA_PACKAGE_SCAN_V2"] = "false"
    env.setdefault("HELM_CACHE_HOME", str(Path(env.get("TMPDIR", "/tmp")) / "plat-helm-cache"))
    env.setdefault("HELM_CONFIG_HOME", str(Path(env.get("TMPDIR", "/tmp")) / "plat-helm-config"))
    env.setdefault("HELM_DATA_HOME", str(Path(env.get("TMPDIR", "/tmp")) / "plat-helm-data"))
    if extra:
        env.update(extra)
    return env


def run(
    name: str,
    args: Sequence[str],
    cwd: Path | None = None,
    timeout: float = 600,
    check: bool = False,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [find(name), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=offline_env(env)
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"{name} {' '.join(args)} exited {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    return proc
