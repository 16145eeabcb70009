"""The checks behind `spec`: one function per kind of field, each recording a one-line problem that
names the SLO and the field, with a hint. Like Sloth's validation, or stricter where a value would
pass Sloth and then fail in promtool or never alert."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platform_cli.slo import plugins as plugins_mod
from platform_cli.slo import promql
from platform_cli.slo.plugins import Plugin
from platform_cli.slo.promfmt import LABEL_NAME, METRIC_NAME, NAME, WINDOW, label_value

RESERVED = ("sloth_id", "sloth_service", "sloth_slo", "sloth_window", "sloth_severity")
EXAMPLE = "sum(rate(http_requests_total[{{.window}}]))"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an SLO file: what, how to fix it, and where (its top-level key, its SLO's name)."""

    message: str
    hint: str
    key: str = ""  # "version", "service", "slos", "period_days"; "" for the whole file
    slo: str = ""  # the name of the SLO it concerns, when that SLO has one


@dataclass(frozen=True)
class At:
    """Where in the file a reader is, and the list its problems go to."""

    out: list[Problem]
    path: str = ""
    key: str = ""
    slo: str = ""

    def problem(self, message: str, hint: str) -> None:
        self.out.append(Problem(f"{self.path}: {message}" if self.path else message, hint, self.key, self.slo))

    def to(self, path: str | None = None, key: str | None = None, slo: str | None = None) -> At:
        return At(
            self.out,
            self.path if path is None else path,
            self.key if key is None else key,
            self.slo if slo is None else slo,
        )


def service(data: dict, expected: str | None, at: At) -> str:
    found = name(data, "service", at)
    if expected is not None and found and found != expected:
        at.problem(f"service is {found!r}, expected {expected!r}", f"set service: {expected} (the service's name)")
    return found


def name(data: dict, key: str, at: At) -> str:
    """A service or SLO name as Sloth's regex allows (it becomes part of rule group names and labels)."""
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        at.problem(f"`{key}` is missing", f"set {key}: to a non-empty string")
        return ""
    if not NAME.match(value):
        at.problem(
            f"`{key}` {value!r} is not a valid name",
            "start and end with a letter or digit; use only letters, digits, '.', '_' and '-'",
        )
    return value


def objective(value: Any, at: At) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 100:
        at.problem(
            f"objective must be a percentage above 0 and below 100, got {value!r}",
            "e.g. objective: 99.9 (100 leaves no error budget to burn)",
        )
        return 0.0
    return float(value)


def sli(data: Any, at: At) -> tuple[str, str, str]:
    """(error query, total query, error ratio query): events give the first two, raw the third."""
    data = data if isinstance(data, dict) else {}
    kinds = [k for k in ("events", "raw", "plugin") if data.get(k) is not None]
    if "plugin" in kinds:
        at.problem(
            "sli.plugin is not supported: Sloth SLI plugins are Go code plat cannot run",
            "write the query the plugin returns as sli.raw.error_ratio_query (with {{.window}})",
        )
        return "", "", ""
    if len(kinds) != 1:
        found = "both sli.events and sli.raw" if len(kinds) > 1 else "no sli.events or sli.raw"
        at.problem(f"{found}: give exactly one", f"e.g. sli.events.error_query / total_query using {WINDOW.pattern}")
        return "", "", ""
    if kinds == ["raw"]:
        return "", "", query(data["raw"], "sli.raw.error_ratio_query", at)
    error = query(data["events"], "sli.events.error_query", at)
    total = query(data["events"], "sli.events.total_query", at)
    if error and error == total:
        at.problem("sli.events.error_query and total_query are the same query", "the error query counts only errors")
    return error, total, ""


def query(data: Any, dotted: str, at: At) -> str:
    """A PromQL query with `{{.window}}` (spaces allowed inside the braces, as in Sloth) that parses."""
    value = data.get(dotted.rsplit(".", 1)[1]) if isinstance(data, dict) else None
    if not isinstance(value, str) or not WINDOW.search(value):
        at.problem(f"{dotted} must be a query using {{{{.window}}}}", f"e.g. {EXAMPLE}")
        return ""
    if "{{" in WINDOW.sub("", value):
        at.problem(f"{dotted} uses a template other than {{{{.window}}}}", "only {{.window}} is filled in")
        return ""
    error = promql.parse_error(value)
    if error:
        at.problem(f"{dotted} is not valid PromQL: {error}", f"fix the query; e.g. {EXAMPLE}")
        return ""
    return value.strip()


def labels(data: dict, key: str, at: At) -> dict[str, str]:
    """Prometheus labels: legal names (not `__…`, not Sloth's own), non-empty scalar values written as Sloth
    writes them (true -> "true"), sorted."""
    out = {}
    for k, v in mapping(data, key, at).items():
        text = label_value(v)
        if not isinstance(k, str) or not LABEL_NAME.match(k) or k.startswith("__") or k in RESERVED:
            at.problem(
                f"{key}: {k!r} is not a label name you can set",
                "a label name must not be empty, start with '__' or be one of " + ", ".join(RESERVED),
            )
        elif not text:
            at.problem(f"{key}.{k} must be a non-empty text, number or boolean, got {v!r}", f"e.g. {k}: value")
        else:
            out[k] = text
    return dict(sorted(out.items()))


def annotation_map(data: dict, at: At) -> dict[str, str]:
    out = {}
    for k, v in mapping(data, "annotations", at).items():
        text = label_value(v)
        if not isinstance(k, str) or not LABEL_NAME.match(k):
            at.problem(
                f"annotations: {k!r} is not a valid annotation name", "use a non-empty name not starting with '__'"
            )
        elif not text:
            at.problem(f"annotations.{k} must be a non-empty text, got {v!r}", f"e.g. {k}: some text")
        else:
            out[k] = text
    return out


def alert_name(data: dict, at: At) -> None:
    value = data.get("name")
    if not isinstance(value, str) or not value:
        at.problem(
            "`name` is missing: an enabled page or ticket alert needs the alert's name",
            "set alerting.name, or `disable: true` under both page_alert and ticket_alert",
        )
    elif not METRIC_NAME.match(value):
        at.problem(
            f"`name` {value!r} is not a valid alert name", "use letters, digits, '_' and ':' (e.g. MyServiceDown)"
        )


def flag(data: dict, key: str, at: At) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        at.problem(f"`{key}` must be true or false, got {value!r}", f"e.g. {key}: true")
        return False
    return value


def mapping(data: dict, key: str, at: At) -> dict:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        at.problem(f"`{key}` must be a mapping, got {value!r}", f"write {key}: as key: value pairs")
        return {}
    return value


def plugins(data: Any, at: At) -> tuple[tuple[Plugin, ...], bool]:
    """Sloth's SLO plugins section: (the chain's plugins, overridePrevious)."""
    if data is None:
        return (), False
    if not isinstance(data, dict):
        at.problem("must be a mapping with `chain:`", "e.g. chain: [{id: sloth.dev/contrib/info_labels/v1, ...}]")
        return (), False
    override = flag(data, "overridePrevious", at)
    chain = data.get("chain") or []
    if not isinstance(chain, list):
        at.problem("`chain` must be a list of plugins", "e.g. chain: [{id: ..., config: {...}}]")
        return (), override
    found = tuple(p for p in (_plugin(item, at.to(path=f"{at.path}.chain[{i}]")) for i, item in enumerate(chain)) if p)
    if override and not chain:
        at.problem("overridePrevious is set but no plugins are defined", "list the plugins under chain, or drop it")
    return found, override


def _plugin(item: Any, at: At) -> Plugin | None:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        at.problem("a plugin needs an `id`", "e.g. id: sloth.dev/contrib/info_labels/v1")
        return None
    config, priority = item.get("config") or {}, item.get("priority", 0)
    if not isinstance(config, dict) or isinstance(priority, bool) or not isinstance(priority, int):
        at.problem(f"plugin {item['id']!r}: config must be a mapping and priority a whole number", "see docs/slo.md")
        return None
    plugin = Plugin(item["id"], config, priority)
    wrong = plugins_mod.problem(plugin)
    if wrong:
        at.problem(wrong, "remove the plugin, or generate these rules with Sloth itself")
        return None
    return plugin
