"""The only module that imports copier (public API only)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Mapping

from platform_cli.errors import TemplateError

ANSWERS_FILE = ".copier-answers.yml"


def copy(src: str, ref: str | None, dest: Path, answers: Mapping[str, Any]) -> None:
    """Render template `src` at git `ref` into `dest` with `answers`, defaults for the rest.

    Explicit copier settings: a user's copier settings file must not change defaults or trust.
    Template tasks are skipped and unsafe features refused.
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
            )
        except (copier.errors.CopierError, ValueError) as exc:
            raise TemplateError(f"rendering {src} failed: {_first_line(exc)}",
                                hint="check the answers against the template's questions") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
