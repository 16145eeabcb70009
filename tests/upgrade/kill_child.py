"""`plat` as a child process that kills itself at a deterministic point (no sleeps, no timing):

    PLAT_TEST_KILL="WORDS:N:SIGNAL:SCOPE" python tests/upgrade/kill_child.py upgrade REPO --yes

kills with SIGNAL (KILL, TERM or INT) the process, or its whole process group (`group`: the render
worker and any git child go too), right after the Nth git command whose arguments start with WORDS
(e.g. `worktree add`, `commit`, `merge`, `fetch`: the local forge's push). Without PLAT_TEST_KILL it
is plain `plat`. Either way it first claims its scratch folder under PLAT_HOME, as the CLI does.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from platform_cli import git, scratch  # noqa: E402


def command_words(args: tuple[str, ...]) -> tuple[str, ...]:
    """git's arguments without the leading `-c key=value` pairs."""
    while len(args) > 1 and args[0] == "-c":
        args = args[2:]
    return args


def kill_after(words: tuple[str, ...], nth: int, sig: signal.Signals, group: bool) -> None:
    seen = 0

    def observer(args: tuple[str, ...], cwd: object, code: int, seconds: float) -> None:
        nonlocal seen
        if command_words(args)[: len(words)] == words:
            seen += 1
            if seen == nth:
                os.killpg(os.getpgid(0), sig) if group else os.kill(os.getpid(), sig)

    git.observe(observer)


def main() -> None:
    scratch.claim(Path(os.environ["PLAT_HOME"]))
    spec = os.environ.get("PLAT_TEST_KILL")
    if spec:
        words, nth, sig, scope = spec.split(":")
        kill_after(tuple(words.split()), int(nth), signal.Signals[f"SIG{sig}"], scope == "group")
    from platform_cli.launch import main as plat

    sys.argv = ["plat", *sys.argv[1:]]
    plat()


if __name__ == "__main__":
    main()
