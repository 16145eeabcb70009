"""Sloth's SLO plugins (`slo_plugins` on a document, `plugins` on an SLO): the chain Sloth runs, and
the built-in plugins plat carries. Sloth runs each SLO through a chain: plugins with a negative
priority, then its four defaults (validate, SLI rules, metadata rules, alert rules) unless
`overridePrevious`, then the rest, each sorted by priority. A plugin plat does not carry is refused
when the spec is read (custom Go plugins cannot run here); none is ever skipped silently."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from platform_cli.slo.promfmt import LABEL_NAME, parse_duration

VALIDATE = "sloth.dev/core/validate/v1"
SLI_RULES = "sloth.dev/core/sli_rules/v1"
METADATA_RULES = "sloth.dev/core/metadata_rules/v1"
ALERT_RULES = "sloth.dev/core/alert_rules/v1"
DEFAULTS = (VALIDATE, SLI_RULES, METADATA_RULES, ALERT_RULES)
INFO_METRIC = "sloth_slo_info"


@dataclass(frozen=True)
class Plugin:
    id: str
    config: Mapping[str, Any] = field(default_factory=dict)
    priority: int = 0


Groups = dict[str, dict[str, Any]]  # "sli" | "meta" | "alerts" -> {"rules": [...], "interval": "5m" | None}


def _no_config(config: Mapping[str, Any]) -> str | None:
    return None


def _sli_rules_config(config: Mapping[str, Any]) -> str | None:
    value = config.get("disableOptimized", False)
    return None if isinstance(value, bool) else "disableOptimized must be true or false"


def _info_labels_config(config: Mapping[str, Any]) -> str | None:
    labels = config.get("labels")
    if not isinstance(labels, dict) or not labels:
        return "needs labels: at least one label"
    bad = [k for k in labels if not isinstance(k, str) or not LABEL_NAME.match(k) or k.startswith("__")]
    if bad or not all(isinstance(v, str) and v for v in labels.values()):
        return f"labels must be valid label names with non-empty string values (got {sorted(map(str, labels))})"
    metric = config.get("metricName", INFO_METRIC)
    return None if isinstance(metric, str) and metric else "metricName must be a metric name"


def _intervals_config(config: Mapping[str, Any]) -> str | None:
    interval = config.get("interval")
    if not isinstance(interval, dict) or not interval.get("default"):
        return "needs interval.default (a duration such as 5m)"
    bad = [k for k, v in interval.items() if k not in _INTERVALS or parse_duration(str(v)) is None]
    return f"interval.{bad[0]} is not one of default/sliError/metadata/alert with a duration" if bad else None


def _remove_labels_config(config: Mapping[str, Any]) -> str | None:
    for key in ("preserveLabels", "skipMetrics"):
        value = config.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{key} must be a list of names"
    return None


_INTERVALS = {"default": None, "sliError": "sli", "metadata": "meta", "alert": "alerts"}


def _info_labels(groups: Groups, config: Mapping[str, Any], preserve: frozenset[str]) -> None:
    metric = config.get("metricName", INFO_METRIC)
    for rule in groups["meta"]["rules"]:
        if rule.get("record") == metric:
            rule["labels"] = dict(sorted({**rule["labels"], **config["labels"]}.items()))
            return


def _intervals(groups: Groups, config: Mapping[str, Any], preserve: frozenset[str]) -> None:
    interval = config["interval"]
    for key, group in _INTERVALS.items():
        if group:
            groups[group]["interval"] = str(interval.get(key) or interval["default"])


def _remove_labels(groups: Groups, config: Mapping[str, Any], preserve: frozenset[str]) -> None:
    kept = preserve | set(config.get("preserveLabels", []))
    skip = {INFO_METRIC, *config.get("skipMetrics", [])}
    for group, extra in (("sli", {"sloth_window"}), ("meta", set())):
        for rule in groups[group]["rules"]:
            if rule.get("record") not in skip:
                rule["labels"] = {k: v for k, v in rule["labels"].items() if k in kept | extra}


def _nothing(groups: Groups, config: Mapping[str, Any], preserve: frozenset[str]) -> None:
    """noop does nothing; debug only logs in Sloth: neither changes a rule."""


@dataclass(frozen=True)
class Kind:
    check: Callable[[Mapping[str, Any]], str | None]  # what is wrong with a config, None when it is fine
    apply: Callable[[Groups, Mapping[str, Any], frozenset[str]], None] | None  # None: a core rule builder


REGISTRY: dict[str, Kind] = {
    VALIDATE: Kind(_no_config, _nothing),  # plat validates every spec before it writes anything
    SLI_RULES: Kind(_sli_rules_config, None),
    METADATA_RULES: Kind(_no_config, None),
    ALERT_RULES: Kind(_no_config, None),
    "sloth.dev/core/noop/v1": Kind(_no_config, _nothing),
    "sloth.dev/core/debug/v1": Kind(_no_config, _nothing),
    "sloth.dev/contrib/info_labels/v1": Kind(_info_labels_config, _info_labels),
    "sloth.dev/contrib/rule_intervals/v1": Kind(_intervals_config, _intervals),
    "sloth.dev/contrib/remove_labels/v1": Kind(_remove_labels_config, _remove_labels),
}


def problem(plugin: Plugin) -> str | None:
    """Why plat cannot run `plugin`; None when it can."""
    kind = REGISTRY.get(plugin.id)
    if kind is None:
        return f"SLO plugin {plugin.id!r} is not supported by plat (supported: {', '.join(sorted(REGISTRY))})"
    found = kind.check(plugin.config)
    return f"SLO plugin {plugin.id!r}: {found}" if found else None


def chain(plugins: tuple[Plugin, ...], override: bool) -> tuple[Plugin, ...]:
    """The plugins in the order Sloth runs them for one SLO."""
    ordered = sorted(plugins, key=lambda p: p.priority)  # stable, as Go's slices.SortStableFunc
    before = [p for p in ordered if p.priority < 0]
    after = [p for p in ordered if p.priority >= 0]
    defaults = [] if override else [Plugin(i) for i in DEFAULTS]
    return (*before, *defaults, *after)
