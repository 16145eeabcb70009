"""The layers, as imports: `launch` → `cli` → `commands` → engines → adapters → base. An import
only points down (or sideways among engines); a command never imports another command."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "platform_cli"
BASE = {"config", "errors", "models", "layout", "names", "locks", "scratch"}
ADAPTERS = {"forge", "git", "prompts", "console", "yamlio", "source", "prometheus"}
ENGINES = {
    "rendering",
    "upgrade",
    "slo",
    "checks",
    "gitops",
    "delivery",
    "dora",
    "answers",
    "templates",
    "template_logic",
    "service_repo",
    "journal",
    "dashboard",
    "fleet",
}
LAYERS = {
    "launch": 5,
    "__main__": 5,
    "cli": 4,
    "commands": 3,
    **dict.fromkeys(ENGINES, 2),
    **dict.fromkeys(ADAPTERS, 1),
    **dict.fromkeys(BASE, 0),
    "__init__": 0,
}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_content" not in p.parts)


def part_of(path: Path) -> str:
    """The top-level unit a file belongs to: its package (cli, upgrade, …) or its module name."""
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else path.stem


def imports(path: Path) -> list[tuple[str, str]]:
    """(unit, full module name) of every platform_cli module `path` imports, lazy imports included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("platform_cli"):
            names = [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("platform_cli.")]
        else:
            continue
        out += [(name.split(".")[1], name) for name in names if name.count(".") >= 1]
    return out


def test_every_unit_has_a_layer():
    assert {part_of(p) for p in modules()} <= set(LAYERS), "add the new module to a layer in this test"


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_point_down(path):
    here = part_of(path)
    upward = [name for unit, name in imports(path) if unit != here and LAYERS.get(unit, 0) > LAYERS[here]]
    assert not upward, f"{path.relative_to(PACKAGE)} imports a higher layer: {upward}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "commands").glob("*.py")), ids=lambda p: p.name)
def test_a_command_never_imports_another_command(path):
    others = [name for unit, name in imports(path) if unit == "commands" and name.split(".")[2] != path.stem]
    assert not others, f"commands/{path.name} imports {others}"


def test_the_checker_sees_an_upward_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from platform_cli.commands import slo\n")
    assert ("commands", "platform_cli.commands.slo") in imports(probe)


def raw_git_calls(path: Path) -> list[int]:
    """Lines where `path` hands git raw arguments (`git.run(...)`, `git.succeeds(...)`)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("run", "succeeds")
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "git"
    ]


@pytest.mark.parametrize(
    "path", [p for p in modules() if p.name != "git.py"], ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_git_arguments_are_spelled_only_in_git_py(path):
    assert not raw_git_calls(path), f"{path.relative_to(PACKAGE)}: name the git operation in git.py instead"


def test_the_checker_sees_a_raw_git_call(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('from platform_cli import git\n\ngit.run(["status"], None)\n')
    assert raw_git_calls(probe) == [3]
