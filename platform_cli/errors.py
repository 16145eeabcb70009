"""The error hierarchy: every error a user can cause carries a message and a hint."""

from __future__ import annotations


class PlatError(Exception):
    """An error the user can act on. The CLI prints it on one line with its hint, exit 1."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(PlatError):
    """Bad input: a name, an answer, a flag value, a file."""


class ConfigError(PlatError):
    """A configuration file or value that cannot be used."""


class TemplateError(PlatError):
    """An unknown template, or a template that cannot be rendered."""


class ForgeError(PlatError):
    """The forge refused or failed an operation."""


class NotFoundError(ForgeError):
    """What the forge was asked for is not there (GitHub's 404): gone, not an outage or a refusal."""


class MissingAnswersError(UsageError):
    """Answers are missing and no terminal is attached to ask for them."""

    def __init__(self, missing: tuple[str, ...], invalid: tuple[str, ...] = ()) -> None:
        also = f"; invalid answers: {'; '.join(invalid)}" if invalid else ""
        super().__init__(
            f"missing answers: {', '.join(missing)} (no terminal to prompt on){also}",
            hint="pass them with --set KEY=VALUE or --answers-file FILE, or --yes to accept defaults",
        )
        self.missing = missing
        self.invalid = invalid


class DashboardInputError(UsageError):
    """A document given to `plat dashboard build` lacks what the pages show, or is not JSON."""
