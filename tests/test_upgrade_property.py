"""Property: whatever the local edits and the template changes, no local edit is silently lost —
each survives in the upgraded tree or shows up as a reported conflict. Team-owned files are untouched."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from platform_cli import git, templates
from platform_cli.commands.upgrade import UpgradeRequest, upgrade
from platform_cli.config import Settings
from platform_cli.forge.local import LocalForge
from platform_cli.rendering import publish, render
from platform_cli.upgrade.baseline import BASELINE_BRANCH

ZONES = {"p": "platform", "s": "shared", "t": "team"}
COPIER = "_subdirectory: template\n_answers_file: .copier-answers.yml\nservice_name:\n  type: str\n  default: svc\n"
PLAT = "ownership:\n  platform: ['p/**', '.copier-answers.yml']\n  shared: ['s/**']\n  team: ['t/**']\n"
LINES = 8
TEMPLATE_CHANGES = ("keep", "modify", "delete", "rename", "rename_modify", "append")
LOCAL_EDITS = ("none", "modify", "append", "delete")


@dataclass(frozen=True)
class FilePlan:
    path: str
    change: str  # what the template does to it in v2
    edit: str  # what the team did to it locally
    line: int


def original(path: str) -> list[str]:
    return [f"{path} line {i}" for i in range(LINES)]


def renamed(path: str) -> str:
    return path.replace(".txt", "-renamed.txt")


def write_platform(root: Path, version: str, plans: tuple[FilePlan, ...]) -> None:
    tpl = root / "templates" / "prop"
    shutil.rmtree(tpl, ignore_errors=True)
    (tpl / "template").mkdir(parents=True)
    (tpl / "copier.yml").write_text(COPIER)
    (tpl / "plat.yml").write_text(PLAT)
    (tpl / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text("{{ _copier_answers|to_nice_yaml }}")
    (root / "templates" / "VERSION").write_text(version + "\n")
    for plan in plans:
        lines, path = original(plan.path), plan.path
        if version != "0.1.0":
            if plan.change == "delete":
                continue
            if plan.change in ("modify", "rename_modify"):
                lines[plan.line] = f"TEMPLATE v2 {plan.path} {plan.line}"
            if plan.change == "append":
                lines.append(f"TEMPLATE v2 appended {plan.path}")
            if plan.change.startswith("rename"):
                path = renamed(plan.path)
        target = tpl / "template" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n")


def make_service(settings: Settings, repo: Path) -> None:
    template = templates.load(settings.template_source, "prop")
    release = publish.template_release(template, settings.home / "templates")
    render.copy(release.source, release.tag, repo, {"service_name": "svc"})
    git.init(repo)
    git.commit_all(repo, "v1")
    git.run(["branch", BASELINE_BRANCH], repo)


def apply_local_edits(repo: Path, plans: tuple[FilePlan, ...]) -> dict[str, str]:
    """Returns {marker text: path it was written to} for every local addition."""
    markers = {}
    for plan in plans:
        path = repo / plan.path
        lines = path.read_text().splitlines()
        marker = f"LOCAL {plan.path} {plan.line}"
        if plan.edit == "delete":
            path.unlink()
            continue
        if plan.edit == "modify":
            lines[plan.line] = marker
        elif plan.edit == "append":
            lines.append(marker)
        else:
            continue
        markers[marker] = plan.path
        path.write_text("\n".join(lines) + "\n")
    (repo / "local-only.txt").write_text("LOCAL new file\n")
    markers["LOCAL new file"] = "local-only.txt"
    git.commit_all(repo, "local edits")
    return markers


file_plans = st.lists(
    st.builds(
        FilePlan,
        path=st.sampled_from([f"{z}/f{i}.txt" for z in ZONES for i in range(3)]),
        change=st.sampled_from(TEMPLATE_CHANGES),
        edit=st.sampled_from(LOCAL_EDITS),
        line=st.integers(0, LINES - 1),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda p: p.path,
).map(tuple)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=file_plans)
def test_no_local_edit_is_silently_lost(plans):
    with tempfile.TemporaryDirectory(prefix="plat-prop-") as tmp:
        base = Path(tmp)
        source = base / "source"
        write_platform(source, "0.1.0", plans)
        settings = Settings(home=base / "home", template_source=source, org="acme")
        repo = base / "svc"
        make_service(settings, repo)
        markers = apply_local_edits(repo, plans)
        write_platform(source, "0.2.0", plans)
        result = upgrade(UpgradeRequest(path=repo), settings, LocalForge(settings.home / "forge"))

        tree = {p: git.show(repo, result.branch, p) or "" for p in git.tracked_files(repo, result.branch)}
        conflicted = {c.path for c in result.conflicts}
        for marker, path in markers.items():
            holders = [p for p, text in tree.items() if marker in text.splitlines()]
            assert holders, f"local edit {marker!r} to {path} was lost"
        for path, text in tree.items():
            if "<<<<<<<" in text:
                assert path in conflicted, f"{path} has conflict markers but is not reported"
        for plan in plans:
            if ZONES[plan.path[0]] == "team":
                assert tree.get(plan.path) == git.show(repo, "main", plan.path), f"team file {plan.path} touched"
            if plan.edit == "delete" and plan.path in tree:
                assert plan.path in conflicted or plan.change == "keep", f"deleted {plan.path} came back silently"
