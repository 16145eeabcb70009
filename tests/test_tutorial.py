"""docs/tutorial.md, run literally: every ```sh block, in order, in one bash session, as a new
engineer would type them (a fresh HOME, the local forge, nothing configured)."""

from __future__ import annotations

import os
import re
import subprocess

from tests.conftest import REPO_ROOT

TUTORIAL = REPO_ROOT / "docs" / "tutorial.md"


def script() -> str:
    blocks = re.findall(r"```sh\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.S)
    return "set -euo pipefail\n" + "\n".join(blocks)


def test_the_tutorial_runs_as_written(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAT_", "XDG_"))}
    env["HOME"] = str(home)
    proc = subprocess.run(
        ["bash", "-x", "-c", script()], cwd=work, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    out = proc.stdout
    assert '{"status": "ok"}' in out, "the app answered /healthz"
    assert "doctor exited 4" in out and "PLAT-DRIFT-001" in out, "the drift was found"
    assert "upgrade available (exit 10)" in out and "upgrade exited 11" in out
    assert "refused: conflicts first" in out and "merged #1 into main of local/hello-api" in out
    report = out.rstrip().splitlines()[-3:]  # header, the Actions settings rule skipped (local forge), level
    assert report[0] == "hello-api: template http-api v0.2.0 (latest v0.2.0, up to date)"
    assert report[1].startswith("skipped actions-settings") and report[-1].startswith("level gold")
    clone = work / "plat-tutorial" / "hello-api"
    assert 'cpu: "1"' in (clone / "chart" / "values.yaml").read_text(), "the team's value survived the upgrade"
    assert "my first change" in (clone / "app" / "main.py").read_text()


def test_every_block_of_the_tutorial_is_run():
    text = TUTORIAL.read_text(encoding="utf-8")
    assert text.count("```sh") == len(re.findall(r"```sh\n(.*?)```", text, re.S)) >= 10
    assert "```" not in re.sub(r"```sh\n.*?```", "", text, flags=re.S), "no block the test would skip"
