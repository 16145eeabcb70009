"""Where the golden-path content lives: in a source checkout, in a platform release, in an installed plat.

- A checkout (this repo, or a platform team's fork): `templates/`, `workflows/`, `terraform-modules/`,
  `policies/` and an optional `plat.toml` beside `pyproject.toml` and the `platform_cli` package.
- A platform release (what plat publishes as `ORG/platform` and services pin): the same, with the
  reusable workflows under `.github/workflows/` where GitHub runs them.
- A built distribution (wheel, `pip install git+…`, `pip install .`): the content and the project
  files copied into `platform_cli/_content/` by the build hook (setup.py), read with importlib.resources.

setup.py loads this file at build time, before plat's dependencies exist: standard library only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PACKAGE_DATA = "_content"  # platform_cli/_content in a built distribution
# content name -> where it is in a checkout, or in a platform release (the first that exists wins)
CONTENT = {
    "templates": ("templates",),
    "workflows": ("workflows", ".github/workflows"),
    "terraform-modules": ("terraform-modules",),
    "policies": ("policies",),
    "plat.toml": ("plat.toml",),
}
# what makes a platform release pip-installable, beside the platform_cli package
PROJECT = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
# path in a platform release -> content name
RELEASE = {
    ".github/workflows": "workflows",
    "terraform-modules": "terraform-modules",
    "policies": "policies",
    "templates": "templates",
    "plat.toml": "plat.toml",
}
IGNORED = ("__pycache__", ".pytest_cache", PACKAGE_DATA)


def find(root: Path, name: str) -> Path | None:
    """Content `name` under `root`, in whichever layout `root` has; None when absent."""
    for candidate in CONTENT.get(name, (name,)):
        if (root / candidate).exists():
            return root / candidate
    return None


def copy(sources: dict[str, Path], dest: Path) -> None:
    """Copy each source (file or folder) to dest/<key>, keeping executable bits, without caches."""
    for rel, src in sources.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True, symlinks=False, ignore=shutil.ignore_patterns(*IGNORED))
        else:
            shutil.copy2(src, target)


def bundle(root: Path, dest: Path) -> None:
    """What a built distribution carries in platform_cli/_content: content and project files of `root`."""
    shutil.rmtree(dest, ignore_errors=True)
    sources = {name: found for name in CONTENT if (found := find(root, name)) is not None}
    sources.update({name: root / name for name in PROJECT if (root / name).is_file()})
    copy(sources, dest)
