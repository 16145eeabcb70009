"""Build hook: built distributions carry the golden-path content as package data.

A wheel (and `pip install git+…`, `pip install .`, pipx, uv tool) gets the templates, reusable
workflows, Terraform modules, policies and the project files under `platform_cli/_content/`, found
at run time through importlib.resources. It works from a checkout (`workflows/`) and from a
published platform release (`.github/workflows/`). Editable installs read the checkout itself.
Everything else about the build is in pyproject.toml.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _layout():
    spec = importlib.util.spec_from_file_location("_plat_layout", ROOT / "platform_cli" / "layout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithContent(build_py):
    def run(self):
        super().run()
        if not self.editable_mode:
            layout = _layout()
            layout.bundle(ROOT, Path(self.build_lib) / "platform_cli" / layout.PACKAGE_DATA)


setup(cmdclass={"build_py": BuildWithContent})
