"""Error budgets read from Prometheus (the rules `files.generate` writes), and the deploy gate on them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from platform_cli.errors import UsageError
from platform_cli.prometheus import Prometheus, PrometheusUnreachable
from platform_cli.slo import rules
from platform_cli.slo.promfmt import go_float
from platform_cli.slo.spec import Spec

POLICIES = ("fail", "pass")


@dataclass(frozen=True)
class Budget:
    slo: str
    objective: float
    remaining: float | None  # fraction of the period's budget left (negative: overspent); None: no data
    burn_rate_5m: float | None  # multiples of the sustainable rate
    burn_rate_1h: float | None
    hours_to_exhaustion: float | None  # at the current 1h burn rate; None when not burning or no data

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def budgets(spec: Spec, prometheus: Prometheus) -> tuple[Budget, ...]:
    out = []
    for slo in spec.slos:
        sel = "{" + rules.selector(slo) + "}"
        remaining = _one(prometheus, f"slo:period_error_budget_remaining:ratio{sel}")
        burn_5m = _one(prometheus, f"slo:current_burn_rate:ratio{sel}")
        burn_1h = _one(prometheus, f"slo:sli_error:ratio_rate1h{sel} / {go_float(slo.budget)}")
        hours = None
        if remaining is not None and burn_1h and burn_1h > 0:
            hours = max(remaining, 0.0) * slo.period_days * 24 / burn_1h
        out.append(Budget(slo.name, slo.objective, remaining, burn_5m, burn_1h, hours))
    return tuple(out)


@dataclass(frozen=True)
class GateResult:
    allowed: bool
    reason: str
    budgets: tuple[Budget, ...]
    exception: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "reason": self.reason,
            "exception": self.exception,
            "budgets": [b.to_json() for b in self.budgets],
        }


def gate(
    spec: Spec,
    prometheus: Prometheus,
    labels: tuple[str, ...],
    allowed_exceptions: tuple[str, ...],
    on_no_data: str = "fail",
    on_unreachable: str = "fail",
) -> GateResult:
    for policy in (on_no_data, on_unreachable):
        if policy not in POLICIES:
            raise UsageError(f"unknown policy {policy!r}", hint="use fail (closed) or pass (open)")
    exception = next((label for label in labels if label in allowed_exceptions), None)
    try:
        found = budgets(spec, prometheus)
    except PrometheusUnreachable as exc:
        return GateResult(
            on_unreachable == "pass" or exception is not None,
            f"{exc.message} (policy: {on_unreachable})",
            (),
            exception,
        )
    spent = [b.slo for b in found if b.remaining is not None and b.remaining <= 0]
    missing = [b.slo for b in found if b.remaining is None]
    if spent:
        reason = f"error budget exhausted: {', '.join(spent)}"
        return GateResult(
            exception is not None, reason + (f" (allowed: {exception})" if exception else ""), found, exception
        )
    if missing:
        allowed = on_no_data == "pass" or exception is not None
        return GateResult(allowed, f"no data for: {', '.join(missing)} (policy: {on_no_data})", found, exception)
    return GateResult(True, "every SLO has error budget left", found, exception)


def _one(prometheus: Prometheus, promql: str) -> float | None:
    samples = prometheus.query(promql)
    if not samples or math.isnan(samples[0].value):
        return None
    return samples[0].value
