"""The explicit registry of rule families. Add a family by adding one line to FAMILIES.

The Kubernetes families come late: they wait for `helm template`, which runs in the background
while the others work. The Actions settings family asks the forge (GitHub's API), last.
"""

from __future__ import annotations

from typing import Protocol

from platform_cli.checks import (
    actions_settings,
    catalog,
    cluster,
    conflicts,
    drift,
    exemptions,
    slo,
    tenancy,
    terraform,
    version,
    workflows,
    workloads,
)
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule


class Family(Protocol):
    RULES: dict[str, Rule]
    NEEDS: tuple[str, ...]  # tools it runs; skipped because one is missing (ServiceContext.missing_tools) = unverified
    SKIP_IS_UNVERIFIED: bool  # skipped at all = unverified (its rules apply to every service)

    def skip_reason(self, ctx: ServiceContext) -> str: ...

    def check(self, ctx: ServiceContext) -> list[Finding]: ...


FAMILIES: dict[str, Family] = {
    "conflicts": conflicts,
    "drift": drift,
    "version": version,
    "slo": slo,
    "terraform": terraform,
    "workflows": workflows,
    "catalog": catalog,
    "kubernetes-workloads": workloads,
    "kubernetes-cluster": cluster,
    "tenancy": tenancy,  # reads the GitOps repo (a clone) when it is reachable
    "actions-settings": actions_settings,  # asks the forge (GitHub: 4 REST calls)
}


def all_rules() -> dict[str, Rule]:
    from platform_cli.checks import deep

    rules = {rid: r for family in FAMILIES.values() for rid, r in family.RULES.items()}
    return {**rules, **exemptions.RULES, **deep.RULES}
