"""YAML through libyaml's C loader and dumper when PyYAML has them (10x faster on charts and rules).

Every way a file can fail to be YAML ends as a `YAMLError` saying why, so callers that name the file
in their message (and exit 1) need one `except`: a syntax error, a value the loader cannot build
(`expires: 2020-02-30`), or bytes that are not UTF-8 text (a binary file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
YAMLError = yaml.YAMLError


def load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor's error: 2020-02-30, 1e999999 ...
        raise YAMLError(f"a value cannot be read: {exc}") from exc


def load_all(text: str) -> list[Any]:
    """Every document of a multi-document text, with `load`'s errors."""
    try:
        return list(yaml.load_all(text, Loader=LOADER))  # noqa: S506 - a safe loader
    except (ValueError, TypeError, OverflowError) as exc:
        raise YAMLError(f"a value cannot be read: {exc}") from exc


def read_text(path: Path) -> str:
    """A file's UTF-8 text; YAMLError (not UnicodeDecodeError) when it holds other bytes. OSError passes."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YAMLError(f"it is not UTF-8 text (byte {exc.start} is {data[exc.start : exc.start + 1]!r})") from exc


def load_file(path: Path) -> Any:
    """Parse a YAML file (see the module docstring for the errors)."""
    return load(read_text(path))


def describe(exc: Exception) -> str:
    """A YAML error in one line: what is wrong and where (line and column when the parser knows)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"{problem}{where}"


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, sort_keys=False, width=1000)
