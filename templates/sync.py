#!/usr/bin/env python3
"""Copy the files the golden-path templates share verbatim into each template.

The three templates are self-contained copier templates (copier cannot include files from
outside a template directory), so shared files are kept once under `templates/_shared/` and
copied into `templates/<type>/template/` by this script:

  _shared/all/      -> http-api, worker, cronjob
  _shared/service/  -> http-api, worker (long-running services: Deployment, Service, HPA, ...)

Edit the file under _shared/, then run `python templates/sync.py`. `--check` exits 1 listing
out-of-sync files (tests/templates runs it).
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GROUPS = {
    "all": ("http-api", "worker", "cronjob"),
    "service": ("http-api", "worker"),
}


def pairs() -> list[tuple[Path, Path]]:
    result = []
    for group, templates in GROUPS.items():
        root = HERE / "_shared" / group
        for src in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            rel = src.relative_to(root)
            for template in templates:
                result.append((src, HERE / template / "template" / rel))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report out-of-sync files, change nothing")
    args = parser.parse_args(argv)
    stale = [(s, d) for s, d in pairs() if not d.exists() or not filecmp.cmp(s, d, shallow=False)]
    if args.check:
        for src, dst in stale:
            print(f"out of sync: {dst.relative_to(HERE)} (source {src.relative_to(HERE)})")
        return 1 if stale else 0
    for src, dst in stale:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        print(f"updated {dst.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
