"""Render the GitOps repo's tenancy chart with `helm template`, as Argo CD's `tenancy` Application does."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from tests.templates import tools


def write_tree(files: dict[str, str], root: Path) -> Path:
    for path, text in files.items():
        dest = root / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text)
    return root


def helm_render(files: dict[str, str]) -> tuple[int, str, list[dict]]:
    """(exit code, stderr, documents) of `helm template` over the `tenancy/` files of a GitOps tree."""
    with tempfile.TemporaryDirectory(prefix="tenancy-render-") as tmp:
        root = write_tree({p: t for p, t in files.items() if p.startswith("tenancy/")}, Path(tmp))
        proc = tools.run("helm", ["template", "tenancy", str(root / "tenancy"), "--namespace", "argocd"])
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d] if proc.returncode == 0 else []
    return proc.returncode, proc.stderr, docs


def rendered(files: dict[str, str]) -> list[dict]:
    code, err, docs = helm_render(files)
    assert code == 0, f"helm template tenancy/ failed:\n{err}"
    return docs


def projects_of(docs: list[dict]) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "AppProject"}


def namespace_docs(docs: list[dict], namespace: str) -> list[dict]:
    return [
        d
        for d in docs
        if d["metadata"].get("namespace") == namespace
        or (d["kind"] == "Namespace" and d["metadata"]["name"] == namespace)
    ]
