"""The next steps plat prints can be pasted as they are: they name plat the way it can be run from there."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platform_cli.cli.views import plat_command


def _installed(tmp_path: Path) -> Path:
    plat = tmp_path / "checkout" / ".venv" / "bin" / "plat"
    plat.parent.mkdir(parents=True)
    plat.write_text("#!/bin/sh\n")
    plat.chmod(0o755)
    return plat


def test_a_plat_off_path_is_named_by_its_path_from_where_the_step_runs(tmp_path, monkeypatch):
    plat = _installed(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(plat), "new"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    checkout = tmp_path / "checkout"
    assert plat_command(checkout) == os.path.join(".venv", "bin", "plat")
    assert plat_command(checkout / "hello-api") == os.path.join("..", ".venv", "bin", "plat")
    assert plat_command(tmp_path / "elsewhere" / "deep") == str(plat.resolve())  # not ../../…


def test_a_plat_found_on_path_is_just_plat(tmp_path, monkeypatch):
    plat = _installed(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(plat), "new"])
    monkeypatch.setenv("PATH", f"{plat.parent}:/usr/bin")
    assert plat_command(tmp_path) == "plat"
    monkeypatch.setattr(sys, "argv", ["/usr/lib/python3/pytest"])  # run in-process, not as `plat`
    assert plat_command(tmp_path) == "plat"
