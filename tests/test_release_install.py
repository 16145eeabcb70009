"""The platform release plat publishes pip-installs at the sha services pin, and that plat runs.

As the doctor and deploy workflows do: `pip install "platform-cli @ git+…/platform.git@SHA"` into a
fresh venv (not editable), then `plat doctor` and `plat slo gate` from a directory outside any
checkout. Offline: the build runs without isolation on this venv's setuptools, and plat's
dependencies come from this venv (a path in the fresh venv, not a copy); `pip check` proves the
installed distribution's requirements are met by them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from platform_cli import git
from platform_cli.forge.local import LocalForge
from tests.conftest import REPO_ROOT, hermetic_session_env, plat_new

pytestmark = pytest.mark.slow
USES = re.compile(r"uses:\s*([\w.-]+)/([\w.-]+)/(\.github/workflows/[\w.-]+)@([0-9a-f]{40})")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A service made by plat, and plat pip-installed into a fresh venv from the release it pins."""
    root = tmp_path_factory.mktemp("release-install")
    with hermetic_session_env(root):
        service = plat_new(root, "http-api", {"service_name": "orders", "owner": "payments"}, root / "orders")
        answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
        release = Path(LocalForge(root / "plathome" / "forge").repo_url(answers["org"], answers["platform_repo"]))
        venv = _fresh_venv(root / "venv")
        # file://localhost/…: pip 23's PEP 508 parser refuses a git+file URL with an empty host
        _pip(
            venv,
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            f"platform-cli @ git+file://localhost{release}@{answers['platform_ref']}",
        )
        _pip(venv, "check")
    outside = root / "elsewhere"
    outside.mkdir()
    return service, release, answers, venv, outside


def test_the_release_at_the_pinned_sha_is_a_project_with_the_workflows_services_call(installed):
    service, release, answers, _, _ = installed
    tree = set(git.tracked_files(release, answers["platform_ref"]))
    assert {"pyproject.toml", "setup.py", "platform_cli/__init__.py", "templates/VERSION"} <= tree
    calls = [m for f in (service / ".github" / "workflows").glob("*.yml") for m in USES.findall(f.read_text())]
    assert calls, "the rendered workflows call no reusable workflow of the platform release"
    for org, repo, path, sha in calls:
        assert (org, repo, sha) == (answers["org"], answers["platform_repo"], answers["platform_ref"])
        assert path in tree, f"{path} is not in the platform release at {sha}"


def test_installed_plat_runs_from_its_own_package_data(installed):
    service, _, _, venv, outside = installed
    where = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import platform_cli, platform_cli.config as c; print(platform_cli.__file__); print(c.bundled_source())",
        ],
        outside,
    )
    package, content = where.stdout.split()
    assert Path(package).is_relative_to(venv) and Path(content) == Path(package).parent / "_content"
    assert (Path(content) / "workflows" / "build.yml").is_file()  # from .github/workflows of the release

    doctor = _run([str(venv / "bin" / "plat"), "doctor", str(service), "--json"], outside)
    report = json.loads(doctor.stdout)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    version = (REPO_ROOT / "templates" / "VERSION").read_text().strip()
    assert report["failing"] == 0 and report["version"]["latest"] == version  # known: the templates are there
    assert {"PLAT-VER-001", "PLAT-DRIFT-001"} <= set(report["rules_run"])

    gate = _run([str(venv / "bin" / "plat"), "slo", "gate", "--help"], outside)
    assert gate.returncode == 0 and "Usage" in gate.stdout, gate.stderr


def test_installed_plat_creates_a_service_from_its_package_data(installed, tmp_path):
    _, _, _, venv, outside = installed
    new = _run(
        [str(venv / "bin" / "plat"), "new", "service", "billing", "--owner", "payments", "--yes"],
        outside,
        PLAT_HOME=str(tmp_path / "home"),
        PLAT_ORG="acme",
    )
    assert new.returncode == 0, new.stdout + new.stderr
    assert (outside / "billing" / "chart" / "Chart.yaml").is_file()
    # the release it published from its package data is installable again: the project and the content
    recorded = yaml.safe_load((outside / "billing" / ".copier-answers.yml").read_text())
    tree = set(git.tracked_files(tmp_path / "home" / "forge" / "acme" / "platform.git", recorded["platform_ref"]))
    assert {
        "pyproject.toml",
        "setup.py",
        "platform_cli/layout.py",
        ".github/workflows/build.yml",
        "templates/VERSION",
    } <= tree
    assert not any(p.startswith("platform_cli/_content") or "__pycache__" in p for p in tree)


def _fresh_venv(venv: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "plat-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _pip(venv: Path, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), *args],
        env=_env(PIP_CONFIG_FILE=os.devnull, PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"pip {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


def _run(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=_env(**env), capture_output=True, text=True, timeout=300)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """plat built as a wheel from a copy of this checkout (as `pip wheel .`, pipx and uv build it),
    installed into a fresh venv: not editable, no checkout behind it."""
    import shutil

    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(
        REPO_ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".tools", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache"
        ),
    )
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(root / "dist"),
            str(source),
        ],
        env=_env(PIP_CONFIG_FILE=os.devnull),
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    [whl] = (root / "dist").glob("platform_cli-*.whl")
    shutil.rmtree(source)  # nothing of the checkout is left to lean on
    venv = _fresh_venv(root / "venv")
    _pip(venv, "install", "--no-deps", "--no-index", str(whl))
    _pip(venv, "check")
    return whl, venv


def test_the_wheel_carries_the_golden_path(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel[0]).namelist())
    for path in (
        "templates/http-api/copier.yml",
        "templates/worker/plat.yml",
        "templates/VERSION",
        "workflows/build.yml",
        "terraform-modules/s3-bucket/main.tf",
        "pyproject.toml",
    ):
        assert f"platform_cli/_content/{path}" in names, path
    assert not any("__pycache__" in n for n in names)


def test_the_installed_wheel_runs_new_doctor_upgrade_check_and_slo_generate_anywhere(wheel, tmp_path):
    _, venv = wheel
    plat, home = str(venv / "bin" / "plat"), {"PLAT_HOME": str(tmp_path / "home"), "HOME": str(tmp_path)}
    shown = _run([plat, "--version"], tmp_path, **home).stdout
    version = (REPO_ROOT / "templates" / "VERSION").read_text().strip()
    assert f"installed at {venv}" in shown and f"templates {version}: cronjob, http-api, worker" in shown, shown
    new = _run([plat, "new", "service", "shop", "--owner", "team-a", "--yes"], tmp_path, **home)
    assert new.returncode == 0, new.stdout + new.stderr
    service = tmp_path / "shop"
    doctor = _run([plat, "doctor", "--json"], service, **home)
    report = json.loads(doctor.stdout)
    assert doctor.returncode == 0 and report["version"]["latest"] is not None and report["failing"] == 0, doctor.stdout
    check = _run([plat, "upgrade", "--check"], service, **home)
    assert check.returncode == 0 and "nothing to do" in check.stdout, check.stdout + check.stderr
    slo = _run([plat, "slo", "generate", "--check"], service, **home)
    assert slo.returncode == 0 and "up to date" in slo.stdout, slo.stdout + slo.stderr
