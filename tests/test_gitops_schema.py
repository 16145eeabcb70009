"""The GitOps manifests plat writes validate against Argo CD's and Kubernetes' schemas, and namespaces are restricted.

The Argo CD schema is Argo CD's CRDs as packaged by npm @kubernetes-models/argo-cd (installed into
.tools/argo-cd by scripts/install-test-tools), run by tests/argocd_validate.mjs under node. The
Kubernetes kinds (Namespace, ResourceQuota, LimitRange, Role, RoleBinding) are validated by
kubernetes-validate --strict (.tools/bin).
"""

from __future__ import annotations

import copy
import functools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from platform_cli import git
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.forge.local import LocalForge
from platform_cli.gitops import registration as gitops
from tests.conftest import REPO_ROOT
from tests.security.tenancy_render import rendered

ARGOCD = REPO_ROOT / ".tools" / "argo-cd"
RENDERED = "tenancy/(helm template).yaml"
VALIDATOR = Path(__file__).with_name("argocd_validate.mjs")
RESTRICTED = {f"pod-security.kubernetes.io/{m}": "restricted" for m in ("enforce", "audit", "warn")}
REG = gitops.Registration(
    service="billing-engine",
    org="Acme-Corp",
    owner="team-billing",
    system="billing",
    repo_url="https://github.com/Acme-Corp/billing-engine",
    environments=("staging", "production"),
    platform_repo_url="https://github.com/Acme-Corp/platform",
    gitops_url="https://github.com/Acme-Corp/gitops",
)


def validate(docs: dict[str, dict]) -> dict[str, str | None]:
    """name -> None when the document is valid, else the schema's error message."""
    node = shutil.which("node")
    if node is None or not (ARGOCD / "node_modules" / "@kubernetes-models" / "argo-cd").is_dir():
        pytest.fail("node and .tools/argo-cd are needed: run `scripts/install-test-tools`", pytrace=False)
    payload = json.dumps([{"name": name, "doc": doc} for name, doc in docs.items()])
    proc = subprocess.run(
        [node, str(VALIDATOR), str(ARGOCD)], input=payload, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return {r["name"]: r["error"] for r in json.loads(proc.stdout)}


def yaml_docs(files: dict[str, str]) -> dict[str, dict]:
    """path#index -> document, for every YAML document of the files."""
    return {
        f"{path}#{i}": doc
        for path, text in files.items()
        if path.endswith(".yaml")
        for i, doc in enumerate(yaml.safe_load_all(text))
        if doc
    }


def as_applied(files: dict[str, str]) -> dict[str, str]:
    """The GitOps tree as Argo CD applies it: `tenancy/` (records and chart) replaced by what the chart renders."""
    out = {p: t for p, t in files.items() if not p.startswith("tenancy/")}
    out[RENDERED] = yaml.safe_dump_all(rendered(files))
    return out


@functools.cache
def applied() -> dict[str, str]:
    """REG's registration as Argo CD applies it (rendered once)."""
    return as_applied(gitops.registration_files(REG))


def argo_docs(files: dict[str, str]) -> dict[str, dict]:
    return {k: d for k, d in yaml_docs(files).items() if d.get("apiVersion", "").startswith("argoproj.io/")}


def applications(files: dict[str, str]) -> list[dict]:
    return [doc for doc in argo_docs(files).values() if doc["kind"] == "Application"]


def kube_docs(files: dict[str, str]) -> dict[str, dict]:
    """The Kubernetes documents: neither Argo CD's nor Backstage's."""
    return {
        k: d
        for k, d in yaml_docs(files).items()
        if not d.get("apiVersion", "").startswith(("argoproj.io/", "backstage.io/"))
    }


def kubernetes_validate(docs: dict[str, dict], tmp_path: Path) -> dict[str, str | None]:
    """name -> None when kubernetes-validate --strict passes the document, else its output."""
    exe = REPO_ROOT / ".tools" / "bin" / "kubernetes-validate"
    if not exe.exists():
        pytest.fail("kubernetes-validate is needed: run `scripts/install-test-tools`", pytrace=False)
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, (name, doc) in enumerate(docs.items()):
        path = tmp_path / f"doc{i}.yaml"
        path.write_text(yaml.safe_dump(doc))
        out[name] = path
    proc = subprocess.run([str(exe), "--strict", *map(str, out.values())], capture_output=True, text=True, timeout=300)
    lines = (proc.stdout + proc.stderr).splitlines()
    result = {}
    for name, path in out.items():
        said = [line for line in lines if str(path) in line]
        ok = len(said) == 1 and " passed for resource " in said[0]
        result[name] = None if ok else "\n".join(said) or "no output"
    return result


def test_registration_and_bootstrap_manifests_validate_against_argo_cds_schema():
    files = as_applied(
        {**gitops.registration_files(REG), **gitops.bootstrap_files(REG.org, "https://github.com/Acme-Corp/gitops")}
    )
    docs = argo_docs(files)
    assert len(applications(files)) == 4  # two environments, the app-of-apps and the tenancy app
    assert [d["kind"] for d in docs.values()].count("AppProject") == 1
    assert validate(docs) == {name: None for name in docs}


def test_the_namespace_objects_validate_against_kubernetes_schemas(tmp_path):
    docs = kube_docs(applied())
    kinds = sorted(d["kind"] for d in docs.values())
    assert kinds == sorted(["Namespace", "ResourceQuota", "LimitRange", "Role", "RoleBinding"] * 2)
    assert kubernetes_validate(docs, tmp_path) == {name: None for name in docs}


@pytest.mark.parametrize(
    "break_it",
    [
        lambda d: d["spec"].update(destinations={"namespace": "billing-engine-staging"}),
        lambda d: d["spec"].update(sourceRepos="https://github.com/Acme-Corp/billing-engine"),
        lambda d: d["spec"]["namespaceResourceWhitelist"][0].pop("kind"),
    ],
    ids=["destinations-not-a-list", "source-repos-not-a-list", "whitelist-entry-without-kind"],
)
def test_an_app_project_that_violates_the_schema_fails(break_it):
    doc = copy.deepcopy(next(d for d in argo_docs(applied()).values() if d["kind"] == "AppProject"))
    break_it(doc)
    assert validate({"broken": doc})["broken"]


@pytest.mark.parametrize(
    "kind, break_it",
    [
        ("ResourceQuota", lambda d: d["spec"].update(hard=["pods"])),
        ("LimitRange", lambda d: d["spec"]["limits"][0].pop("type")),
        ("Role", lambda d: d.update(rules={"verbs": "get"})),
        ("RoleBinding", lambda d: d.pop("roleRef")),
        ("Namespace", lambda d: d["metadata"].update(labels=["restricted"])),
    ],
)
def test_a_namespace_object_that_violates_the_schema_fails(kind, break_it, tmp_path):
    doc = copy.deepcopy(next(d for d in kube_docs(applied()).values() if d["kind"] == kind))
    break_it(doc)
    assert kubernetes_validate({"broken": doc}, tmp_path)["broken"]


def test_every_service_namespace_is_created_with_restricted_pod_security():
    files = applied()
    apps = [doc for doc in applications(files) if doc["metadata"]["name"] != "tenancy"]
    namespaces = {d["metadata"]["name"]: d for d in kube_docs(files).values() if d["kind"] == "Namespace"}
    assert (
        {doc["spec"]["destination"]["namespace"] for doc in apps}
        == set(namespaces)
        == {
            "billing-engine-staging",
            "billing-engine-production",
        }
    )
    for doc in apps:
        assert doc["spec"]["project"] == REG.owner  # the team's project, never `default`
        assert "CreateNamespace=true" not in doc["spec"]["syncPolicy"]["syncOptions"]  # the project may not
    for ns in namespaces.values():
        assert RESTRICTED.items() <= ns["metadata"]["labels"].items()


@pytest.mark.parametrize(
    "break_it",
    [
        lambda d: d["spec"].update(project=["team-billing"]),
        lambda d: d["spec"].update(destination="billing-engine-staging"),
        lambda d: d["spec"]["syncPolicy"].update(syncOptions="CreateNamespace=true"),
        lambda d: d.pop("spec"),
    ],
    ids=["project-not-a-string", "destination-not-an-object", "sync-options-not-a-list", "no-spec"],
)
def test_an_application_that_violates_the_schema_fails(break_it):
    doc = copy.deepcopy(applications(applied())[0])
    break_it(doc)
    assert validate({"broken": doc})["broken"]


def test_what_plat_new_pushes_to_the_gitops_repo_validates(settings, tmp_path):
    forge = LocalForge(settings.home / "forge")
    new_service(NewRequest(name="payments", template="mini", owner="team-a", yes=True), settings, forge, cwd=tmp_path)
    gitops_repo = Path(forge.repo_url(settings.org, settings.gitops_repo))
    branch = gitops.branch_name("payments")
    files = as_applied(
        {path: git.show(gitops_repo, branch, path) or "" for path in git.tracked_files(gitops_repo, branch)}
    )
    docs = argo_docs(files)
    assert {"apps/payments/staging.yaml#0", "apps/payments/production.yaml#0", "bootstrap/apps.yaml#0"} <= set(docs)
    assert "apps/tenancy.yaml#0" in docs
    assert [d["metadata"]["name"] for d in docs.values() if d["kind"] == "AppProject"] == ["team-a"]
    assert validate(docs) == {name: None for name in docs}
    kube = kube_docs(files)
    namespaces = [d["metadata"].get("namespace", d["metadata"]["name"]) for d in kube.values()]
    assert sorted(namespaces) == sorted(["payments-staging", "payments-production"] * 5)
    assert kubernetes_validate(kube, tmp_path / "kv") == {name: None for name in kube}
