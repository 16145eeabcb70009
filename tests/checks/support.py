"""Doctor test support (fixtures are imported by the test modules): real service repos rendered from
a complete golden-path mini template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from platform_cli import git
from platform_cli.checks.tools import Tools
from platform_cli.commands.doctor import doctor
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.config import Settings
from platform_cli.forge.local import LocalForge
from tests.checks.golden import write_golden_platform

TOOLS = Tools.discover()
needs_helm = pytest.mark.skipif(
    TOOLS.helm is None, reason="helm not installed (scripts/install-test-tools puts it in .tools/bin)"
)
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def golden_settings(tmp_path) -> Settings:
    return Settings(
        home=tmp_path / "plathome", template_source=write_golden_platform(tmp_path / "platform-src"), org="acme"
    )


@pytest.fixture
def service(golden_settings, tmp_path) -> Path:
    """A freshly created service repo (main and plat/template at the first commit)."""
    return make_service(golden_settings, tmp_path)


def make_service(settings: Settings, tmp_path: Path, name: str = "payments", template: str = "mini") -> Path:
    req = NewRequest(name=name, template=template, owner="team-a", yes=True, directory=tmp_path / "work" / name)
    return new_service(req, settings, LocalForge(settings.home / "forge"), cwd=tmp_path).directory


def run_doctor(service: Path, settings: Settings, **kw):
    kw.setdefault("tools", Tools(helm=TOOLS.helm))
    kw.setdefault("clock", lambda: TODAY)
    return doctor(service, settings, **kw)


def edit(service: Path, rel: str, old: str, new: str, commit: bool = True) -> None:
    path = service / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))
    if commit:
        git.commit_all(service, f"edit {rel}")


def ids(report) -> list[str]:
    return [f.rule_id for f in report.findings]
