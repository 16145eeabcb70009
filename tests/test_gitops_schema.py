"""The GitOps manifests plat writes validate against Argo CD's schema, and namespaces are restricted.

The schema is Argo CD's CRDs as packaged by npm @kubernetes-models/argo-cd (installed into
.tools/argo-cd by scripts/install-test-tools), run by tests/argocd_validate.mjs under node.
"""

from __future__ import annotations

import copy
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

ARGOCD = REPO_ROOT / ".tools" / "argo-cd"
VALIDATOR = Path(__file__).with_name("argocd_validate.mjs")
RESTRICTED = {f"pod-security.kubernetes.io/{m}": "restricted" for m in ("enforce", "audit", "warn")}
REG = gitops.Registration(
    service="billing-engine",
    org="Acme-Corp",
    owner="team-billing",
    system="billing",
    repo_url="https://github.com/Acme-Corp/billing-engine",
    environments=("staging", "production"),
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


def argo_docs(files: dict[str, str]) -> dict[str, dict]:
    return {
        f"{path}#{i}": doc
        for path, text in files.items()
        if path.endswith(".yaml")
        for i, doc in enumerate(yaml.safe_load_all(text))
        if doc and doc.get("apiVersion", "").startswith("argoproj.io/")
    }


def applications(files: dict[str, str]) -> list[dict]:
    return [doc for doc in argo_docs(files).values() if doc["kind"] == "Application"]


def test_registration_and_bootstrap_manifests_validate_against_argo_cds_schema():
    files = {**gitops.registration_files(REG), **gitops.bootstrap_files(REG.org, "https://github.com/Acme-Corp/gitops")}
    docs = argo_docs(files)
    assert len(applications(files)) == 3  # two environments and the app-of-apps
    assert validate(docs) == {name: None for name in docs}


def test_every_service_namespace_is_created_with_restricted_pod_security():
    apps = [doc for doc in applications(gitops.registration_files(REG))]
    assert {doc["spec"]["destination"]["namespace"] for doc in apps} == {
        "billing-engine-staging",
        "billing-engine-production",
    }
    for doc in apps:
        sync = doc["spec"]["syncPolicy"]
        assert "CreateNamespace=true" in sync["syncOptions"]  # managedNamespaceMetadata needs it
        assert sync["managedNamespaceMetadata"]["labels"] == RESTRICTED


@pytest.mark.parametrize(
    "break_it",
    [
        lambda d: d["spec"]["syncPolicy"]["managedNamespaceMetadata"].update(labels="restricted"),
        lambda d: d["spec"].update(destination="billing-engine-staging"),
        lambda d: d["spec"]["syncPolicy"].update(syncOptions="CreateNamespace=true"),
        lambda d: d.pop("spec"),
    ],
    ids=["labels-not-a-map", "destination-not-an-object", "sync-options-not-a-list", "no-spec"],
)
def test_an_application_that_violates_the_schema_fails(break_it):
    doc = copy.deepcopy(applications(gitops.registration_files(REG))[0])
    break_it(doc)
    assert validate({"broken": doc})["broken"]


def test_what_plat_new_pushes_to_the_gitops_repo_validates(settings, tmp_path):
    forge = LocalForge(settings.home / "forge")
    new_service(NewRequest(name="payments", template="mini", owner="team-a", yes=True), settings, forge, cwd=tmp_path)
    gitops_repo = Path(forge.repo_url(settings.org, settings.gitops_repo))
    branch = gitops.branch_name("payments")
    files = {path: git.show(gitops_repo, branch, path) for path in git.tracked_files(gitops_repo, branch)}
    docs = argo_docs(files)
    assert {"apps/payments/staging.yaml#0", "apps/payments/production.yaml#0", "bootstrap/apps.yaml#0"} <= set(docs)
    assert validate(docs) == {name: None for name in docs}
