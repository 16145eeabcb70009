"""The rescan: the GitOps repo's scheduled caller runs workflows/rescan.yml from the platform release.

Rehearsed like the service workflows (every `run:` step for real: plat installed from the forge, the
digests read from the GitOps repo, the issue logic), with the scanner stubbed (setup-trivy and the
scan step, which writes the reports Trivy would) and the GitHub CLI played by a fake `gh` on PATH
that keeps the repo's issues in a JSON file.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_cli.forge.local import LocalForge
from tests.conftest import REPO_ROOT

from .conftest import ORG, make_service, make_world
from .rehearsal import Event, rehearse
from .runner import Job, step_label
from .stubs import STUBS, Stub

DIGEST = {name: "sha256:" + (c * 64) for name, c in (("worker", "a"), ("billing", "b"), ("search", "c"))}
CRITICAL = {"Severity": "CRITICAL", "PkgName": "openssl", "InstalledVersion": "3.0.1", "FixedVersion": "3.0.7"}
# What the stubbed Trivy finds per service (None: the image could not be scanned).
FINDINGS: dict[str, list[dict] | None] = {}


def write_reports(job: Job, context: Mapping[str, Any]) -> Mapping[str, str]:
    """What `trivy image --format json` writes for each image the workflow listed."""
    out = job.temp / "rescan"
    for line in (out / "images.tsv").read_text().splitlines():
        service, image = line.split("\t")
        vulns = FINDINGS.get(service, [])
        if vulns is not None:
            report = {"ArtifactName": image, "Results": [{"Target": f"{image} (debian 12)", "Vulnerabilities": vulns}]}
            (out / "reports" / f"{service}.json").write_text(json.dumps(report))
    return {}


RESCAN_STUBS = {
    ("rescan.yml", "aquasecurity/setup-trivy"): Stub("downloads trivy from its GitHub release"),
    ("rescan.yml", "Scan the deployed digests (CRITICAL)"): Stub(
        "trivy pulls each image from the registry and its vulnerability DB", write_reports
    ),
}

FAKE_GH = r'''#!/usr/bin/env python3
"""A stand-in for the GitHub CLI: the repo's labels and issues in $FAKE_GH_STATE (JSON)."""
import json, os, sys
path = os.environ["FAKE_GH_STATE"]
state = json.load(open(path))
args = sys.argv[1:]
state["calls"].append({"args": args, "repo": os.environ.get("GH_REPO"), "token": bool(os.environ.get("GH_TOKEN"))})
def opt(name):
    return args[args.index(name) + 1] if name in args else None
def issue(number):
    return next(i for i in state["issues"] if i["number"] == int(number))
if args[:2] == ["label", "create"]:
    state["labels"] = sorted(set(state["labels"]) | {args[2]})
elif args[:2] == ["issue", "list"]:
    label = opt("--label")
    found = [{k: i[k] for k in ("number", "title", "state")} for i in state["issues"] if label in i["labels"]]
    print(json.dumps(found))
elif args[:2] == ["issue", "create"]:
    if opt("--label") not in state["labels"]:
        sys.exit("could not add label: not found")
    number = max([i["number"] for i in state["issues"]], default=0) + 1
    state["issues"].append({"number": number, "title": opt("--title"), "state": "OPEN", "labels": [opt("--label")],
                            "body": open(opt("--body-file")).read(), "comments": []})
elif args[:2] == ["issue", "edit"]:
    issue(args[2])["body"] = open(opt("--body-file")).read()
elif args[:2] == ["issue", "reopen"]:
    issue(args[2])["state"] = "OPEN"
elif args[:2] == ["issue", "close"]:
    issue(args[2])["state"] = "CLOSED"
    issue(args[2])["comments"].append(opt("--comment"))
else:
    sys.exit(f"fake gh: unsupported {args}")
json.dump(state, open(path, "w"), indent=1)
'''


def documented_caller(org: str, sha: str) -> str:
    """The caller docs/golden-paths.md tells a platform team to commit to the GitOps repo."""
    text = (REPO_ROOT / "docs" / "golden-paths.md").read_text()
    block = re.search(r"<!-- rescan-caller -->\s*```yaml\n(.*?)```", text, re.S)
    assert block, "docs/golden-paths.md lost the rescan caller"
    return block.group(1).replace("ORG", org).replace("PLATFORM_SHA", sha)


def app(service: str, params: dict[str, str]) -> str:
    doc = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": f"{service}-production", "namespace": "argocd", "labels": {"plat.dev/owner": "team-x"}},
        "spec": {
            "project": "team-x",
            "source": {
                "repoURL": f"https://github.com/{ORG}/{service}",
                "path": "chart",
                "helm": {"parameters": [{"name": k, "value": v} for k, v in params.items()]},
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": f"{service}-production"},
        },
    }
    return yaml.safe_dump(doc, sort_keys=False)


@pytest.fixture(scope="module")
def gitops(tmp_path_factory):
    """A GitOps repo on the local forge holding the rescan caller and four production Applications."""
    root = tmp_path_factory.mktemp("rescan")
    service = make_service(root, "worker", "worker")
    forge = LocalForge(service.forge)
    sha = yaml.safe_load((service.repo / ".copier-answers.yml").read_text())["platform_ref"]
    deployed = yaml.safe_load(_show(service, "apps/worker/production.yaml"))
    deployed["spec"]["source"].setdefault("helm", {})["parameters"] = [
        {"name": "image.digest", "value": DIGEST["worker"]}
    ]
    files = {
        ".github/workflows/rescan.yml": documented_caller(ORG, sha),
        "apps/worker/production.yaml": yaml.safe_dump(deployed, sort_keys=False),
        "apps/billing/production.yaml": app(
            "billing", {"image.repository": "ghcr.io/acme/billing-api", "image.digest": DIGEST["billing"]}
        ),
        "apps/search/production.yaml": app("search", {"image.digest": DIGEST["search"]}),
        "apps/fresh/production.yaml": app("fresh", {}),  # registered, never deployed
    }
    forge.commit_files(ORG, "gitops", "main", "main", files, "deploys and the rescan caller")
    return service, root


def _show(service, path: str) -> str:
    bare = service.forge / ORG / "gitops.git"
    return subprocess.run(
        ["git", "--git-dir", str(bare), "show", f"main:{path}"], capture_output=True, text=True, check=True
    ).stdout


def rescan(gitops, name: str, issues: list[dict]):
    service, root = gitops
    state = root / f"gh-{name}.json"
    state.write_text(json.dumps({"labels": [], "issues": issues, "calls": []}))
    bin_dir = root / "fake-bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    world = make_world(service, root / f"runs-{name}", "http://127.0.0.1:9", root / "caches")
    env = {**world.env, "PATH": f"{bin_dir}:{world.env['PATH']}", "FAKE_GH_STATE": str(state)}
    world = dataclasses.replace(world, repo="gitops", env=env, stubs={**STUBS, **RESCAN_STUBS})
    bare = service.forge / ORG / "gitops.git"
    sha = subprocess.run(
        ["git", "--git-dir", str(bare), "rev-parse", "main"], capture_output=True, text=True, check=True
    )
    event = Event("schedule", sha.stdout.strip(), "refs/heads/main")
    caller = root / "rescan-caller.yml"
    caller.write_text(_show(service, ".github/workflows/rescan.yml"))
    run = rehearse(world, event, caller)
    assert run is not None, "the schedule does not start the rescan"
    return run, json.loads(state.read_text())


def by_title(state: dict) -> dict[str, dict]:
    return {i["title"]: i for i in state["issues"]}


def test_the_rescan_opens_updates_and_closes_one_issue_per_service(gitops):
    FINDINGS.clear()
    FINDINGS.update(
        worker=[
            {**CRITICAL, "VulnerabilityID": "CVE-2026-0001"},
            {**CRITICAL, "VulnerabilityID": "CVE-2026-0002"},
            {**CRITICAL, "Severity": "HIGH", "VulnerabilityID": "CVE-2026-0003"},
        ],
        billing=[],
        search=[{**CRITICAL, "VulnerabilityID": "CVE-2026-0009", "FixedVersion": ""}],
    )
    before = [
        {
            "number": 1,
            "title": "Critical CVEs in billing (production)",
            "state": "OPEN",
            "labels": ["rescan"],
            "body": "old",
            "comments": [],
        },
        {
            "number": 2,
            "title": "Critical CVEs in search (production)",
            "state": "CLOSED",
            "labels": ["rescan"],
            "body": "old",
            "comments": [],
        },
    ]
    run, state = rescan(gitops, "first", before)
    assert not run.failed, run.failures()
    assert [c.name for c in run.checks] == ["rescan / rescan production"]
    issues = by_title(state)
    worker = issues["Critical CVEs in worker (production)"]
    assert worker["number"] == 3 and worker["state"] == "OPEN" and worker["labels"] == ["rescan"]
    assert f"ghcr.io/acme/worker@{DIGEST['worker']}" in worker["body"]  # the registry input + the service
    assert (
        "CVE-2026-0001" in worker["body"]
        and "CVE-2026-0002" in worker["body"]
        and "CVE-2026-0003" not in worker["body"]
    )
    assert "| openssl | 3.0.1 | 3.0.7 |" in worker["body"] and "Owner: team-a" in worker["body"]
    billing = issues["Critical CVEs in billing (production)"]
    assert billing["state"] == "CLOSED" and "ghcr.io/acme/billing-api@" in billing["comments"][0]
    search = issues["Critical CVEs in search (production)"]
    assert search["state"] == "OPEN" and "CVE-2026-0009" in search["body"] and "no fix yet" in search["body"]
    assert len(state["issues"]) == 3 and state["labels"] == ["rescan"]
    assert {(c["repo"], c["token"]) for c in state["calls"]} == {(f"{ORG}/gitops", True)}
    summary = run.summary("rescan / rescan production")
    assert "3 deployed digests" in summary and "`fresh`: not scanned (no digest deployed yet)" in summary
    stubbed = {(r.workflow, r.step) for r in run.steps if r.outcome == "stubbed"}
    assert stubbed == set(RESCAN_STUBS)
    steps = yaml.safe_load((REPO_ROOT / "workflows" / "rescan.yml").read_text())["jobs"]["rescan"]["steps"]
    ran = {r.step for r in run.steps if r.workflow == "rescan.yml" and r.outcome in ("success", "stubbed")}
    assert {step_label(s) for s in steps} == ran  # every step of the reusable workflow ran or is a named stub


def test_a_second_rescan_updates_the_same_issue_and_an_unscannable_image_fails_the_run(gitops):
    FINDINGS.clear()
    FINDINGS.update(worker=[{**CRITICAL, "VulnerabilityID": "CVE-2026-0004"}], billing=[], search=None)
    before = [
        {
            "number": 3,
            "title": "Critical CVEs in worker (production)",
            "state": "OPEN",
            "labels": ["rescan"],
            "body": "old",
            "comments": [],
        },
        {
            "number": 4,
            "title": "Critical CVEs in search (production)",
            "state": "OPEN",
            "labels": ["rescan"],
            "body": "kept",
            "comments": [],
        },
    ]
    run, state = rescan(gitops, "second", before)
    issues = by_title(state)
    assert len(state["issues"]) == 2  # no duplicate
    assert "CVE-2026-0004" in issues["Critical CVEs in worker (production)"]["body"]
    assert issues["Critical CVEs in search (production)"]["body"] == "kept"  # not scanned: left as it was
    assert [c.conclusion for c in run.checks] == ["failure"]
    failed = next(r for r in run.steps if r.outcome == "failure")
    assert failed.step == "Open, update or close one issue per service" and "could not scan: search" in failed.detail


def test_the_rescan_is_a_pinned_reusable_workflow_granting_only_what_it_needs():
    data = yaml.safe_load((REPO_ROOT / "workflows" / "rescan.yml").read_text())
    assert list(data[True]) == ["workflow_call"] and data["permissions"] == {}
    assert data["jobs"]["rescan"]["permissions"] == {"contents": "read", "issues": "write"}
    caller = yaml.safe_load(documented_caller(ORG, "0" * 40))
    assert "schedule" in caller[True] and caller["permissions"] == {}
    assert caller["jobs"]["rescan"]["permissions"] == data["jobs"]["rescan"]["permissions"]
