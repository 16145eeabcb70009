"""One render of a template release, leaving out the files whose render is known in advance.

copier renders every path of a template (each path part through Jinja) even when the file is
excluded, and clones a git template first. So the release is exported into a plain directory
without the files plat keeps from the previous baseline (team-owned files, unchanged verbatim
files), rendered from there, and the answers file gets the release's `_src_path` and `_commit`
back — what a render of the git release writes. If the answers file does not look as expected,
plat falls back to rendering the git release itself.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platform_cli import git
from platform_cli.models import Template
from platform_cli.rendering import render
from platform_cli.rendering.publish import Release
from platform_cli.service_repo import ANSWERS_FILE


@dataclass(frozen=True)
class Layout:
    prefix: str  # copier's _subdirectory, with a trailing "/" ("" for none)
    suffix: str  # copier's _templates_suffix


def layout(template: Template) -> Layout | None:
    config = yaml.safe_load((template.path / "copier.yml").read_text(encoding="utf-8")) or {}
    suffix = config.get("_templates_suffix", ".jinja")
    prefix = str(config.get("_subdirectory") or "").strip("/")
    if not suffix or "{" in prefix:
        return None
    return Layout(prefix + "/" if prefix else "", str(suffix))


def render_release(
    release: Release,
    dest: Path,
    answers: Mapping[str, Any],
    keep: Collection[str],
    shape: Layout | None,
    clear: Callable[[Path], None],
    recorded: str | None = None,
) -> None:
    """Render `release` into `dest`, without the rendered paths in `keep`; the answers file names
    `recorded` as the template source (default: the release's own)."""
    recorded = recorded or release.source
    exclude = [render.exact(p) for p in sorted(keep) if "{" not in p]
    if shape is not None:
        with tempfile.TemporaryDirectory(prefix="plat-export-") as tmp:
            src = _export(release, Path(tmp), shape, keep)
            render.copy(str(src), None, dest, answers, exclude=exclude)
            if _record(dest / ANSWERS_FILE, str(src), recorded, release.tag):
                return
        git.clear_worktree(dest)
    render.copy(release.source, release.tag, dest, answers, exclude=exclude)
    _record(dest / ANSWERS_FILE, release.source, recorded, release.tag)


def _export(release: Release, tmp: Path, shape: Layout, keep: Collection[str]) -> Path:
    out = tmp / "template"
    out.mkdir()
    git.export(Path(release.source), release.tag, out)
    for path in keep:
        for candidate in (shape.prefix + path, shape.prefix + path + shape.suffix):
            (out / candidate).unlink(missing_ok=True)
    return out


def _record(answers_file: Path, shown: str, source: str, tag: str) -> bool:
    """Point the answers file at the release (`source` and `tag`); False if it is not as expected."""
    if not answers_file.is_file():
        return False
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    wanted = _line("_src_path", shown)
    commit_line = next((i for i, line in enumerate(lines) if line.startswith("_commit:")), None)
    src_line = next((i for i, line in enumerate(lines) if line.rstrip("\n") == wanted), None)
    if src_line is None:
        return False
    lines[src_line] = _line("_src_path", source) + "\n"
    if commit_line is None:
        lines.insert(src_line, _line("_commit", tag) + "\n")
    else:
        lines[commit_line] = _line("_commit", tag) + "\n"
    answers_file.write_text("".join(lines), encoding="utf-8")
    return True


def _line(key: str, value: str) -> str:
    return yaml.safe_dump({key: value}, width=1 << 20, default_flow_style=False).strip()


def list_files(root: Path) -> tuple[str, ...]:
    """Every file of a rendered tree (or working tree), `.git` left out, sorted."""
    return tuple(
        sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts
        )
    )
