"""SLO error budgets of a service checkout, read from Prometheus (for `plat fleet status`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from platform_cli.errors import PlatError
from platform_cli.prometheus import Prometheus
from platform_cli.slo import budget, files


def budgets_reader(prometheus: Prometheus) -> Callable[[Path], dict[str, float | None] | None]:
    """{slo name: remaining budget fraction} of a checkout; None when it has no usable SLO file or
    Prometheus cannot be read."""

    def read(checkout: Path) -> dict[str, float | None] | None:
        try:
            return {b.slo: b.remaining for b in budget.budgets(files.load(checkout), prometheus)}
        except PlatError:
            return None

    return read
