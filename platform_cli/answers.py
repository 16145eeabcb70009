"""Collect a template's answers from an answers file, --set, flags and (on a terminal) prompts."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from platform_cli import names, template_logic, yamlio
from platform_cli.config import Settings
from platform_cli.errors import MissingAnswersError, PlatError, UsageError
from platform_cli.models import Question, Template
from platform_cli.prompts import Prompter, Validator, coerce
from platform_cli.templates import PLATFORM_ANSWERS

# Extra checks plat applies on top of the template's own validators, by question name.
CHECKS: dict[str, Callable[[Any], Any]] = {
    "service_name": names.check_service_name,
    "owner": names.check_owner,
    "schedule": names.check_schedule,
}
SCALARS = (str, int, float, bool, type(None))
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # newlines, tabs, escapes: never in an answer
# Where each answer plat computes comes from (PLATFORM_ANSWERS): a given one must equal it.
COMPUTED_FROM: dict[str, str] = {
    "org": "plat's setting `org` (--org, PLAT_ORG or the config file)",
    "platform_repo": "plat's setting `platform_repo` (PLAT_PLATFORM_REPO or the config file)",
    "platform_repo_url": "where the forge in use serves the platform release (its clone URL)",
    "platform_ref": "the sha of the platform release plat publishes",
    "platform_version": "the template version (templates/VERSION of the platform)",
    "platform_team": "plat's setting `platform_team` (PLAT_PLATFORM_TEAM or the config file): the team plat grants",
}


def read_answers_file(path: Path) -> dict[str, Any]:
    """The answers in a YAML file: a mapping of question names (strings) to plain values."""
    try:
        data = yamlio.load_file(path)
    except OSError as exc:
        raise UsageError(f"cannot read answers file {path}: {exc.strerror}", hint="check the path") from exc
    except yamlio.YAMLError as exc:
        raise UsageError(
            f"answers file {path} is not valid YAML: {yamlio.describe(exc)}",
            hint="it must be a YAML mapping of question: answer",
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"answers file {path} is not a mapping", hint="write one `question: answer` per line")
    odd = [repr(k) for k, v in data.items() if not isinstance(k, str) or not isinstance(v, SCALARS)]
    if odd:
        raise UsageError(
            f"answers file {path}: {', '.join(odd)} is not a question name with a plain value",
            hint="write one `question: answer` per line, the answer a string, number or true/false",
        )
    return {k: v for k, v in data.items() if not k.startswith("_")}  # copier's own keys


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
    context: Mapping[str, Any] | None = None,
    extra: Mapping[str, Validator] | None = None,
    sources: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Validate `given` against the template; prompt (when `prompter`) or fail for what is missing.

    `context`: the answers plat computes (org, platform_repo, …), which defaults and validators may
    use. `extra`: checks at the prompt beyond the template's, by question name (a free name).
    `sources`: where a given answer came from when it was a file (named in its error). Every
    answer, the defaults the template fills in included, passes the template's own validators
    before this returns: nothing is created with an answer copier would refuse mid-render."""
    _reject_unknown(template, given, sources)
    context, extra = dict(context or {}), dict(extra or {})
    answers: dict[str, Any] = {}
    wrong: dict[str, str] = {}
    for key, value in given.items():
        try:
            answers[key] = _checked(template.question(key), value)
        except UsageError as exc:
            wrong[key] = exc.message + _where(key, sources)
    askable = [q for q in template.questions if q.name not in PLATFORM_ANSWERS | set(answers) | set(wrong)]
    if prompter is not None and not yes and not wrong:
        for question in askable:
            known = {**context, **answers}
            value = prompter.ask(
                question,
                template_logic.default(question, known),
                partial(_error, question, known=known, extra=extra.get(question.name)),
            )
            if value != "" or question.required:
                answers[question.name] = _checked(question, value)
    missing = tuple(q.name for q in askable if q.required and q.name not in answers)
    for key, message in _validate(template, answers, context, skip=set(missing) | set(wrong)).items():
        wrong[key] = message + _where(key, sources)
    if missing:
        raise MissingAnswersError(missing, tuple(wrong.values()))
    if wrong:
        raise UsageError(
            "invalid answers: " + "; ".join(wrong.values()),
            hint=" ".join(f"--set {name}=…" for name in wrong) + " (or fix the answers file)",
        )
    return answers


def _where(key: str, sources: Mapping[str, str] | None) -> str:
    return f" (in {sources[key]})" if sources and key in sources else ""


def _validate(
    template: Template, answers: Mapping[str, Any], context: Mapping[str, Any], skip: set[str]
) -> dict[str, str]:
    """The template's validators over every answer, given or defaulted: {question: message} of the
    ones that fail (`skip`: questions already known to be missing or wrong)."""
    known = dict(context)
    for question in template.questions:  # in order: a default may use the answers before it
        if question.name in answers:
            known[question.name] = answers[question.name]
        elif question.name not in known:
            known[question.name] = template_logic.default(question, known)
    errors = {
        q.name: template_logic.error(q, known[q.name], known)
        for q in template.questions
        if q.name not in PLATFORM_ANSWERS and q.name not in skip and not _depends_on(q, skip)
    }
    return {name: message for name, message in errors.items() if message}


def _depends_on(question: Question, names: set[str]) -> bool:
    """A question whose default or validator reads one of `names` (missing or wrong: not checkable)."""
    text = f"{question.default} {question.validator or ''}"
    return any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)


def check_request(answers: Mapping[str, Any], settings: Settings) -> None:
    """What the answers must also satisfy given the settings, before anything is created: the service
    name is not a repo plat itself keeps on the forge, and every name derived from it fits."""
    name = answers["service_name"]
    names.check_service_name(name, taken=frozenset({settings.platform_repo, settings.gitops_repo}))
    names.check_derived(name, settings.environments)


def name_problem(name: str, settings: Settings) -> str | None:
    """check_request's verdict on a name typed at the prompt (None when it passes)."""
    try:
        check_request({"service_name": name}, settings)
    except PlatError as exc:
        return f"{exc.message} ({exc.hint})"
    return None


def refuse_computed(given: Mapping[str, Any], computed: Mapping[str, Any]) -> None:
    """A computed answer given through --set or --answers-file must equal plat's; checks the keys in `computed`."""
    for key in sorted(PLATFORM_ANSWERS & set(given) & set(computed)):
        if str(given[key]) != str(computed[key]):
            raise UsageError(
                f"{key} is computed by plat ({computed[key]}), not {given[key]!r}",
                hint=f"leave {key} out of --set and --answers-file; it comes from {COMPUTED_FROM[key]}",
            )


def _reject_unknown(template: Template, given: Mapping[str, Any], sources: Mapping[str, str] | None) -> None:
    known = {q.name for q in template.questions}
    unknown = sorted(set(given) - known)
    if unknown:
        where = "".join(sorted({_where(key, sources) for key in unknown}))
        raise UsageError(
            f"template {template.name} has no question(s): {', '.join(map(repr, unknown))}{where}",
            hint=f"its questions are: {', '.join(sorted(known))}",
        )


def _checked(question: Question | None, value: Any) -> Any:
    assert question is not None
    value = coerce(question, value)
    if question.choices and value not in question.choices:
        raise UsageError(
            f"{question.name} must be one of {', '.join(map(str, question.choices))}, got {value!r}",
            hint=f"--set {question.name}={question.choices[0]}",
        )
    if isinstance(value, str) and CONTROL.search(value):
        raise UsageError(
            f"{question.name} must be one line of text, got {value!r}",
            hint=f"remove the newline or control character from {question.name}",
        )
    check = CHECKS.get(question.name)
    return check(value) if check else value


def _error(question: Question, value: Any, known: Mapping[str, Any], extra: Validator | None) -> str | None:
    """Why `value` is no answer to `question` (None when it is): plat's checks, the template's, `extra`."""
    try:
        value = _checked(question, value)
    except PlatError as exc:
        return f"{exc.message} ({exc.hint})"
    return template_logic.error(question, value, known) or (extra(value) if extra else None)
