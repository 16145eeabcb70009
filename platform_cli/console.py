"""The only writer to the terminal. Human output through rich on stderr/stdout; --json prints one
JSON document on stdout and nothing else there (progress and errors go to stderr)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TextIO


class Console:
    """`quiet`: no progress lines (results and errors only); `verbose`: also trace lines (`trace`)."""

    def __init__(
        self,
        json_mode: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        quiet: bool = False,
        verbose: bool = False,
    ) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self.verbose = verbose
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr
        self._rich_out = None
        self._rich_err = None

    def _out(self):
        if self._rich_out is None:
            from rich.console import Console as Rich

            self._rich_out = Rich(file=self._stdout, highlight=False, soft_wrap=True)
        return self._rich_out

    def _err(self):
        if self._rich_err is None:
            from rich.console import Console as Rich

            self._rich_err = Rich(file=self._stderr, highlight=False, soft_wrap=True)
        return self._rich_err

    def step(self, message: str) -> None:
        """A progress line: on stderr, so --json output stays parseable."""
        if self.json_mode or self.quiet:
            return
        name, _, rest = message.partition(": ")
        if not _is_terminal(self._stderr):  # no styling to show: skip loading rich (CI, pipes, logs)
            self._stderr.write(f"✓ {name} {rest}\n")
            return
        self._err().print(f"[green]✓[/] [bold]{name}[/] {_escape(rest)}")

    def trace(self, message: str) -> None:
        """A detail for --verbose/--debug (git commands run, tracebacks): stderr, plain text."""
        if self.verbose:
            self._stderr.write(message.rstrip("\n") + "\n")

    def emit(self, data: dict[str, Any], render: Callable[[Console], None]) -> None:
        if self.json_mode:  # indented for a person at a terminal; one line for a pipe (json's C encoder: a
            indent = 2 if _is_terminal(self._stdout) else None  # year of DORA metrics is 10 MB, 1.3 s indented)
            self._stdout.write(json.dumps(data, indent=indent, sort_keys=True, default=str) + "\n")
        else:
            render(self)

    def print(self, text: str = "", style: str | None = None) -> None:
        if not _is_terminal(self._stdout):
            self._stdout.write(text + "\n")
            return
        self._out().print(text, style=style, markup=False)

    def table(self, title: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """A table: on a terminal drawn by rich, long cells folded (never cut); elsewhere (CI logs,
        pipes) plain aligned lines at full width, so a file path or a fix is never cut short."""
        cells = [tuple(" ".join(str(c).split("\n")) for c in row) for row in rows]
        if not _is_terminal(self._stdout):
            self._stdout.write("".join(line + "\n" for line in _plain_table(title, columns, cells)))
            return
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in cells:
            table.add_row(*(_escape(c) for c in row))
        self._out().print(table)

    def error(self, message: str, hint: str = "") -> None:
        if self.json_mode:
            self._stdout.write(json.dumps({"error": message, "hint": hint}) + "\n")
        line = f"error: {message}" + (f" (hint: {hint})" if hint else "")
        self._stderr.write(line + "\n")


def _plain_table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in (columns, *rows)) for i in range(len(columns))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

    return [title, line(columns), *(line(row) for row in rows)]


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
