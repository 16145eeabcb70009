"""The platform's Kyverno cluster policies are well-formed and cover the golden-path rules."""

from __future__ import annotations

import yaml

from .conftest import REPO

EXPECTED = {
    "plat-require-requests-limits",
    "plat-require-probes",
    "plat-require-non-root",
    "plat-disallow-host-namespaces",
    "plat-require-default-deny-networkpolicy",
    "plat-require-image-digest",
}


def load_policies():
    for path in sorted((REPO / "policies" / "kyverno").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path, doc


def test_kyverno_cluster_policies_cover_the_golden_path():
    names = set()
    for path, doc in load_policies():
        assert doc["apiVersion"] == "kyverno.io/v1" and doc["kind"] == "ClusterPolicy", path.name
        meta = doc["metadata"]
        names.add(meta["name"])
        assert meta["annotations"]["policies.kyverno.io/title"]
        assert meta["annotations"]["policies.kyverno.io/description"]
        assert doc["spec"]["validationFailureAction"] == "Enforce"
        rules = doc["spec"]["rules"]
        assert rules and all(r["name"] and r["match"] for r in rules)
        assert all(("validate" in r) != ("generate" in r) for r in rules)
    assert names == EXPECTED
