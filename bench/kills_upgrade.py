"""Kill `plat upgrade` at random moments, re-run it once, and count the runs that converged.

    .venv/bin/python bench/kills_upgrade.py [--kills 100] [--seed 14]

Each round makes a fresh service of the mini test template at 0.1.0 (with a pushed local edit),
starts `plat upgrade` to 0.2.0 as a child process (tests/upgrade/kill_child.py: the CLI with its
scratch folder claimed under PLAT_HOME), and after a random delay within one uninterrupted run's
duration sends KILL, TERM or INT to the process or to its whole process group. Then one re-run.
Converged: the re-run exits 0, the forge holds the local baseline and upgrade branches, exactly
one upgrade pull request is open, the service checkout is clean on main, and no worktree, worktree
admin folder or `plat-*` temporary folder is left. Prints each failure and the totals.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from platform_cli import git  # noqa: E402
from platform_cli.config import Settings  # noqa: E402
from platform_cli.forge.local import LocalForge  # noqa: E402
from tests.conftest import write_mini_platform  # noqa: E402
from tests.upgrade_helpers import at_version, edit, make_service  # noqa: E402

CHILD = REPO / "tests" / "upgrade" / "kill_child.py"
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)
BRANCHES = ("plat/template", "plat/upgrade-0.2.0")


def hermetic(root: Path) -> None:
    home = root / "home"
    home.mkdir(parents=True)
    (home / ".gitconfig").write_text("")
    for key in [k for k in os.environ if k.startswith(("PLAT_", "GIT_", "XDG_"))]:
        del os.environ[key]
    os.environ.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.test",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.test",
        GIT_ALLOW_PROTOCOL="file",
    )


def service(root: Path) -> tuple[Settings, Path]:
    settings = Settings(home=root / "plathome", template_source=write_mini_platform(root / "src"), org="acme")
    v1 = at_version(settings, root, "0.1.0")
    repo = make_service(v1, root)
    edit(repo, "chart/values-extra.yaml", "z: 1\n")
    return at_version(v1, root, "0.2.0"), repo


def start(settings: Settings, repo: Path) -> subprocess.Popen:
    env = {**os.environ, "PLAT_HOME": str(settings.home), "PLAT_TEMPLATE_SOURCE": str(settings.template_source)}
    env["PLAT_ORG"] = "acme"
    return subprocess.Popen(
        [sys.executable, str(CHILD), "upgrade", str(repo), "--yes"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def problems(settings: Settings, repo: Path, rerun: subprocess.Popen) -> list[str]:
    out, err = rerun.communicate()
    found = [] if rerun.returncode == 0 else [f"re-run exit {rerun.returncode}: {err.strip()[-300:]}"]
    forge = LocalForge(settings.home / "forge")
    found += [
        f"{b} differs on the forge" for b in BRANCHES if forge.branch_sha("acme", "payments", b) != git.resolve(repo, b)
    ]
    heads = [p.head for p in forge.list_pull_requests("acme", "payments", "open")]
    found += [] if heads == [BRANCHES[1]] else [f"open pull requests: {heads}"]
    found += [] if git.current_branch(repo) == "main" and git.is_clean(repo) else ["checkout not clean on main"]
    found += [f"worktree left: {w}" for w in git.worktrees(repo)[1:]]
    found += [f"worktree admin left: {p}" for p in (repo / ".git" / "worktrees").glob("*")]
    found += [f"temporary folder left: {p}" for p in (settings.home / "tmp").rglob("plat-*")]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="plat-kills-") as tmp:
        hermetic(Path(tmp))
        settings, repo = service(Path(tmp) / "calibrate")
        began = time.monotonic()
        if start(settings, repo).wait() != 0:
            raise SystemExit("an uninterrupted upgrade failed")
        duration = time.monotonic() - began
        converged, finished_first, failures = 0, 0, []
        for i in range(args.kills):
            settings, repo = service(Path(tmp) / f"round-{i}")
            sig, group, delay = rng.choice(SIGNALS), rng.random() < 0.5, rng.uniform(0, duration)
            child = start(settings, repo)
            time.sleep(delay)
            if child.poll() is None:
                os.killpg(child.pid, sig) if group else child.send_signal(sig)
            else:
                finished_first += 1
            child.communicate()
            found = problems(settings, repo, start(settings, repo))
            what = f"{sig.name} to the {'group' if group else 'process'} after {delay:.2f}s"
            converged += not found
            failures += [f"round {i} ({what}): {p}" for p in found]
            print(f"round {i}: {what}: {'converged' if not found else 'NOT converged'}", flush=True)
        print("\n".join(failures))
        print(
            f"kills: {args.kills} (one run {duration:.1f}s; {finished_first} finished before their kill), "
            f"converged on one re-run: {converged}/{args.kills}",
            flush=True,
        )


if __name__ == "__main__":
    main()
