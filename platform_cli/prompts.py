"""The only module that imports questionary. Every prompt has a flag equivalent (--set KEY=VALUE)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from platform_cli.errors import UsageError
from platform_cli.models import Question

Validator = Callable[[Any], str | None]  # returns an error message, or None when valid


class Prompter:
    """Asks one question at a time. Tests pass prompt_toolkit pipe input and a dummy output."""

    def __init__(self, input: Any = None, output: Any = None) -> None:
        self._io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    def ask(self, question: Question, default: Any, validate: Validator) -> Any:
        """Ask until the answer passes `validate`; a refused answer is said right under the prompt
        and offered again for editing."""
        if question.type == "bool":
            return self._ask(lambda: _questionary().confirm(question.label, default=bool(default), **self._io))
        if question.choices:
            choices = [str(c) for c in question.choices]
            chosen = str(default) if str(default) in choices else None
            return coerce(
                question,
                self._ask(lambda: _questionary().select(question.label, choices=choices, default=chosen, **self._io)),
            )
        text = "" if default is None else str(default)
        while True:
            text = self._ask(partial(_questionary().text, question.label, default=text, **self._io))
            problem = _problem(question, text, validate)
            if problem is None:
                return coerce(question, text)
            self.say(f"  ✗ {problem}")

    def confirm(self, summary: str, question: str) -> bool:
        """Show `summary`, then ask a yes/no `question` (default yes)."""
        self.say(summary)
        return bool(self._ask(lambda: _questionary().confirm(question, default=True, **self._io)))

    def say(self, text: str) -> None:
        from prompt_toolkit import print_formatted_text

        print_formatted_text(text, **({"output": self._io["output"]} if "output" in self._io else {}))

    def _ask(self, make: Callable[[], Any]) -> Any:
        try:
            return make().unsafe_ask()
        except EOFError as exc:
            raise UsageError("no more input at the prompt; nothing was created", hint="run the command again") from exc


def _questionary() -> Any:
    import questionary

    return questionary


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
        return _number(question, value)
    return value if isinstance(value, str) else str(value)


def _number(question: Question, value: Any) -> int | float:
    """An int or float answer; `8080.9` (or `true`) is refused for an int, never truncated."""
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        number = float(value) if question.type == "float" or isinstance(value, float) else int(value)
        if question.type == "int" and isinstance(number, float):
            if not number.is_integer():
                raise ValueError(value)
            number = int(number)
    except (TypeError, ValueError, OverflowError) as exc:
        whole = " with no fraction" if question.type == "int" else ""
        raise UsageError(
            f"{question.name} must be a number{whole}, got {value!r}", hint=f"--set {question.name}=<number>"
        ) from exc
    return number


def _problem(question: Question, text: str, validate: Validator) -> str | None:
    try:
        return validate(coerce(question, text))
    except UsageError as exc:
        return exc.message
