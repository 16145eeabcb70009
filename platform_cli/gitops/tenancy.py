"""Team tenancy in the GitOps repo: one Argo CD AppProject per team, the namespace objects per service.

Registering a service writes, in the same pull request as its Applications:
- `tenancy/projects/<team>.yaml`: the team's AppProject. The first service of a team creates it; each
  further service extends it (its repo in `sourceRepos`, its namespaces in `destinations`), read from
  the GitOps repo's `main`. No cluster-scoped kind, and only the namespaced kinds the golden path renders.
- `tenancy/namespaces/<service>-<env>.yaml`: the Namespace (Pod Security `restricted`, enforce/audit/warn),
  a ResourceQuota and a LimitRange sized from the chart's values, and a Role + RoleBinding giving the
  team's group read access to workloads and logs and `rollout restart` (no secrets, no exec).
- `apps/tenancy.yaml`: the platform's Application that applies `tenancy/` (the team projects may not
  create any of it, so a team can neither loosen its quota nor widen its own role).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.gitops.quantities import Sizing, sizing_from_values
from platform_cli.gitops.snapshot import Reader

ARGOCD_NS = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
TEAM_LABEL = "plat.dev/team"
SERVICE_LABEL = "plat.dev/service"
POD_SECURITY = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
ROLE = "plat-team"
# The namespaced kinds the golden-path charts render (tests/security checks the charts against it).
GOLDEN_KINDS: tuple[tuple[str, str], ...] = (
    ("apps", "Deployment"),
    ("batch", "CronJob"),
    ("", "Service"),
    ("", "ServiceAccount"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("policy", "PodDisruptionBudget"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("monitoring.coreos.com", "PrometheusRule"),
    ("monitoring.coreos.com", "ServiceMonitor"),
    ("external-secrets.io", "ExternalSecret"),
)
READ = ["get", "list", "watch"]
# What the team's group may do in its namespaces: read workloads, events and logs, restart deployments.
ROLE_RULES: tuple[dict[str, Any], ...] = (
    {"apiGroups": [""], "resources": ["pods", "pods/log", "services", "endpoints", "events", "serviceaccounts"]},
    {"apiGroups": ["apps"], "resources": ["deployments", "replicasets", "statefulsets", "daemonsets"]},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"]},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"]},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"]},
    {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"]},
    {"apiGroups": ["events.k8s.io"], "resources": ["events"]},
    {"apiGroups": ["monitoring.coreos.com"], "resources": ["prometheusrules", "servicemonitors"]},
    {"apiGroups": ["external-secrets.io"], "resources": ["externalsecrets"]},
)
RESTART_RULE = {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]}  # rollout restart


@dataclass(frozen=True)
class Tenancy:
    """What the tenancy of one service is made from."""

    team: str
    service: str
    org: str
    repo_url: str  # the service's repo
    platform_repo_url: str  # the platform repo (its charts and workflows are a source too)
    environments: tuple[str, ...]
    sizing: Mapping[str, Sizing] = field(default_factory=dict)  # environment -> sizing (default: DEFAULT)

    @property
    def group(self) -> str:
        """The team's group as the cluster's identity provider names it (Dex's GitHub connector: org:team)."""
        return team_group(self.org, self.team)

    def namespaces(self) -> tuple[str, ...]:
        return tuple(namespace_of(self.service, env) for env in self.environments)


def team_group(org: str, team: str) -> str:
    return f"{org}:{team}"


def namespace_of(service: str, env: str) -> str:
    return f"{service}-{env}"


def project_path(team: str) -> str:
    return f"tenancy/projects/{team}.yaml"


def namespace_path(namespace: str) -> str:
    return f"tenancy/namespaces/{namespace}.yaml"


def files(t: Tenancy, read: Reader, gitops_url: str) -> dict[str, str]:
    """The tenancy files of a registration: the team's project (created, or extended from what `read`
    finds on main), the service's namespace objects, and the Application that applies them."""
    existing = read(project_path(t.team))
    out = {project_path(t.team): dump_all([project(t, yamlio.load(existing) if existing else None)])}
    for env in t.environments:
        out[namespace_path(namespace_of(t.service, env))] = dump_all(namespace_objects(t, env))
    if gitops_url:  # repos bootstrapped before tenancy existed get the Application with their next registration
        out["apps/tenancy.yaml"] = dump_all([application(gitops_url)])
    return out


def project(t: Tenancy, existing: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The team's AppProject: `existing` (the one on main) keeps its repos and destinations, plus this service's."""
    old = (existing or {}).get("spec") or {}
    repos = _union(old.get("sourceRepos") or [], [t.repo_url, t.platform_repo_url])
    dests = [d for d in old.get("destinations") or [] if isinstance(d, dict)]
    dests += [{"server": IN_CLUSTER, "namespace": ns} for ns in t.namespaces()]
    unique = {(str(d.get("server")), str(d.get("namespace"))): d for d in dests}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": t.team, "namespace": ARGOCD_NS, "labels": {TEAM_LABEL: t.team}},
        "spec": {
            "description": f"Services of team {t.team}, registered by plat",
            "sourceRepos": repos,
            "destinations": [unique[k] for k in sorted(unique)],
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": [{"group": g, "kind": k} for g, k in GOLDEN_KINDS],
            "roles": [_project_role(t)],
        },
    }


def _project_role(t: Tenancy) -> dict[str, Any]:
    """The team's group sees and syncs its own Applications in Argo CD, nothing else."""
    subject = f"proj:{t.team}:team"
    return {
        "name": "team",
        "description": f"members of {t.group}",
        "groups": [t.group],
        "policies": [f"p, {subject}, applications, {verb}, {t.team}/*, allow" for verb in ("get", "sync")],
    }


def namespace_objects(t: Tenancy, env: str) -> list[dict[str, Any]]:
    """The Namespace (Pod Security restricted), its quota and limit range, and the team's Role + RoleBinding."""
    ns = namespace_of(t.service, env)
    size = t.sizing.get(env) or Sizing()
    labels = {TEAM_LABEL: t.team, SERVICE_LABEL: t.service, "plat.dev/environment": env}
    role = _meta("rbac.authorization.k8s.io/v1", "Role", ROLE, ns, labels)
    role["rules"] = [{**r, "verbs": list(READ)} for r in ROLE_RULES] + [dict(RESTART_RULE)]
    binding = _meta("rbac.authorization.k8s.io/v1", "RoleBinding", ROLE, ns, labels)
    binding["roleRef"] = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": ROLE}
    binding["subjects"] = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": t.group}]
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {**labels, **POD_SECURITY}}},
        {**_meta("v1", "ResourceQuota", "plat-quota", ns, labels), "spec": {"hard": size.quota()}},
        {**_meta("v1", "LimitRange", "plat-limits", ns, labels), "spec": {"limits": [size.limit_range()]}},
        role,
        binding,
    ]


def _meta(api: str, kind: str, name: str, ns: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns, "labels": dict(labels)}}


def application(gitops_url: str) -> dict[str, Any]:
    """The platform's Application applying `tenancy/` (projects and namespaces) in the `default` project.
    It never prunes: a namespace leaves the cluster only by hand, with what runs in it."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "tenancy", "namespace": ARGOCD_NS, "labels": {"plat.dev/owner": "platform"}},
        "spec": {
            "project": "default",
            "source": {
                "repoURL": gitops_url,
                "targetRevision": "main",
                "path": "tenancy",
                "directory": {"recurse": True},
            },
            "destination": {"server": IN_CLUSTER, "namespace": ARGOCD_NS},
            "syncPolicy": {"automated": {"prune": False, "selfHeal": True}, "syncOptions": ["ServerSideApply=true"]},
        },
    }


def sizing_from_chart(chart: Path, environments: tuple[str, ...]) -> dict[str, Sizing]:
    """Each environment's sizing from the chart's values.yaml merged with values-<env>.yaml (what Argo CD
    renders); missing files or values fall back to the golden path's defaults."""
    if not (chart / "values.yaml").is_file():
        return {env: Sizing() for env in environments}
    base = _values(chart / "values.yaml")
    return {env: sizing_from_values(_merge(base, _values(chart / f"values-{env}.yaml"))) for env in environments}


def _values(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except yamlio.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        out[key] = _merge(old, value) if isinstance(old, Mapping) and isinstance(value, Mapping) else value
    return out


def _union(old: list[Any], new: list[str]) -> list[str]:
    return sorted({str(x) for x in old} | {x for x in new if x})


def dump_all(docs: list[dict[str, Any]]) -> str:
    return "---\n".join(yamlio.dump(d) for d in docs)
