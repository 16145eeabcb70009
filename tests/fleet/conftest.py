"""A small fleet on the local forge, built once per session (read-only) and copied for each test that
changes it.

Services of the mini template (latest release 0.2.0 for the fleet):
- alpha   0.1.0, behind, clean; registration merged
- bravo   0.1.0, behind, a platform-owned file edited (doctor: a high finding); registration merged
- charlie 0.1.0, behind, a shared-file edit that conflicts with 0.2.0; registration open
- delta   0.3.0, ahead of the fleet's latest release; registration open
- echo    0.2.0, current; registration merged
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from platform_cli.commands import doctor as doctor_cmd
from platform_cli.commands import fleet
from platform_cli.commands import upgrade as upgrade_cmd
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.config import Settings
from platform_cli.fleet.status import DoctorSummary
from platform_cli.forge.local import LocalForge
from tests.conftest import hermetic_session_env
from tests.upgrade_helpers import edit, make_service, platform_version

SERVICES = ("alpha", "bravo", "charlie", "delta", "echo")
RELEASED = "2026-11-20"  # the date the fleet's 0.2.0 changelog gives
CONFLICTING = "a: 1\nb: 2\nc: 33\nd: 4\ne: 5\n"


@dataclasses.dataclass(frozen=True)
class Fleet:
    root: Path
    settings: Settings  # the fleet's platform: mini 0.2.0

    @property
    def forge(self) -> LocalForge:
        return LocalForge(self.settings.home / "forge")


def _build(base: Path) -> Fleet:
    home = base / "plathome"
    at = {
        v: Settings(home=home, template_source=platform_version(base / f"p-{v}", v), org="acme")
        for v in ("0.1.0", "0.2.0", "0.3.0")
    }
    log = at["0.2.0"].template_source / "templates" / "CHANGELOG.md"
    log.write_text(log.read_text().replace("## 0.2.0", f"## 0.2.0 ({RELEASED})"))
    for name, version in (("alpha", "0.1.0"), ("bravo", "0.1.0"), ("charlie", "0.1.0"), ("echo", "0.2.0")):
        make_service(at[version], base, name)
    _ahead(at["0.3.0"], base, "delta")
    work = base / "work"
    deployment = work / "bravo" / "chart" / "templates" / "deployment.yaml"
    edit(
        work / "bravo",
        deployment.relative_to(work / "bravo").as_posix(),
        "# edited\n" + deployment.read_text(),
        append=False,
    )
    edit(work / "charlie", "chart/values-extra.yaml", CONFLICTING, append=False)
    forge = LocalForge(home / "forge")
    for pr in forge.list_pull_requests("acme", "gitops", "open"):
        if pr.head.removeprefix("plat/register-") in ("alpha", "bravo", "echo"):
            forge.merge_pull_request("acme", "gitops", pr.id)
    return Fleet(base, at["0.2.0"])


def _ahead(settings: Settings, base: Path, name: str) -> None:
    """A service of a release the fleet's machine never saw (made elsewhere, on the same forge)."""
    elsewhere = dataclasses.replace(settings, home=base / "elsewhere")
    req = NewRequest(name=name, template="mini", owner="team-a", yes=True, directory=base / "work" / name)
    new_service(req, elsewhere, LocalForge(settings.home / "forge"), cwd=base)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Fleet:
    base = tmp_path_factory.mktemp("fleet")
    with hermetic_session_env(base / "env"):
        return _build(base)


@pytest.fixture
def fleet_copy(built, tmp_path) -> Fleet:
    """A private copy of the built fleet (forge, template store, platform sources) for a test to change."""
    return copy_of(built, tmp_path / "fleet")


def copy_of(built: Fleet, dest: Path) -> Fleet:
    shutil.copytree(built.root, dest, symlinks=True, ignore=shutil.ignore_patterns("env"))
    src = Path(str(built.settings.template_source).replace(str(built.root), str(dest)))
    settings = dataclasses.replace(built.settings, home=dest / "plathome", template_source=src)
    return Fleet(dest, settings)


def collaborators(settings: Settings, forge, **kw) -> fleet.Collaborators:
    """What the CLI hands in: `plat doctor`'s function (one parallel job keeps tests deterministic)."""

    def doctor(path: Path) -> DoctorSummary:
        return DoctorSummary.of(doctor_cmd.doctor(path, settings, forge=lambda: forge))

    return fleet.Collaborators(doctor=doctor, jobs=kw.pop("jobs", 2), **kw)


def upgrader(settings: Settings, forge):
    def run(path: Path, to: str, on=None):  # `on`: the forge the campaign hands in (else this one)
        return upgrade_cmd.upgrade(upgrade_cmd.UpgradeRequest(path=path, to=to, yes=True), settings, on or forge)

    return run
