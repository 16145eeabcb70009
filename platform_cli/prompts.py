"""The only module that imports questionary. Every prompt has a flag equivalent (--set KEY=VALUE)."""

from __future__ import annotations

from typing import Any, Callable

from platform_cli.errors import UsageError
from platform_cli.models import Question

Validator = Callable[[Any], str | None]  # returns an error message, or None when valid


class Prompter:
    """Asks one question at a time. Tests pass prompt_toolkit pipe input and a dummy output."""

    def __init__(self, input: Any = None, output: Any = None) -> None:
        self._io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    def ask(self, question: Question, default: Any, validate: Validator) -> Any:
        import questionary

        message = f"{question.name}" + (f" — {question.help}" if question.help else "")
        if question.type == "bool":
            prompt = questionary.confirm(message, default=bool(default), **self._io)
        elif question.choices:
            choices = [str(c) for c in question.choices]
            prompt = questionary.select(message, choices=choices,
                                        default=str(default) if str(default) in choices else None, **self._io)
        else:
            prompt = questionary.text(
                message, default="" if default is None else str(default),
                validate=lambda text: _adapt(question, text, validate), **self._io,
            )
        try:
            answer = prompt.unsafe_ask()
        except (KeyboardInterrupt, EOFError) as exc:
            raise UsageError("aborted at the prompt; nothing was created", hint="run the command again") from exc
        return coerce(question, answer)


def coerce(question: Question, value: Any) -> Any:
    """Turn a typed-in or --set string into the question's type; raise UsageError if it does not fit."""
    if question.type == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "y", "1", "on"):
            return True
        if text in ("false", "no", "n", "0", "off"):
            return False
        raise UsageError(f"{question.name} must be true or false, got {value!r}", hint=f"--set {question.name}=true")
    if question.type in ("int", "float"):
        try:
            return int(value) if question.type == "int" else float(value)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{question.name} must be a number, got {value!r}",
                             hint=f"--set {question.name}=<number>") from exc
    return value if isinstance(value, str) else str(value)


def _adapt(question: Question, text: str, validate: Validator) -> bool | str:
    try:
        error = validate(coerce(question, text))
    except UsageError as exc:
        return exc.message
    return True if error is None else error
