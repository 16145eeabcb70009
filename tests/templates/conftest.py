"""Session fixtures: render the matrix once, then run each scanner once over all renders.

checkov is slow to start, so it runs once per framework over every render (and the platform's
own workflows and Terraform modules) and the results are split by file path.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml

from tests.conftest import hermetic_session_env, plat_new

from . import tools
from .matrix import CASES, ENVIRONMENTS, Case

REPO = tools.REPO
TEST_DIGEST = "sha256:" + "0" * 64


def render_service(case: Case, dst: Path) -> Path:
    """Render one service through `plat new service --yes` itself, with a local forge of its own
    beside (never inside) the directory the scanners read."""
    root = dst.parent.parent / "plat" / f"{dst.parent.name}-{case.id}"
    root.mkdir(parents=True, exist_ok=True)
    with hermetic_session_env(root):
        return plat_new(root, case.template, dict(case.answers), dst, case.settings)


@pytest.fixture(scope="session")
def scan_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("plat-templates")


@pytest.fixture(scope="session")
def renders(scan_root) -> dict[str, Path]:
    out = {}
    for case in CASES:
        out[case.id] = render_service(case, scan_root / "renders" / case.id)
    return out


@pytest.fixture(scope="session")
def platform_copy(scan_root) -> Path:
    """The platform's reusable workflows where scanners expect them, and its Terraform modules."""
    root = scan_root / "platform"
    (root / ".github").mkdir(parents=True)
    shutil.copytree(REPO / "workflows", root / ".github" / "workflows")
    shutil.copytree(REPO / "terraform-modules", root / "terraform-modules")
    return root


def helm_template(chart: Path, env: str, out: Path) -> subprocess.CompletedProcess:
    args = ["template", "release", str(chart), "--namespace", "x", "--set", f"image.digest={TEST_DIGEST}"]
    if env != "default":
        args += ["-f", str(chart / f"values-{env}.yaml")]
    proc = tools.run("helm", args)
    if proc.returncode == 0:
        out.write_text(proc.stdout)
    return proc


@dataclass(frozen=True)
class Manifest:
    path: Path
    docs: tuple[dict, ...]


@pytest.fixture(scope="session")
def manifests(renders, scan_root) -> dict[tuple[str, str], Manifest]:
    root = scan_root / "manifests"
    root.mkdir()
    out = {}
    for case in CASES:
        for env in ("default", *ENVIRONMENTS):
            path = root / f"{case.id}--{env}.yaml"
            proc = helm_template(renders[case.id] / "chart", env, path)
            assert proc.returncode == 0, f"helm template {case.id} ({env}) failed:\n{proc.stderr}"
            docs = tuple(d for d in yaml.safe_load_all(path.read_text()) if d)
            out[(case.id, env)] = Manifest(path, docs)
    return out


def parse_json_stream(text: str) -> list[dict]:
    """checkov prints one JSON document per framework run (a dict, or a list of dicts)."""
    decoder, i, docs = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        obj, i = decoder.raw_decode(text, i)
        docs.extend(obj if isinstance(obj, list) else [obj])


@dataclass(frozen=True)
class CheckovResult:
    check_id: str
    resource: str
    result: str
    path: Path


@dataclass(frozen=True)
class CheckovReport:
    results: tuple[CheckovResult, ...]
    parsing_errors: tuple[str, ...]
    resource_count: int

    def under(self, root: Path) -> list[CheckovResult]:
        return [r for r in self.results if r.path == root or root in r.path.parents]

    def file(self, path: Path) -> list[CheckovResult]:
        return [r for r in self.results if r.path == path]


def checkov(framework: str, directory: Path, *extra: str) -> CheckovReport:
    proc = tools.run(
        "checkov",
        ["-d", str(directory), "--framework", framework, "--skip-download", "-o", "json", *extra],
        timeout=900,
    )
    assert proc.returncode in (0, 1), f"checkov {framework} crashed ({proc.returncode}):\n{proc.stderr[-4000:]}"
    results, errors, count = [], [], 0
    for report in parse_json_stream(proc.stdout or "[]"):
        if report.get("check_type") != framework:
            continue
        for outcome in ("passed_checks", "failed_checks", "skipped_checks"):
            for item in report["results"].get(outcome, []):
                results.append(
                    CheckovResult(
                        item["check_id"], item["resource"], outcome.split("_")[0].upper(), Path(item["file_abs_path"])
                    )
                )
        errors.extend(report["results"].get("parsing_errors", []))
        count += report["summary"].get("resource_count", 0)
    return CheckovReport(tuple(results), tuple(errors), count)


@pytest.fixture(scope="session")
def checkov_kubernetes(manifests, scan_root) -> CheckovReport:
    return checkov("kubernetes", scan_root / "manifests")


@pytest.fixture(scope="session")
def checkov_terraform(renders, platform_copy, scan_root) -> CheckovReport:
    return checkov("terraform", scan_root, "--external-checks-dir", str(REPO / "policies" / "checkov"))


@pytest.fixture(scope="session")
def checkov_dockerfile(renders, scan_root) -> CheckovReport:
    return checkov("dockerfile", scan_root / "renders")


@pytest.fixture(scope="session")
def checkov_github_actions(renders, platform_copy, scan_root) -> CheckovReport:
    return checkov("github_actions", scan_root)


def run_python(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)
