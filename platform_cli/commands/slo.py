"""`plat slo generate|budget|gate`: rules from the SLO file, the error budget, and the deploy gate. Thin
commands over `platform_cli.slo`, which owns the spec, the generated files and the budgets."""

from __future__ import annotations

from pathlib import Path

from platform_cli.prometheus import Prometheus
from platform_cli.slo import budget as budget_mod
from platform_cli.slo import files
from platform_cli.slo.budget import Budget, GateResult
from platform_cli.slo.files import Generated


def generate(repo: Path, check: bool = False) -> Generated:
    """The rules and tests `slo.yaml` gives; written unless `check` (then `stale` says what would change)."""
    return files.generate(repo, write=not check)


def budgets(repo: Path, prometheus: Prometheus) -> tuple[Budget, ...]:
    return budget_mod.budgets(files.load(repo), prometheus)


def gate(
    repo: Path,
    prometheus: Prometheus,
    labels: tuple[str, ...],
    allowed_exceptions: tuple[str, ...],
    on_no_data: str = "fail",
    on_unreachable: str = "fail",
) -> GateResult:
    return budget_mod.gate(files.load(repo), prometheus, labels, allowed_exceptions, on_no_data, on_unreachable)
