"""Team tenancy: one AppProject per team, rendered by the GitOps repo's tenancy chart (`helm template`
here, as Argo CD does) from one record per service; what a project lets a team deploy.

`permits` follows Argo CD's rules for a project (destinations and source repos are glob patterns; an
empty clusterResourceWhitelist allows no cluster-scoped kind; a non-empty namespaceResourceWhitelist
allows only the kinds it lists), so the tests show what a team can and cannot reach through it.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest
import yaml

from platform_cli import git
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.forge.local import LocalForge
from platform_cli.gitops import registration as gitops
from platform_cli.gitops import tenancy, tenancy_chart
from platform_cli.gitops.quantities import Sizing, parse, sizing_from_values
from tests.conftest import REPO_ROOT
from tests.security.tenancy_render import helm_render, namespace_docs, projects_of, rendered

IN_CLUSTER = "https://kubernetes.default.svc"
# Cluster-scoped kinds a team must never create (a sample of the dangerous ones).
CLUSTER_KINDS = [
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("storage.k8s.io", "StorageClass"),
]
# Namespaced kinds the platform keeps for itself: a team cannot loosen its quota, role or secrets.
PLATFORM_KINDS = [
    ("", "ResourceQuota"),
    ("", "LimitRange"),
    ("", "Secret"),
    ("", "Pod"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("argoproj.io", "Application"),
    ("argoproj.io", "AppProject"),
]


def reg(service: str, team: str = "team-billing", org: str = "Acme-Corp") -> gitops.Registration:
    return gitops.Registration(
        service=service,
        org=org,
        owner=team,
        system="billing",
        repo_url=f"https://github.com/{org}/{service}",
        environments=("staging", "production"),
        platform_repo_url=f"https://github.com/{org}/platform",
        gitops_url=f"https://github.com/{org}/gitops",
    )


def merged(*file_sets: dict[str, str]) -> dict[str, str]:
    """A GitOps tree holding these registrations (their shared files are the same, so order does not matter)."""
    out: dict[str, str] = {}
    for files in file_sets:
        out.update(files)
    return out


def render(*regs: gitops.Registration) -> list[dict]:
    return rendered(merged(*(gitops.registration_files(r) for r in regs)))


def permits(project: dict, repo: str, namespace: str, group: str, kind: str, cluster_scoped: bool) -> bool:
    spec = project["spec"]
    if not any(fnmatch.fnmatchcase(repo, pattern) for pattern in spec["sourceRepos"]):
        return False
    if cluster_scoped:
        allowed = spec.get("clusterResourceWhitelist") or []
        return any(fnmatch.fnmatchcase(group, a["group"]) and fnmatch.fnmatchcase(kind, a["kind"]) for a in allowed)
    if not any(
        fnmatch.fnmatchcase(IN_CLUSTER, d.get("server", "")) and fnmatch.fnmatchcase(namespace, d["namespace"])
        for d in spec["destinations"]
    ):
        return False
    listed = spec.get("namespaceResourceWhitelist")
    return not listed or any(
        fnmatch.fnmatchcase(group, a["group"]) and fnmatch.fnmatchcase(kind, a["kind"]) for a in listed
    )


def golden_kinds() -> set[tuple[str, str]]:
    """Every (group, kind) a golden-path chart template can render, read from the templates themselves."""
    found = set()
    for path in REPO_ROOT.glob("templates/*/template/chart/templates/*.yaml"):
        text = path.read_text()
        for api, kind in re.findall(r"^apiVersion: (\S+)\nkind: (\w+)", text, re.M):
            found.add((api.rpartition("/")[0] if "/" in api else "", kind))
    return found


def test_the_first_service_of_a_team_creates_its_project_and_namespaces():
    files = gitops.registration_files(reg("billing-engine"))
    assert {p for p in files if p.startswith("tenancy/")} == {
        tenancy.service_path("billing-engine"),
        *tenancy_chart.files(),
    }
    docs = rendered(files)
    project = projects_of(docs)["team-billing"]
    assert project["metadata"] == {
        "name": "team-billing",
        "namespace": "argocd",
        "labels": {tenancy.TEAM_LABEL: "team-billing"},
    }
    assert project["spec"]["sourceRepos"] == [
        "https://github.com/Acme-Corp/billing-engine",
        "https://github.com/Acme-Corp/platform",
    ]
    assert project["spec"]["destinations"] == [
        {"server": IN_CLUSTER, "namespace": "billing-engine-production"},
        {"server": IN_CLUSTER, "namespace": "billing-engine-staging"},
    ]
    assert {d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"} == {
        "billing-engine-staging",
        "billing-engine-production",
    }
    for ns in ("billing-engine-staging", "billing-engine-production"):
        assert sorted(d["kind"] for d in namespace_docs(docs, ns)) == [
            "LimitRange",
            "Namespace",
            "ResourceQuota",
            "Role",
            "RoleBinding",
        ]
    apps = [yaml.safe_load(files[f"apps/billing-engine/{env}.yaml"]) for env in ("staging", "production")]
    assert {a["spec"]["project"] for a in apps} == {"team-billing"}


def test_a_second_service_of_the_team_extends_the_project_without_touching_the_first():
    first = gitops.registration_files(reg("billing-engine"))
    second = gitops.registration_files(reg("invoices"))
    project = projects_of(rendered(merged(first, second)))["team-billing"]
    assert project["spec"]["sourceRepos"] == [
        "https://github.com/Acme-Corp/billing-engine",
        "https://github.com/Acme-Corp/invoices",
        "https://github.com/Acme-Corp/platform",
    ]
    assert [d["namespace"] for d in project["spec"]["destinations"]] == [
        "billing-engine-production",
        "billing-engine-staging",
        "invoices-production",
        "invoices-staging",
    ]
    assert project["spec"]["clusterResourceWhitelist"] == []
    assert tenancy.service_path("billing-engine") not in second  # the first service's record stays as it is


def test_registrations_share_only_files_they_write_identically():
    """What keeps two open registrations from conflicting: a path two of them write has the same text."""
    sets = [
        gitops.registration_files(r) for r in (reg("billing-engine"), reg("invoices"), reg("search", "team-search"))
    ]
    for a in sets:
        for b in sets:
            assert {p: a[p] for p in a.keys() & b.keys()} == {p: b[p] for p in a.keys() & b.keys()}
    assert sets[0].keys() & sets[1].keys() == {"apps/tenancy.yaml", *tenancy_chart.files()}
    assert gitops.registration_files(reg("billing-engine")) == sets[0]  # registering again changes nothing


def test_another_team_gets_its_own_project_and_the_first_one_is_untouched():
    alone = projects_of(render(reg("billing-engine")))
    both = projects_of(render(reg("billing-engine"), reg("search", team="team-search")))
    assert both["team-billing"] == alone["team-billing"]
    assert both["team-search"]["spec"]["destinations"] == [
        {"server": IN_CLUSTER, "namespace": "search-production"},
        {"server": IN_CLUSTER, "namespace": "search-staging"},
    ]


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    """What Argo CD renders from a GitOps repo holding two services of one team and one of another."""
    return render(reg("billing-engine"), reg("invoices"), reg("search", team="team-search"))


@pytest.fixture(scope="module")
def projects(docs) -> dict[str, dict]:
    return projects_of(docs)


def test_the_chart_renders_what_plat_doctor_checks(docs):
    """`tenancy.project` / `namespace_objects` (what `plat doctor` reads) build exactly what helm renders."""
    records = [
        yaml.safe_load(gitops.registration_files(r)[tenancy.service_path(r.service)])
        for r in (reg("billing-engine"), reg("invoices"), reg("search", team="team-search"))
    ]
    built = [tenancy.project(team, records) for team in ("team-billing", "team-search")]
    built += [obj for record in records for objects in tenancy.namespaces(record).values() for obj in objects]

    def key(d: dict) -> tuple[str, str, str]:
        return d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]

    assert sorted(docs, key=key) == sorted(built, key=key)


@pytest.mark.parametrize(
    "path, edit, words",
    [
        ("invoices", lambda r: r["namespaces"][0].update(name="search-staging"), "is not invoices-<environment>"),
        ("invoices", lambda r: r["namespaces"][0].update(name="*"), "is not invoices-<environment>"),
        ("invoices", lambda r: r.update(service="search"), "names service search"),
        ("invoices", lambda r: r.pop("team"), "no team"),
    ],
    ids=["another-services-namespace", "pattern", "file-not-its-service", "no-team"],
)
def test_the_chart_refuses_a_record_that_reaches_beyond_its_service(path, edit, words):
    """A hand-edited record cannot widen a project: helm fails, Argo CD shows the error, nothing is applied."""
    files = merged(*(gitops.registration_files(r) for r in (reg("invoices"), reg("search", team="team-search"))))
    record = yaml.safe_load(files[tenancy.service_path("invoices")])
    edit(record)
    files[tenancy.service_path(path)] = yaml.safe_dump(record)
    code, err, _ = helm_render(files)
    assert code != 0 and words in err, err


def test_escape_hatches_extra_kinds_for_one_team_and_extra_manifests():
    """A record's extraKinds widen only its own team's project; tenancy/extras/ is applied as written."""
    files = merged(*(gitops.registration_files(r) for r in (reg("invoices"), reg("search", team="team-search"))))
    record = yaml.safe_load(files[tenancy.service_path("invoices")])
    record["extraKinds"] = [{"group": "", "kind": "ConfigMap"}, {"group": "batch", "kind": "Job"}]
    files[tenancy.service_path("invoices")] = yaml.safe_dump(record)
    extra = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "invoices-staging"}}
    files["tenancy/extras/invoices-debug.yaml"] = yaml.safe_dump(extra)
    docs = rendered(files)
    billing, search = projects_of(docs)["team-billing"], projects_of(docs)["team-search"]
    repo = "https://github.com/Acme-Corp/invoices"
    assert permits(billing, repo, "invoices-staging", "", "ConfigMap", False)
    assert permits(billing, repo, "invoices-staging", "batch", "Job", False)
    assert not permits(search, "https://github.com/Acme-Corp/search", "search-staging", "", "ConfigMap", False)
    assert billing["spec"]["clusterResourceWhitelist"] == []
    assert billing == tenancy.project("team-billing", [record])
    assert extra in docs


def test_the_chart_refuses_a_namespace_two_records_claim():
    """Service `billing` with an environment `engine-staging` would name billing-engine's namespace."""
    files = gitops.registration_files(reg("billing-engine"))
    squatter = yaml.safe_load(
        gitops.registration_files(reg("billing", team="team-search"))[tenancy.service_path("billing")]
    )
    squatter["namespaces"] = [
        {**squatter["namespaces"][0], "name": "billing-engine-staging", "environment": "engine-staging"}
    ]
    files[tenancy.service_path("billing")] = yaml.safe_dump(squatter)
    code, err, _ = helm_render(files)
    assert code != 0 and "namespace billing-engine-staging is claimed by billing-engine and billing" in err, err


def test_a_project_reaches_only_its_own_teams_namespaces(projects):
    billing, search = projects["team-billing"], projects["team-search"]
    repo = "https://github.com/Acme-Corp/invoices"
    assert permits(billing, repo, "invoices-production", "apps", "Deployment", False)
    for ns in ("search-staging", "search-production", "kube-system", "argocd", "default", "invoices"):
        assert not permits(billing, repo, ns, "apps", "Deployment", False), ns
    assert not permits(search, "https://github.com/Acme-Corp/search", "invoices-staging", "apps", "Deployment", False)
    for project in projects.values():  # no pattern could widen it: every destination is one exact namespace
        assert all(
            set(d) == {"server", "namespace"} and not set("*?[!{") & set(d["namespace"])
            for d in project["spec"]["destinations"]
        )
        assert all(not set("*?[") & set(r) for r in project["spec"]["sourceRepos"])


def test_a_project_takes_sources_only_from_the_teams_repos_and_the_platform(projects):
    billing = projects["team-billing"]
    ns = "invoices-staging"
    assert permits(billing, "https://github.com/Acme-Corp/platform", ns, "apps", "Deployment", False)
    for repo in (
        "https://github.com/Acme-Corp/search",
        "https://github.com/evil/invoices",
        "https://github.com/Acme-Corp/gitops",
    ):
        assert not permits(billing, repo, ns, "apps", "Deployment", False), repo


@pytest.mark.parametrize("group, kind", CLUSTER_KINDS, ids=[k for _, k in CLUSTER_KINDS])
def test_no_cluster_scoped_kind_can_be_deployed_through_a_project(projects, group, kind):
    for project in projects.values():
        assert project["spec"]["clusterResourceWhitelist"] == []
        assert not permits(project, project["spec"]["sourceRepos"][0], "invoices-staging", group, kind, True)


@pytest.mark.parametrize("group, kind", PLATFORM_KINDS, ids=[k for _, k in PLATFORM_KINDS])
def test_the_platforms_namespaced_kinds_cannot_be_deployed_by_a_team(projects, group, kind):
    billing = projects["team-billing"]
    assert not permits(billing, "https://github.com/Acme-Corp/invoices", "invoices-staging", group, kind, False)


def test_every_kind_the_golden_path_renders_is_permitted(projects):
    kinds = golden_kinds()
    assert {"Deployment", "CronJob", "NetworkPolicy", "ExternalSecret"} <= {k for _, k in kinds}
    billing = projects["team-billing"]
    for group, kind in sorted(kinds):
        assert permits(billing, "https://github.com/Acme-Corp/invoices", "invoices-staging", group, kind, False), kind
    assert set(tenancy.GOLDEN_KINDS) == kinds  # and nothing more


def test_the_teams_role_reads_and_restarts_but_never_reads_secrets_or_execs(docs):
    docs = namespace_docs(docs, "billing-engine-staging")
    role = next(d for d in docs if d["kind"] == "Role")
    binding = next(d for d in docs if d["kind"] == "RoleBinding")
    allowed = {
        (g, r, v) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"] for v in rule["verbs"]
    }
    assert ("", "pods/log", "get") in allowed and ("apps", "deployments", "patch") in allowed
    assert not any(r in ("secrets", "pods/exec", "pods/attach", "pods/portforward") or r == "*" for _, r, _ in allowed)
    assert {v for _, _, v in allowed} == {"get", "list", "watch", "patch"}
    assert {(g, r) for g, r, v in allowed if v == "patch"} == {("apps", "deployments")}
    assert binding["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "Acme-Corp:team-billing"}
    ]
    assert binding["roleRef"]["name"] == role["metadata"]["name"]


def test_quota_and_limit_range_are_sized_from_the_charts_values():
    values = {
        "resources": {
            "requests": {"cpu": "250m", "memory": "256Mi", "ephemeral-storage": "64Mi"},
            "limits": {"cpu": "1", "memory": "512Mi", "ephemeral-storage": "128Mi"},
        },
        "autoscaling": {"enabled": True, "maxReplicas": 10},
    }
    size = sizing_from_values(values)
    assert size.pods == 10 + 3 + 1  # max replicas, the 25 % surge of a rollout, one one-off pod
    assert size.quota() == size.needed(2)  # the headroom: a team may double its resources unreviewed
    assert size.needed() == {
        "pods": "14",
        "requests.cpu": "3500m",
        "requests.memory": "3584Mi",
        "requests.ephemeral-storage": "896Mi",
        "limits.cpu": "14",
        "limits.memory": "7Gi",
        "limits.ephemeral-storage": "1792Mi",
    }
    limits = size.limit_range()
    assert (
        limits["default"] == values["resources"]["limits"]
        and limits["defaultRequest"] == values["resources"]["requests"]
    )
    assert limits["max"] == {"cpu": "2", "memory": "1Gi", "ephemeral-storage": "256Mi"}
    assert sizing_from_values({"autoscaling": {"enabled": False}, "replicaCount": 3}).pods == 3 + 1 + 1
    assert sizing_from_values({}).pods == 1 + 1 + 1  # a CronJob: one run at a time


def test_sizing_reads_the_rendered_chart_per_environment(tmp_path):
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "values.yaml").write_text(
        "resources:\n  limits:\n    cpu: 500m\nautoscaling:\n  enabled: true\n  maxReplicas: 6\n"
    )
    (chart / "values-production.yaml").write_text("autoscaling:\n  maxReplicas: 10\n")
    sizes = tenancy.sizing_from_chart(chart, ("staging", "production"))
    assert (sizes["staging"].max_replicas, sizes["production"].max_replicas) == (6, 10)
    assert sizes["production"].limits["cpu"] == "500m" and sizes["production"].requests["cpu"] == "100m"
    assert tenancy.sizing_from_chart(tmp_path / "none", ("staging",)) == {"staging": Sizing()}
    assert parse("1.5Gi") == 1.5 * 2**30 and parse("100m") * 10 == 1


@pytest.mark.parametrize("order", [("payments", "refunds"), ("refunds", "payments")], ids=["in-order", "reversed"])
def test_two_open_registrations_of_a_team_merge_in_either_order(settings, tmp_path, order):
    forge = LocalForge(settings.home / "forge")
    prs = {
        name: new_service(
            NewRequest(name=name, template="mini", owner="team-a", yes=True), settings, forge, cwd=tmp_path
        ).pull_request
        for name in ("payments", "refunds")
    }  # both registrations open at once, each made from the same main
    for name in order:
        forge.merge_pull_request(settings.org, settings.gitops_repo, prs[name].id)  # no conflict
    gitops_repo = Path(forge.repo_url(settings.org, settings.gitops_repo))
    files = {p: git.show(gitops_repo, "main", p) for p in git.tracked_files(gitops_repo, "main")}
    docs = rendered(files)
    project = projects_of(docs)["team-a"]
    assert [d["namespace"] for d in project["spec"]["destinations"]] == [
        "payments-production",
        "payments-staging",
        "refunds-production",
        "refunds-staging",
    ]
    assert project["spec"]["sourceRepos"] == sorted(
        forge.repo_url(settings.org, r) for r in ("payments", "refunds", settings.platform_repo)
    )
    quota = [d for d in namespace_docs(docs, "refunds-production") if d["kind"] == "ResourceQuota"]
    assert quota and quota[0]["spec"]["hard"]["pods"]
