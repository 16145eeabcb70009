"""The `plat` console script. Before the CLI itself is even imported, a command that will render a
template gets its render worker started, so that copier's import runs on another core meanwhile
(see `render`). Everything else about the command line is `cli`'s."""

from __future__ import annotations

import gc
import sys

RENDERING = (("new", "service"), ("upgrade",), ("adopt",))  # commands that render a template
NO_RENDER = frozenset({"--help", "-h", "--check", "--rollback"})  # ... unless given one of these


def renders(args: list[str]) -> bool:
    words = [a for a in args if not a.startswith("-")]
    return any(tuple(words[: len(cmd)]) == cmd for cmd in RENDERING) and not NO_RENDER & set(args)


def main() -> None:
    gc.disable()  # importing allocates many objects and frees none: no collection pays off (~12 % faster)
    if renders(sys.argv[1:]):
        from platform_cli.rendering import render

        render.start_worker()
    from platform_cli.cli import main as cli_main

    gc.freeze()  # what the imports made lives until exit: no collection (nor the one at exit) walks it
    gc.enable()
    cli_main()
