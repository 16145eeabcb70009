"""Doctor results per service, kept by the commit sha of `main` they describe (and the platform
version they were measured against): a rescan of an unchanged repo reads one small file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class DoctorCache:
    def __init__(self, root: Path, platform_key: str) -> None:
        self.root = root
        self.platform_key = platform_key

    def get(self, repo: str, sha: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(repo).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("sha") != sha or data.get("platform") != self.platform_key:
            return None
        return data.get("row")

    def put(self, repo: str, sha: str, row: dict[str, Any]) -> None:
        path = self._path(repo)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"sha": sha, "platform": self.platform_key, "row": row}), encoding="utf-8")
        tmp.replace(path)

    def _path(self, repo: str) -> Path:
        return self.root / f"{repo}.json"
