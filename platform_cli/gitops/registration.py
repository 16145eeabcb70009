"""What registering a service changes in the GitOps repo, and the branch + pull request that carry it.

Per service: one Argo CD Application per environment under `apps/<service>/` (the first
environment syncs automatically; the others — production — sync by hand after review), and a
Backstage catalog Location under `catalog/`, and the service's tenancy record (`tenancy.py`): the
Applications belong to the team's AppProject, and each namespace (`<service>-<env>`) is created by the
platform's `tenancy` Application (a chart, `tenancy_chart.py`, rendering every record) with the Pod
Security Admission labels of the `restricted` profile, a quota, a limit range and the team's role.
Every file a registration writes is the service's own or the same in every registration, so open
registrations merge in any order. The repo itself is bootstrapped on first use with an app-of-apps that
makes Argo CD pick up everything under `apps/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from platform_cli.forge.base import Forge
from platform_cli.gitops import tenancy, tenancy_chart
from platform_cli.gitops.quantities import Sizing
from platform_cli.gitops.tenancy import Tenancy
from platform_cli.models import PullRequest


@dataclass(frozen=True)
class Registration:
    service: str
    org: str
    owner: str
    system: str
    repo_url: str
    environments: tuple[str, ...]
    chart_path: str = "chart"
    # tenancy: the platform repo (a source of the team's project), the GitOps repo (what the tenancy
    # Application applies), each environment's sizing (from the chart's values; default: the golden path's)
    platform_repo_url: str = ""
    gitops_url: str = ""
    sizing: Mapping[str, Sizing] = field(default_factory=dict)

    @property
    def tenancy(self) -> Tenancy:
        return Tenancy(
            team=self.owner,
            service=self.service,
            org=self.org,
            repo_url=self.repo_url,
            platform_repo_url=self.platform_repo_url,
            environments=self.environments,
            sizing=self.sizing,
        )

    @property
    def branch(self) -> str:
        return branch_name(self.service)

    @property
    def title(self) -> str:
        return f"Register service {self.service}"


def branch_name(service: str) -> str:
    return f"plat/register-{service}"


def registration_files(reg: Registration) -> dict[str, str]:
    """Files of the service's own (Applications, catalog location, tenancy record) and files every
    registration writes the same (the tenancy chart, its Application): registrations never conflict."""
    files = {
        f"apps/{reg.service}/{env}.yaml": _dump(_application(reg, env, i == 0))
        for i, env in enumerate(reg.environments)
    }
    files[f"catalog/{reg.service}.yaml"] = _dump(_location(reg))
    files.update(tenancy.files(reg.tenancy, reg.gitops_url))
    files.update(tenancy_chart.files())
    return files


def bootstrap_files(org: str, repo_url: str) -> dict[str, str]:
    root = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "apps", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "source": {"repoURL": repo_url, "targetRevision": "main", "path": "apps", "directory": {"recurse": True}},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }
    readme = (
        f"# GitOps repo of {org}\n\nArgo CD reconciles this repo. `bootstrap/apps.yaml` is the "
        "app-of-apps: apply it once, and every `apps/<service>/<env>.yaml` merged here is deployed.\n"
        "Services are registered by `plat new service` through pull requests; `catalog/` lists "
        "their Backstage catalog entries.\n"
    )
    tenancy_app = tenancy.dump_all([tenancy.application(repo_url)])
    return {
        "README.md": readme,
        "bootstrap/apps.yaml": _dump(root),
        "apps/.keep": "",
        "apps/tenancy.yaml": tenancy_app,
        "catalog/.keep": "",
        **tenancy_chart.files(),
    }


def pull_request_body(reg: Registration) -> str:
    envs = ", ".join(reg.environments)
    return (
        f"Registers `{reg.service}` (owner: `{reg.owner}`) from {reg.repo_url}.\n\n"
        f"- Argo CD Applications for {envs}: `{reg.environments[0]}` syncs automatically, "
        "the others sync by hand after review.\n"
        f"- Tenancy record `{tenancy.service_path(reg.service)}`: the chart in `tenancy/` renders from it the "
        f"Argo CD project `{reg.owner}` (with every service of the team; no cluster-scoped resources) and the "
        f"namespaces `{reg.service}-<environment>`: Pod Security `restricted` (enforce, audit, warn), a "
        "ResourceQuota and a LimitRange sized from the chart's values, and a read/restart Role bound to "
        f"`{reg.tenancy.group}`.\n"
        f"- Backstage catalog location `catalog/{reg.service}.yaml`.\n\n"
        "Opened by `plat new service`. Merge with a merge commit."
    )


def bootstrap(forge: Forge, org: str, repo: str) -> str:
    """Give a new, empty GitOps repo its first commit: README and the app-of-apps."""
    files = bootstrap_files(org, forge.repo_url(org, repo))
    return forge.commit_files(org, repo, "main", None, files, "Bootstrap the GitOps repo")


def propose(forge: Forge, org: str, repo: str, reg: Registration) -> PullRequest:
    """Commit the registration on its branch (idempotent) and open or update its pull request."""
    if forge.branch_sha(org, repo, reg.branch) is None:
        files = registration_files(reg)
        forge.commit_files(org, repo, reg.branch, "main", files, f"Register service {reg.service}")
    return forge.open_pull_request(org, repo, reg.branch, "main", reg.title, pull_request_body(reg))


def _application(reg: Registration, env: str, automated: bool) -> dict:
    # No CreateNamespace: the team's project may not create a Namespace (cluster-scoped); tenancy does.
    sync: dict = {"syncOptions": ["ServerSideApply=true"]}
    if automated:
        sync["automated"] = {"prune": True, "selfHeal": True}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": f"{reg.service}-{env}",
            "namespace": "argocd",
            "labels": {
                "app.kubernetes.io/name": reg.service,
                "app.kubernetes.io/part-of": reg.system,
                "plat.dev/owner": reg.owner,
                "plat.dev/environment": env,
            },
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": reg.owner,  # the team's AppProject (tenancy.py)
            "source": {
                "repoURL": reg.repo_url,
                "targetRevision": "main",
                "path": reg.chart_path,
                "helm": {"valueFiles": ["values.yaml", f"values-{env}.yaml"]},
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": f"{reg.service}-{env}"},
            "syncPolicy": sync,
        },
    }


def _location(reg: Registration) -> dict:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": reg.service, "annotations": {"plat.dev/owner": reg.owner}},
        "spec": {"type": "url", "target": f"{reg.repo_url}/blob/main/catalog-info.yaml"},
    }


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False)
