"""A template's own question logic, evaluated as copier evaluates it: Jinja defaults
(`ghcr.io/{{ org | lower }}`) and validators (`{% if port < 1024 %}port must be…{% endif %}`), in
a sandboxed Jinja environment with copier's default filters (jinja2-ansible-filters).

The only module that evaluates Jinja itself (render.py only catches the errors copier raises
through it). It lets plat check every answer — at its prompt, or all at
once without a terminal — before anything is created; copier itself would only find a bad answer
in the middle of a render.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from platform_cli.errors import TemplateError
from platform_cli.models import Question

FILTERS = "jinja2_ansible_filters.AnsibleCoreFiltersExtension"  # what copier loads by default


def default(question: Question, context: Mapping[str, Any]) -> Any:
    """The question's default, rendered with the answers known so far when it is a template."""
    value = question.default
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return _render(value, context, f"the default of {question.name}")
    return value


def error(question: Question, value: Any, context: Mapping[str, Any]) -> str | None:
    """The template validator's message for `value` (None when it passes or there is none)."""
    if not question.validator:
        return None
    message = _render(question.validator, {**context, question.name: value}, f"the validator of {question.name}")
    return message.strip() or None


def _render(text: str, context: Mapping[str, Any], what: str) -> str:
    from jinja2 import TemplateError as JinjaError

    try:
        return _environment().from_string(text).render(**context)
    except JinjaError as exc:
        raise TemplateError(
            f"{what} does not render: {exc}", hint="fix the question in the template's copier.yml"
        ) from exc


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(extensions=[FILTERS], keep_trailing_newline=True)
