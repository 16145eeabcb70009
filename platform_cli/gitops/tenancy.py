"""Team tenancy in the GitOps repo: one Argo CD AppProject per team, the namespace objects per service.

Registering a service writes, in the same pull request as its Applications, only files of its own or
files every registration writes identically, so registrations of one team never conflict:
- `tenancy/services/<service>.yaml`: the service's record: its team and group, its repo and the platform
  repo, and each namespace (`<service>-<env>`) with its quota and limit range sized from the chart's values;
- `tenancy/Chart.yaml` and `tenancy/templates/` (`tenancy_chart.py`): a chart that renders, from every
  record, the team's AppProject (sourceRepos: the team's service repos and the platform repo; destinations:
  exactly the team's namespaces; no cluster-scoped kind; only the namespaced kinds the golden path
  renders) and per namespace the Namespace (Pod Security `restricted`), ResourceQuota, LimitRange and a
  Role + RoleBinding giving the team's group read access to workloads and logs and `rollout restart`;
- `apps/tenancy.yaml`: the platform's Application that renders the chart (the team projects may not
  create any of it, so a team can neither loosen its quota nor widen its own role).

`project` and `namespace_objects` build in Python what the chart renders (`plat doctor` checks them; the
tests compare them with `helm template`'s output).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.gitops.quantities import Sizing, sizing_from_values

ARGOCD_NS = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
TEAM_LABEL = "plat.dev/team"
SERVICE_LABEL = "plat.dev/service"
POD_SECURITY = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
ROLE = "plat-team"
ENV_LABEL = "plat.dev/environment"
PROJECT_VERBS = ("get", "sync")
SERVICES = "tenancy/services"  # one record per service: what the chart renders tenancy from
RECORD_HEADER = (
    "# The tenancy of one service, written by `plat new service`. The chart in tenancy/ renders the team's\n"
    "# AppProject and this service's namespaces from it (docs/golden-paths.md, Tenancy).\n"
)
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


def service_path(service: str) -> str:
    return f"{SERVICES}/{service}.yaml"


def files(t: Tenancy, gitops_url: str) -> dict[str, str]:
    """The tenancy files of a registration that are the service's own: its record under `tenancy/services/`
    and (when the GitOps repo's URL is known) the Application applying `tenancy/`, the same in every
    registration. No registration rewrites a file another one writes differently, so two registrations of
    one team merge in either order; the chart (`tenancy_chart.py`) renders the team's project from them."""
    out = {service_path(t.service): RECORD_HEADER + yamlio.dump(record(t))}
    if gitops_url:  # repos bootstrapped before tenancy existed get the Application with their next registration
        out["apps/tenancy.yaml"] = dump_all([application(gitops_url)])
    return out


def record(t: Tenancy) -> dict[str, Any]:
    """The service's tenancy record: its team, repos and namespaces, each namespace with its sizing."""
    namespaces = []
    for env in t.environments:
        size = t.sizing.get(env) or Sizing()
        entry = {"name": namespace_of(t.service, env), "environment": env, "quota": size.quota()}
        namespaces.append({**entry, "limits": size.limit_range()})
    return {
        "service": t.service,
        "team": t.team,
        "group": t.group,
        "repoURL": t.repo_url,
        "platformRepoURL": t.platform_repo_url,
        "namespaces": namespaces,
    }


# --- what the chart renders from the records (the same objects; tests/security compares them with helm's) ---


def project(team: str, records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The team's AppProject made from the records of its services (`records` of other teams are ignored)."""
    mine = [r for r in records if r.get("team") == team]
    repos = _union([], [str(u) for r in mine for u in (r.get("repoURL"), r.get("platformRepoURL")) if u])
    names = _union([], [str(e.get("name")) for r in mine for e in _entries(r)])
    groups = _union([], [str(r.get("group")) for r in mine if r.get("group")])
    extra = _union([], [f"{k.get('group') or ''}/{k.get('kind')}" for r in mine for k in _extra_kinds(r)])
    kinds = [{"group": g, "kind": k} for g, k in GOLDEN_KINDS]
    kinds += [{"group": k.split("/")[0], "kind": k.split("/")[-1]} for k in extra]
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": team, "namespace": ARGOCD_NS, "labels": {TEAM_LABEL: team}},
        "spec": {
            "description": f"Services of team {team}, registered by plat",
            "sourceRepos": repos,
            "destinations": [{"server": IN_CLUSTER, "namespace": ns} for ns in names],
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": kinds,  # a record's extraKinds: a reviewed escape hatch
            "roles": [project_role(team, groups)],
        },
    }


def project_role(team: str, groups: list[str]) -> dict[str, Any]:
    """The team's group sees and syncs its own Applications in Argo CD, nothing else."""
    return {
        "name": "team",
        "description": f"members of {', '.join(groups)}",
        "groups": groups,
        "policies": [policy(team, verb) for verb in PROJECT_VERBS],
    }


def policy(team: str, verb: str) -> str:
    return f"p, proj:{team}:team, applications, {verb}, {team}/*, allow"


def namespaces(record: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """namespace -> its objects, for each namespace of a service's record."""
    return {str(e.get("name")): namespace_objects(record, e) for e in _entries(record)}


def namespace_objects(record: Mapping[str, Any], entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Namespace (Pod Security restricted), its quota and limit range, and the team's Role + RoleBinding."""
    ns, env = str(entry.get("name")), str(entry.get("environment"))
    labels = {TEAM_LABEL: str(record.get("team")), SERVICE_LABEL: str(record.get("service")), ENV_LABEL: env}
    role = _meta("rbac.authorization.k8s.io/v1", "Role", ROLE, ns, labels)
    role["rules"] = role_rules()
    binding = _meta("rbac.authorization.k8s.io/v1", "RoleBinding", ROLE, ns, labels)
    binding["roleRef"] = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": ROLE}
    binding["subjects"] = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": record.get("group")}]
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {**labels, **POD_SECURITY}}},
        {**_meta("v1", "ResourceQuota", "plat-quota", ns, labels), "spec": {"hard": entry.get("quota") or {}}},
        {**_meta("v1", "LimitRange", "plat-limits", ns, labels), "spec": {"limits": [entry.get("limits") or {}]}},
        role,
        binding,
    ]


def role_rules() -> list[dict[str, Any]]:
    return [{**r, "verbs": list(READ)} for r in ROLE_RULES] + [dict(RESTART_RULE)]


def _entries(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in record.get("namespaces") or [] if isinstance(e, Mapping)]


def _extra_kinds(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [k for k in record.get("extraKinds") or [] if isinstance(k, Mapping)]


def _meta(api: str, kind: str, name: str, ns: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": ns, "labels": dict(labels)}}


def application(gitops_url: str) -> dict[str, Any]:
    """The platform's Application rendering the chart in `tenancy/` (projects and namespaces) in the
    `default` project. It never prunes: a namespace leaves the cluster only by hand, with what runs in it."""
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
                "helm": {"releaseName": "tenancy"},  # the chart of tenancy_chart.py
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
        data = yamlio.load_file(path)
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
