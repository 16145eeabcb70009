"""Each rule has a failing fixture: a freshly rendered service, edited to seed one defect."""

from __future__ import annotations

import pytest

from platform_cli import git
from platform_cli.checks.finding import line_of
from tests.checks.support import edit, golden_settings, ids, needs_helm, run_doctor, service  # noqa: F401 - fixtures

DEPLOY = "chart/templates/deployment.yaml"
VALUES = "chart/values.yaml"
CI = ".github/workflows/ci.yml"

# (rule id, file the finding points at, regex of the line it points at, edits: (file, old, new))
SEEDED = [
    (
        "PLAT-K8S-000",
        "chart/Chart.yaml",
        None,
        [(DEPLOY, "apiVersion: apps/v1", '{{ fail "broken on purpose" }}\napiVersion: apps/v1')],
    ),
    ("PLAT-K8S-001", DEPLOY, r"^\s+resources:", [(VALUES, ", ephemeral-storage: 128Mi}", "}")]),
    (
        "PLAT-K8S-002",
        DEPLOY,
        r"- name: app",
        [(DEPLOY, "          readinessProbe:\n            httpGet: {path: /readyz, port: http}\n", "")],
    ),
    (
        "PLAT-K8S-003",
        DEPLOY,
        r"^\s{8,}securityContext:",
        [(DEPLOY, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")],
    ),
    ("PLAT-K8S-003", DEPLOY, r"^\s+securityContext:", [(DEPLOY, "        runAsNonRoot: true\n", "")]),
    (
        "PLAT-K8S-004",
        DEPLOY,
        r"^\s+image:",
        [(DEPLOY, '@{{ required "image.digest" .Values.image.digest }}', ":latest")],
    ),
    (
        "PLAT-K8S-005",
        DEPLOY,
        r"hostNetwork",
        [
            (
                DEPLOY,
                "      automountServiceAccountToken: false\n",
                "      automountServiceAccountToken: false\n      hostNetwork: true\n",
            )
        ],
    ),
    ("PLAT-K8S-006", DEPLOY, r"^kind:", [("chart/templates/pdb.yaml", "kind: PodDisruptionBudget", "kind: ConfigMap")]),
    (
        "PLAT-K8S-007",
        DEPLOY,
        r"replicas:",
        [(VALUES, "autoscaling:\n  enabled: true", "autoscaling:\n  enabled: false")],
    ),
    (
        "PLAT-K8S-008",
        "chart/templates",
        None,
        [("chart/templates/networkpolicy.yaml", "[Ingress, Egress]", "[Ingress]")],
    ),
    ("PLAT-SLO-002", "slo.yaml", r"name: requests-availability", [("slo.yaml", "objective: 99.9", "objective: 150")]),
    ("PLAT-SLO-002", "slo.yaml", r"^service:", [("slo.yaml", "service: payments", "service: orders")]),
    (
        "PLAT-TF-001",
        "terraform/backend.tf",
        r'backend "s3"',
        [("terraform/backend.tf", "use_lockfile = true", "use_lockfile = false")],
    ),
    (
        "PLAT-TF-002",
        "terraform/providers.tf",
        r'provider "aws"',
        [("terraform/providers.tf", '      "cost-center" = "engineering"\n', "")],
    ),
    ("PLAT-GHA-001", CI, r"uses:", [(CI, "build.yml@", "build.yml@v1 # was @")]),
    ("PLAT-GHA-002", CI, r"^permissions:", [(CI, "permissions: {}", "permissions: write-all")]),
    ("PLAT-GHA-002", CI, r"^jobs:", [(CI, "permissions: {}\n", "")]),
    ("PLAT-GHA-003", CI, r"secrets: inherit", [(CI, "    permissions:\n", "    secrets: inherit\n    permissions:\n")]),
    ("PLAT-CAT-001", "catalog-info.yaml", None, [("catalog-info.yaml", "  owner: group:team-a\n", "")]),
    (
        "PLAT-GIT-001",
        "catalog-info.yaml",
        r"^<<<<<<< ",
        [
            (
                "catalog-info.yaml",
                "  type: service\n",
                "<<<<<<< HEAD\n  type: service\n=======\n  type: website\n>>>>>>> plat/template\n",
            )
        ],
    ),
    (
        "PLAT-DRIFT-001",
        DEPLOY,
        r"^\s+imagePullPolicy",
        [(DEPLOY, "imagePullPolicy: Always", "imagePullPolicy: IfNotPresent")],
    ),
]
NEEDS_HELM = {
    "PLAT-K8S-000",
    "PLAT-K8S-001",
    "PLAT-K8S-002",
    "PLAT-K8S-003",
    "PLAT-K8S-004",
    "PLAT-K8S-005",
    "PLAT-K8S-006",
    "PLAT-K8S-007",
    "PLAT-K8S-008",
}


@pytest.mark.parametrize(
    "rule_id, file, line_pattern, edits", SEEDED, ids=[f"{s[0]}-{i}" for i, s in enumerate(SEEDED)]
)
def test_seeded_defect_is_found_where_it_is(service, golden_settings, rule_id, file, line_pattern, edits):
    if rule_id in NEEDS_HELM and any(s.unverified for s in run_doctor(service, golden_settings).skipped):
        pytest.skip("helm not installed")
    for rel, old, new in edits:
        edit(service, rel, old, new, commit=False)
    git.commit_all(service, "seed a defect")
    report = run_doctor(service, golden_settings)
    hits = [f for f in report.findings if f.rule_id == rule_id]
    assert hits, f"{rule_id} not found; got {ids(report)}"
    f = hits[0]
    assert f.file == file
    assert f.line == (line_of(service / file, line_pattern) if line_pattern else 1)
    assert f.remediation and f.severity and f.level in ("bronze", "silver", "gold")
    assert report.level != "gold" and report.score < 100


@pytest.mark.parametrize(
    "rel, rule_id",
    [("slo.yaml", "PLAT-SLO-001"), ("catalog-info.yaml", "PLAT-CAT-001"), (".github/CODEOWNERS", "PLAT-CAT-002")],
)
def test_missing_file_is_found(service, golden_settings, rel, rule_id):
    (service / rel).unlink()
    report = run_doctor(service, golden_settings)
    assert rule_id in ids(report)


def test_deleted_platform_file_is_missing_drift(service, golden_settings):
    (service / "chart/templates/pdb.yaml").unlink()
    git.commit_all(service, "drop the pdb")
    report = run_doctor(service, golden_settings)
    missing = [f for f in report.findings if f.rule_id == "PLAT-DRIFT-002"]
    assert [f.file for f in missing] == ["chart/templates/pdb.yaml"]
    assert "plat doctor --fix" in missing[0].remediation


def test_shared_and_team_edits_are_not_drift(service, golden_settings):
    edit(service, VALUES, "replicaCount: 2", "replicaCount: 3")
    edit(service, "app/main.py", "PORT", "PORT_NUMBER")
    assert run_doctor(service, golden_settings).findings == ()


@needs_helm
def test_finding_in_drifted_platform_file_points_at_fix(service, golden_settings):
    edit(service, DEPLOY, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
    report = run_doctor(service, golden_settings)
    security = next(f for f in report.findings if f.rule_id == "PLAT-K8S-003")
    assert security.remediation.startswith("`plat doctor --fix` restores")
    assert "PLAT-DRIFT-001" in ids(report)


def test_no_baseline_branch(service, golden_settings):
    git.run(["branch", "-D", "plat/template"], service)
    git.run(["update-ref", "-d", "refs/remotes/origin/plat/template"], service)
    report = run_doctor(service, golden_settings)
    assert ids(report) == ["PLAT-DRIFT-003"]


def test_answers_edited_by_hand_disagree_with_baseline(service, golden_settings):
    edit(service, ".copier-answers.yml", "_commit: v0.1.0", "_commit: v0.0.9")
    assert "PLAT-VER-002" in ids(run_doctor(service, golden_settings))


def test_conflict_markers_need_both_ends_and_count_once_per_file(service, golden_settings):
    (service / "docs").mkdir()
    (service / "docs" / "notes.md").write_text(">>>>>>> quoted in an email thread\n\nno conflict here\n")
    (service / "docs" / "two.txt").write_text(
        "<<<<<<< a\n1\n=======\n2\n>>>>>>> b\n<<<<<<< c\n3\n=======\n4\n>>>>>>> d\n"
    )
    git.commit_all(service, "notes")
    hits = [f for f in run_doctor(service, golden_settings).findings if f.rule_id == "PLAT-GIT-001"]
    assert [(f.file, f.line) for f in hits] == [("docs/two.txt", 1)]
