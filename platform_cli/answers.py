"""Collect a template's answers from an answers file, --set, flags and (on a terminal) prompts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from platform_cli import names
from platform_cli.errors import MissingAnswersError, PlatError, UsageError
from platform_cli.models import Question, Template
from platform_cli.prompts import Prompter, coerce
from platform_cli.templates import PLATFORM_ANSWERS

# Extra checks plat applies on top of the template's own validators, by question name.
CHECKS: dict[str, Callable[[Any], Any]] = {
    "service_name": names.check_service_name,
    "owner": names.check_owner,
}
# Where each answer plat computes comes from (PLATFORM_ANSWERS): a given one must equal it.
COMPUTED_FROM: dict[str, str] = {
    "org": "plat's setting `org` (--org, PLAT_ORG or the config file)",
    "platform_repo": "plat's setting `platform_repo` (PLAT_PLATFORM_REPO or the config file)",
    "platform_ref": "the sha of the platform release plat publishes",
    "platform_version": "the template version (templates/VERSION of the platform)",
}


def read_answers_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read answers file {path}: {exc.strerror}", hint="check the path") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UsageError(f"answers file {path} is not valid YAML{where}",
                         hint="it must be a YAML mapping of question: answer") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"answers file {path} is not a mapping", hint="write one `question: answer` per line")
    return {k: v for k, v in data.items() if not str(k).startswith("_")}  # copier's own keys


def parse_sets(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {item!r} is not KEY=VALUE", hint="e.g. --set port=9090")
        out[key.strip()] = value
    return out


def collect(
    template: Template,
    given: Mapping[str, Any],
    *,
    yes: bool,
    prompter: Prompter | None,
) -> dict[str, Any]:
    """Validate `given` against the template; prompt (when `prompter`) or fail for what is missing."""
    _reject_unknown(template, given)
    answers = {key: _checked(template.question(key), value) for key, value in given.items()}
    askable = [q for q in template.questions if q.name not in PLATFORM_ANSWERS and q.name not in answers]
    if prompter is not None and not yes:
        for question in askable:
            default = _default(question, answers)
            value = prompter.ask(question, default, lambda v, q=question: _error(q, v))
            if value != "" or question.required:
                answers[question.name] = _checked(question, value)
    missing = tuple(q.name for q in askable if q.required and q.name not in answers)
    if missing:
        raise MissingAnswersError(missing)
    return answers


def refuse_computed(given: Mapping[str, Any], computed: Mapping[str, Any]) -> None:
    """A computed answer given through --set or --answers-file must equal plat's; checks the keys in `computed`."""
    for key in sorted(PLATFORM_ANSWERS & set(given) & set(computed)):
        if str(given[key]) != str(computed[key]):
            raise UsageError(f"{key} is computed by plat ({computed[key]}), not {given[key]!r}",
                             hint=f"leave {key} out of --set and --answers-file; it comes from {COMPUTED_FROM[key]}")


def _reject_unknown(template: Template, given: Mapping[str, Any]) -> None:
    known = {q.name for q in template.questions}
    unknown = sorted(set(given) - known)
    if unknown:
        raise UsageError(
            f"template {template.name} has no question(s): {', '.join(unknown)}",
            hint=f"its questions are: {', '.join(sorted(known))}",
        )


def _checked(question: Question | None, value: Any) -> Any:
    assert question is not None
    value = coerce(question, value)
    if question.choices and value not in question.choices:
        raise UsageError(f"{question.name} must be one of {', '.join(map(str, question.choices))}, got {value!r}",
                         hint=f"--set {question.name}={question.choices[0]}")
    check = CHECKS.get(question.name)
    return check(value) if check else value


def _error(question: Question, value: Any) -> str | None:
    try:
        _checked(question, value)
    except PlatError as exc:
        return f"{exc.message} ({exc.hint})"
    return None


def _default(question: Question, answers: Mapping[str, Any]) -> Any:
    """The question's default with simple `{{ name }}` references filled from earlier answers."""
    default = question.default
    if not isinstance(default, str) or "{{" not in default:
        return default
    filled = re.sub(r"{{\s*(\w+)\s*}}", lambda m: str(answers.get(m.group(1), m.group(0))), default)
    return "" if "{" in filled else filled
