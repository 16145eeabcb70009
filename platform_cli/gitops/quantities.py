"""Kubernetes resource quantities, and the size of a service's namespace computed from its chart's values."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

RESOURCES = ("cpu", "memory", "ephemeral-storage")
# The golden path's defaults (the templates' values.yaml): used where a chart says nothing.
DEFAULT_REQUESTS = {"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "64Mi"}
DEFAULT_LIMITS = {"cpu": "500m", "memory": "256Mi", "ephemeral-storage": "128Mi"}
# Headroom: a team may double its resources (per container, and in all) before the platform reviews more.
LIMIT_RANGE_MAX_FACTOR = 2  # a container's maximum: twice the chart's limits
QUOTA_HEADROOM = 2  # the namespace's quota: twice what the chart needs at full scale
_SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
}
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$")


def parse(quantity: object) -> Decimal:
    """A quantity in base units (cores, bytes): '100m' -> 0.1, '128Mi' -> 134217728, 2 -> 2."""
    match = _QUANTITY.match(str(quantity).strip())
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {quantity!r}")
    number, suffix = match.group(1), match.group(2) or ""
    try:
        value = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise ValueError(f"not a Kubernetes quantity: {quantity!r}") from exc
    return value / 1000 if suffix == "m" else value * _SUFFIX[suffix]


def format_cpu(cores: Decimal) -> str:
    milli = math.ceil(cores * 1000)
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def format_bytes(size: Decimal) -> str:
    whole = math.ceil(size)
    for suffix in ("Gi", "Mi", "Ki"):
        if whole % _SUFFIX[suffix] == 0:
            return f"{whole // _SUFFIX[suffix]}{suffix}"
    return str(whole)


def fmt(resource: str, value: Decimal) -> str:
    return format_cpu(value) if resource == "cpu" else format_bytes(value)


@dataclass(frozen=True)
class Sizing:
    """One container's requests and limits (the chart's `resources`) and how many pods run at most."""

    requests: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_REQUESTS))
    limits: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    max_replicas: int = 6

    @property
    def pods(self) -> int:
        """Pods at the peak of a rolling update at full scale (maxSurge 25 %), plus one for a one-off job."""
        return self.max_replicas + math.ceil(self.max_replicas * 0.25) + 1

    def needed(self, factor: int = 1) -> dict[str, str]:
        """What the chart needs at full scale (times `factor`), as ResourceQuota `hard` entries."""
        pods = self.pods * factor
        hard = {"pods": str(pods)}
        for kind, values in (("requests", self.requests), ("limits", self.limits)):
            for r in RESOURCES:
                hard[f"{kind}.{r}"] = fmt(r, parse(values[r]) * pods)
        return hard

    def quota(self) -> dict[str, str]:
        """The quota plat registers: what the chart needs at full scale, with the headroom."""
        return self.needed(QUOTA_HEADROOM)

    def limit_range(self) -> dict[str, Any]:
        return {
            "type": "Container",
            "defaultRequest": {r: fmt(r, parse(self.requests[r])) for r in RESOURCES},
            "default": {r: fmt(r, parse(self.limits[r])) for r in RESOURCES},
            "max": {r: fmt(r, parse(self.limits[r]) * LIMIT_RANGE_MAX_FACTOR) for r in RESOURCES},
        }


def sizing_from_values(values: Mapping[str, Any]) -> Sizing:
    """The sizing of a chart's merged values: `resources`, and `autoscaling.maxReplicas` (HPA on),
    else `replicaCount`, else one pod (a CronJob)."""
    resources = _mapping(values.get("resources"))
    requests = _pick(resources.get("requests"), DEFAULT_REQUESTS)
    limits = _pick(resources.get("limits"), DEFAULT_LIMITS)
    scaling = _mapping(values.get("autoscaling"))
    if scaling.get("enabled"):
        replicas = scaling.get("maxReplicas")
    else:
        replicas = values.get("replicaCount", 1)
    return Sizing(requests, limits, replicas if isinstance(replicas, int) and replicas > 0 else 1)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _pick(given: object, default: Mapping[str, str]) -> dict[str, str]:
    given = _mapping(given)
    out = {}
    for r in RESOURCES:
        value = given.get(r, default[r])
        try:
            parse(value)
        except ValueError:
            value = default[r]
        out[r] = str(value)
    return out


def exceeds(needed: Mapping[str, str], hard: Mapping[str, object]) -> list[str]:
    """The quota entries of `hard` below what `needed` (a Sizing.needed()) asks, as 'key: have < need'."""
    short = []
    for key, want in needed.items():
        have = hard.get(key)
        try:
            if have is None or parse(have) < parse(want):
                short.append(f"{key}: {have if have is not None else 'unset'} < {want}")
        except ValueError:
            short.append(f"{key}: {have!r} is not a quantity")
    return short
