"""GitHub Actions `${{ }}` expressions: the subset the golden-path workflows use.

Literals, property access (`inputs.mode`, `steps.push.outputs.digest`, `github['event_name']`),
`! == != < <= > >= && ||`, parentheses and the functions format, contains, startsWith, endsWith,
join, toJSON, fromJSON, and the status functions success, always, failure, cancelled.
Semantics follow GitHub's: `&&`/`||` return an operand, strings compare case-insensitively,
a missing property is null, and null, false, 0 and '' are falsy.

A context value may be `UNKNOWN` (a value that differs from run to run, e.g. `vars.*` when naming
a required check): reading it raises `Unresolved`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>'(?:[^']|'')*')
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op>==|!=|<=|>=|&&|\|\||[!<>(),.\[\]*])
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
)""",
    re.X,
)
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
STATUS_FUNCTIONS = ("success", "always", "failure", "cancelled")


class ExpressionError(Exception):
    """An expression outside the supported subset, or malformed."""


class Unresolved(Exception):
    """The expression reads a value that is not known here."""


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Status:
    """The job's state for the status functions: did an earlier step fail?"""

    failed: bool = False


def evaluate(expr: str, context: Mapping[str, Any], status: Status = Status()) -> Any:
    return _Parser(_tokens(expr), context, status).parse()


def interpolate(text: Any, context: Mapping[str, Any]) -> Any:
    """A value with `${{ }}` inside: a whole-value expression keeps its type, others become text."""
    if not isinstance(text, str) or "${{" not in text:
        return text
    whole = _whole(text)
    if whole is not None:
        return evaluate(whole, context)
    return EXPRESSION.sub(lambda m: to_text(evaluate(m.group(1), context)), text)


def condition(text: Any, context: Mapping[str, Any], status: Status = Status()) -> bool:
    """An `if:`: with or without `${{ }}`; without a status function it means `success() && (...)`."""
    if text is None:
        return not status.failed
    if isinstance(text, bool):
        return text and not status.failed
    expr = str(text).strip()
    whole = _whole(expr)
    expr = expr if whole is None else whole
    if not any(re.search(rf"\b{name}\s*\(", expr) for name in STATUS_FUNCTIONS):
        expr = f"success() && ({expr})"
    return truthy(evaluate(expr, context, status))


def _whole(text: str) -> str | None:
    """The expression when `text` is exactly one `${{ }}`."""
    matches = list(EXPRESSION.finditer(text.strip()))
    if len(matches) == 1 and matches[0].span() == (0, len(text.strip())):
        return matches[0].group(1)
    return None


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "") and value is not UNKNOWN


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def _tokens(expr: str) -> list[tuple[str, str]]:
    out, pos, expr = [], 0, expr.strip()
    while pos < len(expr):
        match = TOKEN.match(expr, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot read {expr[pos:]!r} in {expr!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if type(a) is not type(b) and a is not None and b is not None:
        return _number(a) == _number(b)
    return bool(a == b)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return float("nan")


def _format(template: Any, *args: Any) -> str:
    return (
        re.sub(
            r"\{(\d+)\}",
            lambda m: to_text(args[int(m.group(1))]),
            str(template).replace("{{", "\0").replace("}}", "\1"),
        )
        .replace("\0", "{")
        .replace("\1", "}")
    )


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):
        return any(_equal(item, needle) for item in haystack)
    return to_text(needle).lower() in to_text(haystack).lower()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "format": _format,
    "contains": _contains,
    "startswith": lambda a, b: to_text(a).lower().startswith(to_text(b).lower()),
    "endswith": lambda a, b: to_text(a).lower().endswith(to_text(b).lower()),
    "join": lambda items, sep=",": to_text(sep).join(map(to_text, items if isinstance(items, list) else [items])),
    "tojson": lambda value: json.dumps(value, indent=2),
    "fromjson": lambda text: json.loads(to_text(text)),
}


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], context: Mapping[str, Any], status: Status) -> None:
        self.tokens, self.pos, self.context, self.status = tokens, 0, context, status

    def parse(self) -> Any:
        value = self._or()
        if self.pos != len(self.tokens):
            raise ExpressionError(f"unexpected {self.tokens[self.pos][1]!r}")
        return value

    def _peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens) or (expected and self.tokens[self.pos][1] != expected):
            raise ExpressionError(f"expected {expected or 'more'} at the end of the expression")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._compare()
        while self._peek() == "&&":
            self._take()
            right = self._compare()
            value = right if truthy(value) else value
        return value

    def _compare(self) -> Any:
        value = self._unary()
        while self._peek() in ("==", "!=", "<", "<=", ">", ">="):
            op = self._take()[1]
            right = self._unary()
            value = _compare(op, value, right)
        return value

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        return self._primary()

    def _primary(self) -> Any:
        kind, text = self._take()
        if text == "(":
            value = self._or()
            self._take(")")
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r}")
        literal = {"true": True, "false": False, "null": None}
        if text in literal:
            return literal[text]
        if self._peek() == "(":
            return self._call(text.lower())
        return self._access(self._lookup(self.context, text))

    def _call(self, name: str) -> Any:
        self._take("(")
        args = []
        while self._peek() != ")":
            args.append(self._or())
            if self._peek() == ",":
                self._take()
        self._take(")")
        if name in STATUS_FUNCTIONS:
            return {
                "success": not self.status.failed,
                "always": True,
                "failure": self.status.failed,
                "cancelled": False,
            }[name]
        if name not in FUNCTIONS:
            raise ExpressionError(f"function {name}() is not supported here")
        return FUNCTIONS[name](*args)

    def _access(self, value: Any) -> Any:
        while self._peek() in (".", "["):
            if self._take()[1] == ".":
                value = self._lookup(value, self._take()[1])
            else:
                key = self._or()
                self._take("]")
                value = self._lookup(value, key)
        if value is UNKNOWN:
            raise Unresolved("the expression reads a value not known here")
        return value

    @staticmethod
    def _lookup(value: Any, key: Any) -> Any:
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(value, Mapping):
            if key in value:
                return value[key]
            lowered = {str(k).lower(): v for k, v in value.items()}
            return lowered.get(str(key).lower())
        if isinstance(value, list) and isinstance(key, (int, float)) and 0 <= int(key) < len(value):
            return value[int(key)]
        return None


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if isinstance(left, str) and isinstance(right, str):
        return _ordered(op, left.lower(), right.lower())
    return _ordered(op, _number(left), _number(right))


def _ordered(op: str, a: Any, b: Any) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
