"""The only module that imports copier (public API only)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence

from platform_cli.errors import TemplateError

ANSWERS_FILE = ".copier-answers.yml"


def copy(src: str, ref: str | None, dest: Path, answers: Mapping[str, Any], exclude: Sequence[str] = ()) -> None:
    """Render template `src` at git `ref` into `dest` with `answers`, defaults for the rest.

    Explicit copier settings: a user's copier settings file must not change defaults or trust.
    Template tasks are skipped and unsafe features refused. `exclude`: rendered paths not to write
    (gitignore-style patterns).
    """
    import copier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            copier.run_copy(
                src,
                str(dest),
                data=dict(answers),
                vcs_ref=ref,
                settings=copier.Settings(),
                defaults=True,
                overwrite=True,
                quiet=True,
                unsafe=False,
                skip_tasks=True,
                cleanup_on_error=True,
                exclude=list(exclude),
            )
        except (copier.errors.CopierError, ValueError) as exc:
            raise TemplateError(f"rendering {src} failed: {_first_line(exc)}",
                                hint="check the answers against the template's questions") from exc


def preload() -> None:
    """Import copier in a background thread, so the import overlaps the git work done before a
    render (imports wait on each other: a later `import copier` just finds it loaded)."""
    import threading

    threading.Thread(target=_import_copier, name="plat-preload-copier", daemon=True).start()


def _import_copier() -> None:
    import copier  # noqa: F401


def exact(path: str) -> str:
    """A gitignore-style pattern matching exactly `path` (relative to the rendered root)."""
    return "/" + re.sub(r"([*?\[\]\\!#])", r"\\\1", path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
