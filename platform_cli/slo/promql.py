"""PromQL checked in-process: the only module that imports `promql_parser` (PyPI promql-parser)."""

from __future__ import annotations

from platform_cli.slo.promfmt import WINDOW


def parse_error(query: str) -> str | None:
    """Why `query` (its `{{.window}}` filled with 1m, as Sloth checks it) is not PromQL; None when it is."""
    import promql_parser  # imported on first use: plat --help and commands without SLOs never load it

    try:
        promql_parser.parse(WINDOW.sub("1m", query))
    except Exception as exc:  # noqa: BLE001 - the parser raises ValueError, its bindings other types
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None
