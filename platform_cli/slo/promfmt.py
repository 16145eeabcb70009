"""Numbers, durations and names the way Sloth (Go) writes and reads them, so generated rules match
Sloth's byte for byte where they can: `%g`/`%v` floats, Prometheus durations (`4w`, not `28d`),
label values from YAML scalars, and the `{{ .window }}` placeholder as Sloth's regex reads it."""

from __future__ import annotations

import re
from decimal import Decimal

WINDOW = re.compile(r"{{ *\.window *}}")  # Sloth's conventions.TplSLIQueryWindowVarRegex
NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")  # Sloth's NameRegexp, and one character
LABEL_NAME = re.compile(r"^(?!__)[^\x00]+$")  # Prometheus 3 (and Sloth) take UTF-8 names; `__` is reserved
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_UNITS = (("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def go_float(value: float) -> str:
    """Go's `%g` / `%v` for a float64: the shortest repr, exponent form below 1e-4 and from 1e6 (e.g. 1e-07)."""
    if value == 0:
        return "0"
    digits, exponent = _shortest(value)
    sign = "-" if value < 0 else ""
    if exponent < -4 or exponent >= 6:  # strconv: shortest %g switches at precision 6
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return sign + _plain(digits, exponent)


def go_plain(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest repr, never in exponent form (99.99999)."""
    if value == 0:
        return "0"
    digits, exponent = _shortest(value)
    return ("-" if value < 0 else "") + _plain(digits, exponent)


def _shortest(value: float) -> tuple[str, int]:
    """The shortest round-tripping digits of |value| and its decimal exponent (1.5e-3 -> ("15", -3))."""
    _, digit_tuple, exp = Decimal(repr(abs(float(value)))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    assert isinstance(exp, int)
    return digits, exp + len(digits) - 1


def _plain(digits: str, exponent: int) -> str:
    if exponent < 0:
        return "0." + "0" * (-exponent - 1) + digits
    whole = digits[: exponent + 1].ljust(exponent + 1, "0")
    rest = digits[exponent + 1 :]
    return whole + ("." + rest if rest else "")


def duration(seconds: int) -> str:
    """Prometheus' duration string (model.Duration.String): 5m, 1h, 1d, 4w for 28 days, 30d, 1y."""
    out = ""
    for name, size in _UNITS:
        if name in "yw" and seconds % size:  # years and weeks only when exact: 90d, not 12w6d
            continue
        count, seconds = divmod(seconds, size)
        if count:
            out += f"{count}{name}"
    return out or "0s"


def parse_duration(text: str) -> int | None:
    """Seconds in a Prometheus duration such as `5m` or `1h30m`; None when it is not one."""
    parts = re.fullmatch(r"((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?", text or "")
    if not text or not parts:
        return None
    sizes = dict(_UNITS)
    total = 0
    for i, name in enumerate(("y", "w", "d", "h", "m", "s")):
        count = parts.group(2 * i + 2)
        total += int(count) * sizes[name] if count else 0
    return total or None


def label_value(value: object) -> str | None:
    """A YAML scalar as Sloth writes it as a label value (true -> "true", 0.2 -> "0.2"); None if not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return value
    return None
