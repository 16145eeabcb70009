"""Hermetic fixtures: no network, no writes to the real home, real git repos in tmp dirs."""

from __future__ import annotations

import contextlib
import os
import textwrap
from pathlib import Path

import pytest

from platform_cli.config import Settings

REAL_HOME = Path(os.path.expanduser("~"))
REPO_ROOT = Path(__file__).resolve().parents[1]


def _home_snapshot() -> set[str]:
    watched = [REAL_HOME, REAL_HOME / ".config", REAL_HOME / ".local" / "share"]
    return {str(p) for d in watched if d.is_dir() for p in d.iterdir()}


@pytest.fixture(scope="session", autouse=True)
def _real_home_untouched():
    before = _home_snapshot()
    yield
    after = _home_snapshot()
    assert after <= before | {str(REAL_HOME / ".cache")}, f"tests wrote to the real home: {sorted(after - before)}"


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig-empty"
    gitconfig.write_text("")
    for key in list(os.environ):
        if key.startswith(("PLAT_", "GIT_", "XDG_")) or key in ("GITHUB_TOKEN", "GH_TOKEN"):
            monkeypatch.delenv(key, raising=False)
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.test",
        "GIT_COMMITTER_NAME": "Test Committer",
        "GIT_COMMITTER_EMAIL": "committer@example.test",
        "GIT_ALLOW_PROTOCOL": "file",
        "GIT_TERMINAL_PROMPT": "0",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return home


@pytest.fixture(autouse=True)
def _scratch_released():
    """A test that ran a CLI command claimed a scratch folder under its PLAT_HOME: give it back."""
    yield
    from platform_cli import scratch

    scratch.release()


MINI_COPIER = """\
_subdirectory: template
_templates_suffix: .jinja
_answers_file: .copier-answers.yml
service_name:
  type: str
  help: the service name
owner:
  type: str
  help: owning team
description:
  type: str
  default: ""
lifecycle:
  type: str
  choices: [experimental, production]
  default: experimental
port:
  type: int
  help: port
  default: 8080
  validator: "{% if port < 1024 %}port must be >= 1024{% endif %}"
with_database:
  type: bool
  default: false
system:
  type: str
  default: "{{ service_name }}"
org:
  type: str
  default: acme
platform_repo:
  type: str
  default: platform
platform_ref:
  type: str
  default: "0000000000000000000000000000000000000000"
platform_version:
  type: str
  default: "0.0.0"
"""

MINI_FILES = {
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}",
    "README.md.jinja": "# {{ service_name }}\n\nOwned by {{ owner }}.\n",
    "app/main.py.jinja": "PORT = {{ port }}\n",
    "chart/values.yaml.jinja": "port: {{ port }}\n",
    "chart/templates/deployment.yaml": "kind: Deployment\nname: {{ .Release.Name }}\n",
    ".github/workflows/ci.yml.jinja": (
        "jobs:\n  build:\n    uses: {{ org }}/{{ platform_repo }}/.github/workflows/build.yml@{{ platform_ref }}"
        " # v{{ platform_version }}\n"
    ),
    "scripts/run.sh": "#!/bin/sh\necho run\n",
}

MINI_PLAT = """\
ownership:
  platform: [".github/**", "chart/templates/**", ".copier-answers.yml"]
  shared: ["chart/values*.yaml", "scripts/**"]
  team: ["app/**", "README.md"]
"""


def write_mini_platform(root: Path, version: str = "0.1.0") -> Path:
    template = root / "templates" / "mini"
    for rel, content in MINI_FILES.items():
        path = template / "template" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    (template / "template" / "scripts" / "run.sh").chmod(0o755)
    (template / "copier.yml").write_text(MINI_COPIER)
    (template / "plat.yml").write_text(MINI_PLAT)
    (root / "templates" / "VERSION").write_text(version + "\n")
    (root / "workflows").mkdir(parents=True, exist_ok=True)
    (root / "workflows" / "build.yml").write_text("on: workflow_call\njobs: {}\n")
    return root


@pytest.fixture
def mini_platform(tmp_path) -> Path:
    return write_mini_platform(tmp_path / "platform-src")


@pytest.fixture
def settings(tmp_path, mini_platform) -> Settings:
    return Settings(home=tmp_path / "plathome", template_source=mini_platform, org="acme")


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()


REAL_TEMPLATES = ("http-api", "worker", "cronjob")


@contextlib.contextmanager
def hermetic_session_env(root: Path):
    """The hermetic git environment of `hermetic_git`, for session-scoped fixtures."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text("")
    env = {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "t@example.test",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "t@example.test",
        "GIT_ALLOW_PROTOCOL": "file",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        yield


def plat_new(root: Path, template: str, answers: dict, dest: Path, settings: dict | None = None) -> Path:
    """Make a service exactly as `plat new service --yes` does, on a local forge under `root`;
    `settings`: plat's own settings (org, platform_repo, ...) over the tests' defaults."""
    from platform_cli.commands.new import NewRequest, new_service
    from platform_cli.forge.local import LocalForge

    settings = Settings(**{"home": root / "plathome", "template_source": REPO_ROOT, "org": "acme", **(settings or {})})
    given = {k: v for k, v in answers.items() if k not in ("service_name", "owner")}
    sets = tuple(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in given.items())
    req = NewRequest(
        name=str(answers["service_name"]),
        template=template,
        owner=str(answers["owner"]),
        sets=sets,
        yes=True,
        directory=dest,
    )
    return new_service(req, settings, LocalForge(settings.home / "forge"), cwd=root).directory


@pytest.fixture(scope="session")
def real_services(tmp_path_factory) -> dict[str, Path]:
    """One service per real golden-path template, made by `plat new service --yes` (read-only!)."""
    root = tmp_path_factory.mktemp("real-services")
    with hermetic_session_env(root):
        return {
            kind: plat_new(root, kind, {"service_name": f"demo-{kind}", "owner": "team-a"}, root / f"demo-{kind}")
            for kind in REAL_TEMPLATES
        }
