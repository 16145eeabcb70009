"""Template versions v1 → v2 → v3 of the mini template, and service repos made from them."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from platform_cli import git
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.forge.local import LocalForge
from tests.conftest import write_mini_platform

CHANGES = {
    "0.1.0": "First release of mini.",
    "0.2.0": "Adds a security workflow and replicas; renames scripts/run.sh to scripts/start.sh.",
    "0.3.0": "Renames the question port to http_port; moves chart/values.yaml to deploy/values.yaml.",
}
RUN_SH = "#!/bin/sh\n# start the service\nset -eu\necho run\nexit 0\n"


def platform_version(root: Path, version: str) -> Path:
    """A platform source dir whose mini template is at `version` (0.1.0, 0.2.0 or 0.3.0)."""
    shutil.rmtree(root, ignore_errors=True)
    write_mini_platform(root, version)
    tpl = root / "templates" / "mini" / "template"
    (tpl / "scripts" / "run.sh").write_text(RUN_SH)
    (tpl / "config").mkdir()
    (tpl / "config" / "legacy.yaml").write_text("legacy: true\nlevel: 1\n")
    (tpl / "chart" / "values-extra.yaml.jinja").write_text("a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n")
    major = tuple(int(p) for p in version.split("."))
    if major >= (0, 2, 0):
        _v2(root, tpl)
    if major >= (0, 3, 0):
        _v3(root, tpl)
    log = "".join(f"## {v}\n\n- {CHANGES[v]}\n\n" for v in reversed(CHANGES) if tuple(map(int, v.split("."))) <= major)
    (root / "templates" / "CHANGELOG.md").write_text("# Changelog\n\n" + log)
    return root


def _v2(root: Path, tpl: Path) -> None:
    (tpl / "config" / "legacy.yaml").unlink()
    (tpl / ".github" / "workflows" / "security.yml").write_text("name: security\n")
    (tpl / "chart" / "templates" / "deployment.yaml").write_text(
        "kind: Deployment\nname: {{ .Release.Name }}\n\n\nreplicas: {{ .Values.replicas }}\n"
    )
    (tpl / "scripts" / "run.sh").rename(tpl / "scripts" / "start.sh")
    (tpl / "chart" / "values.yaml.jinja").write_text("port: {{ port }}\nreplicas: {{ replicas }}\n")
    (tpl / "chart" / "values-extra.yaml.jinja").write_text("a: 1\nb: 2\nc: 30\nd: 4\ne: 5\n")
    (tpl / "app" / "main.py.jinja").write_text("PORT = {{ port }}\nDEBUG = False\n")
    _question(root, "replicas", {"type": "int", "default": 2, "help": "pods"})


def _v3(root: Path, tpl: Path) -> None:
    config = _copier(root)
    config["http_port"] = config.pop("port")
    config["http_port"]["validator"] = "{% if http_port < 1024 %}port must be >= 1024{% endif %}"
    _write_copier(root, config)
    (tpl / "app" / "main.py.jinja").write_text("PORT = {{ http_port }}\nDEBUG = False\n")
    (tpl / "chart" / "values.yaml.jinja").unlink()
    (tpl / "deploy").mkdir()
    (tpl / "deploy" / "values.yaml.jinja").write_text(
        "# values of the chart\nport: {{ http_port }}\nreplicas: {{ replicas }}\n"
    )
    (root / "templates" / "migrations.yml").write_text(
        '"0.3.0":\n  - rename_question: {from: port, to: http_port}\n'
        "  - move_file: {from: chart/values.yaml, to: deploy/values.yaml}\n"
    )
    plat = yaml.safe_load((root / "templates" / "mini" / "plat.yml").read_text())
    plat["ownership"]["shared"].append("deploy/**")
    (root / "templates" / "mini" / "plat.yml").write_text(yaml.safe_dump(plat))


def _copier(root: Path) -> dict:
    return yaml.safe_load((root / "templates" / "mini" / "copier.yml").read_text())


def _write_copier(root: Path, config: dict) -> None:
    (root / "templates" / "mini" / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def _question(root: Path, name: str, spec: dict) -> None:
    config = _copier(root)
    config[name] = spec
    _write_copier(root, config)


def make_service(settings, base: Path, name: str = "payments", sets: tuple[str, ...] = ()) -> Path:
    work = base / "work" / name
    req = NewRequest(name=name, template="mini", owner="team-a", yes=True, directory=work, sets=sets)
    new_service(req, settings, LocalForge(settings.home / "forge"), cwd=base)
    return work


def at_version(settings, base: Path, version: str):
    return dataclasses.replace(settings, template_source=platform_version(base / f"platform-{version}", version))


@pytest.fixture
def v1(settings, tmp_path):
    return at_version(settings, tmp_path, "0.1.0")


@pytest.fixture
def repo(v1, tmp_path):
    return make_service(v1, tmp_path)


@pytest.fixture
def v2(v1, tmp_path):
    return at_version(v1, tmp_path, "0.2.0")


def edit(
    repo: Path, rel: str, text: str | None, message: str = "local edit", append: bool = True, push: bool = True
) -> None:
    """Commit a change on the checked-out branch and, like a team would, push it (`push=False`: keep it local)."""
    path = repo / rel
    if text is None:
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((path.read_text() if append and path.exists() else "") + text)
    git.run(["add", "-A"], repo)
    git.run(["commit", "-q", "-m", message], repo)
    if push and git.succeeds(["remote", "get-url", "origin"], repo):
        git.run(["push", "-q", "origin", "HEAD"], repo)


def show(repo: Path, rev: str, rel: str) -> str | None:
    return git.show(repo, rev, rel)
