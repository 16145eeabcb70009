"""The only module that imports copier (public API only).

Importing copier takes about half a second, as long as plat's own start, checks and git work
before a render. So the `plat` command starts a render worker first thing (`start_worker`): a
child process that imports copier on the other core meanwhile, and then runs the renders `copy`
hands it. Without a worker (or if it is gone), `copy` renders in this process.

The worker renders plain directories (plat exports each release before rendering it) and runs no
program at all: its PATH finds nothing. Without git, copier also skips the `git config` it runs
for every rendered file (to sync executable bits into a destination index with core.fileMode
off), about a third of a render; plat stages with core.fileMode on anyway. Git sources (a `ref`)
render in this process.

Run as `python -m platform_cli.render`, this module is that worker: one JSON job per line on
stdin, one JSON reply per line on stdout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from platform_cli.errors import TemplateError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path
    from typing import Any

# Only small imports above: the `plat` command imports this module to start the worker before
# anything else, so the rest is imported where it is used.

_worker: subprocess.Popen[str] | None = None


def copy(src: str, ref: str | None, dest: Path, answers: Mapping[str, Any], exclude: Sequence[str] = ()) -> None:
    """Render template `src` at git `ref` into `dest` with `answers`, defaults for the rest.

    Explicit copier settings: a user's copier settings file must not change defaults or trust.
    Template tasks are skipped and unsafe features refused. `exclude`: rendered paths not to write
    (gitignore-style patterns).
    """
    job: dict[str, Any] = {
        "src": src,
        "ref": ref,
        "dest": str(dest),
        "answers": dict(answers),
        "exclude": list(exclude),
    }
    reply = _ask_worker(job) if ref is None else None
    if reply is None:
        _run_copy(**job)
    elif "error" in reply:
        raise TemplateError(reply["error"], hint=reply["hint"])


def start_worker() -> None:
    """Start the render worker (once per process); it is stopped when this process exits."""
    global _worker
    if _worker is not None:
        return
    import atexit

    try:
        _worker = subprocess.Popen(
            [sys.executable, "-P", "-m", "platform_cli.rendering.render"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PATH": os.devnull},
        )  # no git, no programs: see above
    except OSError:  # no interpreter to start (embedded Python, a sandbox): render in-process
        return
    atexit.register(_release_worker)


def _release_worker() -> None:
    """At exit: end the worker without waiting for it (the reaping is not plat's time to spend)."""
    if _worker is not None:
        _worker.kill()


def stop_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.kill()
        _worker.wait()
        _worker = None


def exact(path: str) -> str:
    """A gitignore-style pattern matching exactly `path` (relative to the rendered root)."""
    import re

    return "/" + re.sub(r"([*?\[\]\\!#])", r"\\\1", path)


def _ask_worker(job: dict[str, Any]) -> dict[str, str] | None:
    """The worker's reply to `job`; None when there is no worker, it is gone, or the job could not
    be sent (answers JSON cannot carry): then the render runs here."""
    import json

    if _worker is not None and _worker.poll() is not None:
        stop_worker()  # it died: forget it
    if _worker is None:
        return None
    try:
        payload = json.dumps(job)
    except (TypeError, ValueError):
        return None
    try:
        _worker.stdin.write(payload + "\n")  # type: ignore[union-attr]
        _worker.stdin.flush()  # type: ignore[union-attr]
        line = _worker.stdout.readline()  # type: ignore[union-attr]
    except OSError:
        stop_worker()
        return None
    reply = json.loads(line) if line else {"crashed": "no reply"}
    if "crashed" in reply:  # the render runs again here, where its error gets a full report
        stop_worker()
        return None
    return reply


def _run_copy(src: str, ref: str | None, dest: str, answers: dict[str, Any], exclude: list[str]) -> None:
    import warnings

    import copier
    from jinja2 import TemplateError as JinjaError  # a broken template file surfaces through copier as this

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            copier.run_copy(
                src,
                dest,
                data=answers,
                vcs_ref=ref,
                settings=copier.Settings(),
                defaults=True,
                overwrite=True,
                quiet=True,
                unsafe=False,
                skip_tasks=True,
                cleanup_on_error=True,
                exclude=exclude,
            )
        except (copier.errors.CopierError, ValueError) as exc:
            raise TemplateError(
                f"rendering {src} failed: {_first_line(exc)}", hint="check the answers against the template's questions"
            ) from exc
        except JinjaError as exc:
            filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
            where = f" ({filename}:{lineno})" if filename else ""
            raise TemplateError(
                f"rendering {src} failed: {_first_line(exc)}{where}",
                hint="the template itself is broken: fix that file in the platform repo",
            ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _serve() -> None:
    """The worker: import copier now, then render each job as it comes. It ends with plat: at the
    end of its input, or within 50 ms of plat being killed even in the middle of a render (a
    resumed `plat new` must not find it still writing)."""
    import gc
    import json
    import threading

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    gc.disable()  # as in `launch`: copier's import allocates much and frees nothing (~50 ms less)
    import copier  # noqa: F401

    gc.enable()

    for line in sys.stdin:
        try:
            _run_copy(**json.loads(line))
            reply = {"ok": "rendered"}
        except TemplateError as exc:
            reply = {"error": exc.message, "hint": exc.hint}
        except Exception as exc:  # noqa: BLE001 - reported, and the job is re-run in the parent
            reply = {"crashed": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)


def _exit_with_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(0.05)
    os._exit(1)


if __name__ == "__main__":
    _serve()
