"""The typer app (app.py), one module per command group with its own human view, the shared
options and the one error boundary (shared.py)."""

from platform_cli.cli.app import app, main

__all__ = ["app", "main"]
