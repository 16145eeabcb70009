"""What every CLI command shares: common options, settings, prompter, and the error boundary."""

import errno
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from platform_cli.config import Settings
    from platform_cli.forge.base import Forge


class ExitCode(IntEnum):
    """Every exit code of every plat command, one meaning each (the README lists them)."""

    OK = 0
    ERROR = 1  # an error the user can act on: bad input, a refused operation, a failed step (message + hint)
    USAGE = 2  # a malformed command line: unknown flag or command, missing argument (typer's own)
    BUG = 3  # an unexpected error: the traceback is in PLAT_HOME/logs
    FINDINGS = 4  # doctor: findings at or above --fail-on
    BLOCKED = 5  # slo gate: an error budget is spent and the change carries no allowed label
    STALE = 6  # slo generate --check: the generated rules differ from slo.yaml
    UPGRADE_AVAILABLE = 10  # upgrade --check: a newer template version exists
    UPGRADE_CONFLICTS = 11  # upgrade: the pull request holds conflicts to resolve before merging
    WAITING = 12  # fleet upgrade --wait: --timeout passed while a wave's gate still held the campaign
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


JsonOpt = Annotated[bool, typer.Option("--json", help="Print one machine-readable JSON document.")]
ForgeOpt = Annotated[str | None, typer.Option("--forge", help="Forge to use: local (default) or github.")]
GithubUrlOpt = Annotated[
    str | None, typer.Option("--github-url", help="GitHub API URL (GitHub Enterprise Server: https://HOST/api/v3).")
]
OrgOpt = Annotated[str | None, typer.Option("--org", help="Organisation on the forge.")]


@dataclass(frozen=True)
class Output:
    """The global output flags (`plat --quiet/--verbose/--debug COMMAND`)."""

    quiet: bool = False
    verbose: bool = False  # also the git commands plat runs
    debug: bool = False  # verbose, with timings, and the traceback of any error


def output() -> Output:
    """The global output flags of the running command line (defaults outside one)."""
    import click

    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx else None
    return obj if isinstance(obj, Output) else Output()


def examples(*lines: str, doc: str) -> str:
    """The end of a command's --help: examples (kept as written) and its docs page."""
    shown = "\n".join(f"  {line}" for line in lines)
    return f"\b\nExamples:\n{shown}\n\nDocs: {doc} (in the platform repo)"


def guard(json_mode: bool, body: Callable[[Any], None]) -> None:
    """Run a command body with its console; map errors to exit codes."""
    from platform_cli.console import Console
    from platform_cli.errors import PlatError

    flags = output()
    console = Console(json_mode=json_mode, quiet=flags.quiet, verbose=flags.verbose or flags.debug)
    stop_tracing = _trace_git(console, flags.debug) if console.verbose else None
    try:
        _check_cwd()
        body(console)
    except PlatError as exc:
        _traceback(console, flags.debug)
        exc = _without_git() or exc
        console.error(_one_line(exc.message), _one_line(exc.hint))
        raise typer.Exit(ExitCode.ERROR) from None
    except OSError as exc:  # the machine refused: a read-only folder, a file where a folder goes, no git
        _traceback(console, flags.debug)
        told = _without_git() or _os_error(exc)
        if told is None:
            _bug(console, exc)
        console.error(told.message, told.hint)
        raise typer.Exit(ExitCode.ERROR) from None
    except KeyboardInterrupt:
        console.error("interrupted", "run the same command again to resume")
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the one boundary for the unexpected
        _traceback(console, flags.debug)
        _bug(console, exc)
    finally:
        if stop_tracing:
            stop_tracing()
        from platform_cli import scratch

        scratch.release()  # the command's temporary folders (under PLAT_HOME/tmp) go with it


def _bug(console: Any, exc: BaseException) -> NoReturn:
    """Exit 3: an unexpected error, reported briefly, its traceback written under PLAT_HOME/logs."""
    log = _crash_log()
    where = f"; the traceback is in {log}" if log else ""
    console.error(
        f"unexpected error: {type(exc).__name__}: {exc}",
        f"this is a bug in plat; please report it with the command you ran{where}",
    )
    raise typer.Exit(ExitCode.BUG) from None


def _one_line(text: str) -> str:
    """An error is one line: a library's multi-line message (YAML's, git's) joined with '; '."""
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def _check_cwd() -> None:
    from platform_cli.errors import UsageError

    try:
        os.getcwd()
    except FileNotFoundError:
        raise UsageError(
            "the current directory no longer exists (it was deleted or moved)",
            hint="cd to an existing directory and run the command again",
        ) from None


def _without_git():
    """A PlatError saying git is missing, when it is (then whatever failed failed for that)."""
    import shutil

    from platform_cli.errors import ConfigError

    if shutil.which("git"):
        return None
    return ConfigError("git is not installed (no `git` on PATH)", hint="install git 2.38 or newer and run it again")


# What an OSError with a file name means, for the errno values a user or the machine causes.
OS_ERRORS = {
    errno.EACCES: ("cannot write or read {path}: permission denied", "check the permissions of {path}"),
    errno.EPERM: ("cannot write or read {path}: operation not permitted", "check the permissions of {path}"),
    errno.EROFS: ("cannot write {path}: the file system is read-only", "use a writable location"),
    errno.ENOTDIR: ("{path}: a file stands where a folder is needed", "move that file away, or choose another path"),
    errno.EEXIST: ("{path} already exists", "remove it or choose another path"),
    errno.EISDIR: ("{path} is a folder where a file is needed", "move that folder away"),
    errno.ENOSPC: ("cannot write {path}: no space left on the device", "free some space and run it again"),
    errno.ENOENT: ("{path} does not exist", "check the path (and that its folder was not deleted)"),
}


def _os_error(exc: OSError):
    """A PlatError for an OSError about a named file; None for the unexpected ones (a bug)."""
    from platform_cli.errors import PlatError

    told = OS_ERRORS.get(exc.errno or 0)
    if told is None or not exc.filename:
        return None
    path = exc.filename
    home = os.environ.get("PLAT_HOME")
    where = " (under PLAT_HOME: set PLAT_HOME to a writable folder)" if home and str(path).startswith(home) else ""
    message, hint = told
    return PlatError(message.format(path=path), hint.format(path=path) + where + "; then run the same command again")


def _trace_git(console: Any, timed: bool) -> Callable[[], None]:
    from platform_cli import git

    def show(args: tuple[str, ...], cwd: Path | None, code: int, seconds: float) -> None:
        detail = f"  ({seconds * 1000:.0f} ms, exit {code}, in {cwd or '.'})" if timed else ""
        console.trace(f"+ git {' '.join(args)}{detail}")

    return git.observe(show)


def _traceback(console: Any, debug: bool) -> None:
    if debug:
        import traceback

        console.trace(traceback.format_exc())


def _crash_log() -> Path | None:
    """Write the current traceback under PLAT_HOME/logs; its path, or None when it cannot be written."""
    import os
    import time
    import traceback

    try:
        from platform_cli import config

        logs = config.load().settings.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        path = logs / f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
        path.write_text(" ".join(sys.argv) + "\n\n" + traceback.format_exc(), encoding="utf-8")
    except Exception:  # noqa: BLE001 - a crash report must not crash
        return None
    return path


def load_settings(checkout: bool = True, **flags: Any):
    """Resolved settings; with a template_url, template_source becomes its checkout at template_ref.
    From here on the process's temporary folders live under PLAT_HOME/tmp (see scratch.py)."""
    from platform_cli import config, scratch

    resolved = config.load(flags=flags)
    s = resolved.settings
    scratch.claim(s.home)
    if not (checkout and s.template_url):
        return resolved
    from platform_cli import source

    path = source.checkout(s.template_url, s.template_ref, s.home)
    return config.ResolvedSettings(
        config.with_overrides(s, template_source=path),
        {**resolved.sources, "template_source": f"{s.template_url}@{s.template_ref}"},
    )


def forge_settings(forge: str | None, org: str | None, github_url: str | None, checkout: bool = True) -> "Settings":
    """Settings for a command that talks to the forge: --forge/--org/--github-url over the rest. A
    forge other than the local one needs an organisation someone chose (never the default `local`)."""
    from platform_cli.errors import ConfigError

    resolved = load_settings(checkout, forge=forge, org=org, github_url=github_url)
    s = resolved.settings
    if s.forge != "local" and resolved.sources["org"] == "default":
        raise ConfigError(
            f"--forge {s.forge} needs the organisation that holds the repos (--org is not set)",
            hint="pass --org ORG, or set PLAT_ORG or `org` in the config file (plat config show)",
        )
    return s


def connect(
    forge: str | None, org: str | None, github_url: str | None, checkout: bool = True
) -> tuple["Settings", "Forge"]:
    """The settings of a command that talks to the forge (`forge_settings`), and the forge they name."""
    from platform_cli import forge as forges

    settings = forge_settings(forge, org, github_url, checkout)
    return settings, forges.create(settings)


def prompter_for(yes: bool, json_mode: bool):
    """Prompt only on a terminal; without one plat never prompts (and lists what is missing)."""
    if yes or json_mode or not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    from platform_cli.prompts import Prompter

    return Prompter()
