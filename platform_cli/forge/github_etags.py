"""GitHub's conditional requests, kept on disk: the one owner of plat's ETag cache.

A GET answered 200 leaves its ETag and its body in a small JSON file the caller names; the next
GET of the same request sends that ETag as If-None-Match, and GitHub's 304 (which does not count
against the rate limit) means the saved body is still the answer. Files are written whole (a
temporary file moved into place), so concurrent scans never read half an entry; an unreadable
entry is no entry (the request is sent unconditionally and the entry written again).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Saved:
    etag: str
    data: Any  # what the caller kept with the ETag (the body, or what it made of it)


def load(path: Path) -> Saved | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("etag"), str) or "data" not in entry:
        return None
    return Saved(entry["etag"], entry["data"])


def save(path: Path, etag: str, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"etag": etag, "data": data}), encoding="utf-8")
    tmp.replace(path)


def etag_of(headers: Mapping[str, str] | None) -> str | None:
    return {k.lower(): v for k, v in (headers or {}).items()}.get("etag")


def if_none_match(saved: Saved | None) -> dict[str, str]:
    return {"If-None-Match": saved.etag} if saved else {}
