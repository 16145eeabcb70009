"""Tenancy rules: the service's place in the GitOps repo — its team's AppProject, its namespaces, its quota.

The project and namespaces are those the chart in the GitOps repo's `tenancy/` renders from the tenancy
records (`tenancy/services/*.yaml`); an edit to the chart itself is found as drift. Run when the GitOps
repo is reachable through the service's forge (read from `main`, or from the open registration branch of
a service not merged yet); skipped, and said, otherwise.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found
from platform_cli.errors import PlatError
from platform_cli.gitops import tenancy
from platform_cli.gitops.quantities import exceeds
from platform_cli.gitops.records import Records

PROJECT = Rule(
    "PLAT-TEN-001",
    "Applications deploy through the team's AppProject",
    "high",
    "silver",
    "set spec.project of the service's Applications to the team's project (never `default`)",
)
CONFINED = Rule(
    "PLAT-TEN-002",
    "The team's AppProject confines it to its own repos and namespaces",
    "high",
    "silver",
    "restore tenancy/services/<service>.yaml and the chart in tenancy/ as plat writes them: exact source "
    "repos and namespaces, clusterResourceWhitelist: [], only the golden path's namespaced kinds",
)
RESTRICTED = Rule(
    "PLAT-TEN-003",
    "Namespaces enforce Pod Security restricted",
    "high",
    "silver",
    "restore tenancy/templates/namespaces.yaml as plat writes it: the Namespace labelled "
    "pod-security.kubernetes.io/enforce, audit and warn: restricted",
)
QUOTA = Rule(
    "PLAT-TEN-004",
    "Namespaces have a quota and limit range that fit the chart",
    "medium",
    "gold",
    "size the quota and limits of the namespace in tenancy/services/<service>.yaml from the chart's values "
    "(a GitOps pull request the platform team reviews)",
)
RULES = {r.id: r for r in (PROJECT, CONFINED, RESTRICTED, QUOTA)}
NEEDS: tuple[str, ...] = ()
SKIP_IS_UNVERIFIED = False  # the GitOps repo may be out of reach (CI without access): said, not failed
OWNER_FILE = "catalog-info.yaml"  # where the service names its team (spec.owner)


def skip_reason(ctx: ServiceContext) -> str:
    records = ctx.gitops
    if isinstance(records, PlatError):
        return f"the GitOps repo could not be read: {records.message}"
    if records is None:
        return f"no GitOps repo {ctx.org}/{ctx.gitops_repo} on the {ctx.forge_name} forge"
    if not records.applications:
        return f"{ctx.service} is not registered in {records.repo} (no apps/{ctx.service}/)"
    return ""


def check(ctx: ServiceContext) -> list[Finding]:
    records: Records = ctx.gitops
    out = _projects(ctx, records) + _confined(ctx, records) + _drift(records)
    for ns, objects in sorted(records.namespaces.items()):
        out += _namespace(ctx, records, ns, objects)
    return out


def _projects(ctx: ServiceContext, records: Records) -> list[Finding]:
    out = []
    for path, app in sorted(records.applications.items()):
        project = (app.get("spec") or {}).get("project")
        if project != records.team:
            msg = f"{records.where(path)} deploys through project {project!r}, not the team's {records.team!r}"
            fix = f"set spec.project: {records.team} in {path} (the tenancy chart renders it from tenancy/services/)"
            out.append(found(PROJECT, msg, OWNER_FILE, remediation=fix))
    return out


def _confined(ctx: ServiceContext, records: Records) -> list[Finding]:
    if records.project is None:
        msg = f"no AppProject for team {records.team!r}: no record of the team in {records.where(tenancy.SERVICES)}"
        return [found(CONFINED, msg, OWNER_FILE, remediation=_register_fix(records))]
    spec = records.project.get("spec") or {}
    problems = _project_problems(spec, set(records.namespaces), _repo_urls(records))
    where = f"the project of {records.team!r} rendered from {records.where(tenancy.SERVICES)}"
    return [found(CONFINED, f"{where}: {p}", OWNER_FILE) for p in problems]


def _drift(records: Records) -> list[Finding]:
    """The chart renders every team's project and namespaces: an edit there may loosen any of them."""
    out = []
    for path in records.drift:
        rule = RESTRICTED if path.endswith("namespaces.yaml") else CONFINED
        msg = f"{records.where(path)} differs from the tenancy chart plat writes (it renders every team's tenancy)"
        fix = f"restore {path} as plat writes it (the next `plat new service` registration writes it again)"
        out.append(found(rule, msg, OWNER_FILE, remediation=fix))
    return out


def _project_problems(spec: dict[str, Any], namespaces: set[str], repos: set[str]) -> list[str]:
    problems = []
    if spec.get("clusterResourceWhitelist"):
        problems.append("clusterResourceWhitelist allows cluster-scoped kinds (it must be [])")
    dests = [d for d in spec.get("destinations") or [] if isinstance(d, dict)]
    wild = sorted(str(d.get("namespace")) for d in dests if set("*?[!{") & set(str(d.get("namespace"))))
    if wild:
        problems.append(f"destinations with patterns reach other teams' namespaces: {', '.join(wild)}")
    missing = sorted(namespaces - {str(d.get("namespace")) for d in dests})
    if missing:
        problems.append(f"destinations lack the service's namespaces: {', '.join(missing)}")
    sources = [str(r) for r in spec.get("sourceRepos") or []]
    if any(set("*?[") & set(r) for r in sources):
        problems.append("sourceRepos holds a pattern: any matching repo may deploy into the team's namespaces")
    lacking = sorted(r for r in repos if not any(fnmatch.fnmatchcase(r, s) for s in sources))
    if lacking:
        problems.append(f"sourceRepos lacks the service's repo: {', '.join(lacking)}")
    allowed = {(str(k.get("group")), str(k.get("kind"))) for k in spec.get("namespaceResourceWhitelist") or []}
    extra = sorted(f"{g or 'core'}/{k}" for g, k in allowed - set(tenancy.GOLDEN_KINDS))
    if not allowed or extra:
        problems.append(
            f"namespaceResourceWhitelist allows more than the golden path renders: {', '.join(extra) or 'every kind'}"
        )
    return problems


def _namespace(ctx: ServiceContext, records: Records, ns: str, objects: list[dict[str, Any]] | None) -> list[Finding]:
    path = records.record
    if objects is None:
        msg = f"no namespace {ns} in {records.where(path)}"
        return [found(RESTRICTED, msg, OWNER_FILE, remediation=_register_fix(records))]
    kinds = {d.get("kind"): d for d in objects}
    labels = ((kinds.get("Namespace") or {}).get("metadata") or {}).get("labels") or {}
    out = []
    wrong = sorted(k for k, v in tenancy.POD_SECURITY.items() if labels.get(k) != v)
    if wrong:
        out.append(
            found(RESTRICTED, f"{records.where(path)}: namespace {ns} lacks {', '.join(wrong)}=restricted", OWNER_FILE)
        )
    out += _quota(ctx, records, ns, kinds)
    return out


def _quota(ctx: ServiceContext, records: Records, ns: str, kinds: dict[Any, dict[str, Any]]) -> list[Finding]:
    path, env = records.record, ns.removeprefix(f"{ctx.service}-")
    values = f"chart/values-{env}.yaml" if (ctx.root / f"chart/values-{env}.yaml").is_file() else "chart/values.yaml"
    size = tenancy.sizing_from_chart(ctx.root / "chart", (env,))[env]
    hard = ((kinds.get("ResourceQuota") or {}).get("spec") or {}).get("hard") or {}
    if not hard:
        fix = f"add to {path}: quota {size.quota()} for {ns} (plat new service writes it)"
        return [found(QUOTA, f"{records.where(path)}: no quota for {ns}", values, remediation=fix)]
    short = exceeds(size.needed(), hard)
    if not short:
        return []
    fix = (
        f"raise the quota of {ns} in {records.repo}:{path} to {size.quota()} (twice the need, "
        "as plat registers it), or lower the chart's resources"
    )
    msg = f"the quota of {ns} is smaller than the chart needs at full scale: {'; '.join(short)}"
    return [found(QUOTA, msg, values, remediation=fix)]


def _repo_urls(records: Records) -> set[str]:
    return {str(((a.get("spec") or {}).get("source") or {}).get("repoURL")) for a in records.applications.values()}


def _register_fix(records: Records) -> str:
    return (
        f"add the team's tenancy to {records.repo} as `plat new service` writes it "
        f"({records.record} and the chart in tenancy/; "
        "see docs/golden-paths.md, Tenancy)"
    )
