"""Kill `plat new service` at random moments, re-run it once, and check that it converged.

    .venv/bin/python bench/kills.py [--trials 100] [--type http-api] [--seed 1]

Each trial starts `plat new service` on a fresh PLAT_HOME (so the kill can land in publishing the
releases too), waits a random time between 0 and the duration of an uninterrupted run, and sends
SIGKILL, SIGTERM or SIGINT to the process or to its whole process group (as a CI cancel does). Then it
runs the same command once more and checks: exit 0; the service repo's main and baseline branch are
the working clone's HEAD and the clone is clean; exactly one registration pull request and one
platform tag; and no leftovers (scratch folders, repos in the making, half renders, git lock files,
journal temp files). Prints one line per trial and the count that converged.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLAT = [sys.executable, "-c", "from platform_cli.launch import main; main()"]
SIGNALS = (signal.SIGKILL, signal.SIGTERM, signal.SIGINT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--type", default="http-api")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="plat-kills-") as tmp:
        root = Path(tmp)
        span = _uninterrupted(root / "reference", args.type)
        print(f"an uninterrupted run takes {span:.2f} s; killing within that span")
        converged = 0
        for trial in range(args.trials):
            signum, group, delay = rng.choice(SIGNALS), rng.random() < 0.5, rng.uniform(0, span)
            problems = _trial(root / f"t{trial}", args.type, signum, group, delay)
            converged += not problems
            how = f"{signum.name} to the {'group' if group else 'process'} at {delay:.2f} s"
            print(f"trial {trial + 1:3}: {how}: {'converged' if not problems else '; '.join(problems)}", flush=True)
        print(f"{converged} of {args.trials} converged on one re-run with no leftovers")
        sys.exit(0 if converged == args.trials else 1)


def _env(root: Path) -> dict[str, str]:
    home = root / "user"
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text("[user]\n\tname = bench\n\temail = bench@example.test\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLAT_", "GIT_"))}
    return {**env, "HOME": str(home), "PLAT_HOME": str(root / "plathome"), "PLAT_ORG": "acme"}


def _command(root: Path, kind: str) -> list[str]:
    return [*PLAT, "new", "service", "payments", "--type", kind, "--owner", "team-a", "--yes"]


def _uninterrupted(root: Path, kind: str) -> float:
    root.mkdir(parents=True)
    start = time.monotonic()
    proc = subprocess.run(_command(root, kind), cwd=root, env=_env(root), capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"the uninterrupted run failed: {proc.stderr}")
    return time.monotonic() - start


def _trial(root: Path, kind: str, signum: signal.Signals, group: bool, delay: float) -> list[str]:
    root.mkdir(parents=True)
    env = _env(root)
    proc = subprocess.Popen(
        _command(root, kind),
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(delay)
    try:
        os.killpg(proc.pid, signum) if group else os.kill(proc.pid, signum)
    except ProcessLookupError:
        pass  # it finished first
    proc.wait()
    again = subprocess.run(_command(root, kind), cwd=root, env=env, capture_output=True, text=True)
    if again.returncode:
        return [f"the re-run failed (exit {again.returncode}): {again.stderr.strip().splitlines()[-1:]}"]
    return _check(root)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


def _check(root: Path) -> list[str]:
    home, clone = root / "plathome", root / "payments"
    forge = home / "forge" / "acme"
    problems = []
    heads = {ref: _git("-C", str(forge / "payments.git"), "rev-parse", ref) for ref in ("main", "plat/template")}
    if len(set(heads.values())) != 1 or _git("-C", str(clone), "rev-parse", "HEAD") != heads["main"]:
        problems.append("service branches and clone disagree")
    if _git("-C", str(clone), "status", "--porcelain"):
        problems.append("the clone has changes")
    tags = _git("-C", str(forge / "platform.git"), "tag").split()
    if tags != ["v0.1.0"] and len(tags) != 1:
        problems.append(f"platform tags {tags}")
    pulls = [json.loads(p.read_text()) for p in (forge / "gitops.git" / "plat" / "pulls").glob("*.json")]
    if [p["head"] for p in pulls] != ["plat/register-payments"]:
        problems.append(f"pull requests {[p['head'] for p in pulls]}")
    left = [p for p in (home / "tmp").glob("*")] + [p for p in (home / "forge" / ".incoming").glob("*")]
    left += list(root.glob("*.plat-partial")) + list(home.rglob("*.tmp"))
    left += list(home.glob("templates/.new-*")) + list(home.glob("cache/.new-*"))
    left += [p for p in home.rglob("*.lock") if "locks" not in p.relative_to(home).parts and p.name != ".lock"]
    if left:
        problems.append(f"leftovers: {[str(p.relative_to(root)) for p in left]}")
    return problems


if __name__ == "__main__":
    main()
