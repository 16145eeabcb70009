"""Files plat derives from what a template rendered, so every render (new, upgrade) carries them."""

from __future__ import annotations

from pathlib import Path

from platform_cli.slo import files as slo_files


def finalize(repo: Path) -> tuple[str, ...]:
    """Generate derived files in a freshly rendered tree; return the paths written."""
    if not (repo / slo_files.SLO_FILE).is_file():
        return ()
    return slo_files.generate(repo).stale
