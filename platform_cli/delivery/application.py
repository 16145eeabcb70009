"""What a deploy pins in an Argo CD Application: the service commit its chart is rendered from
(`spec.source.targetRevision`) and the image digest (the Helm parameter `image.digest`)."""

from __future__ import annotations

import re

import yaml

from platform_cli import yamlio
from platform_cli.errors import UsageError

DIGEST_PARAMETER = "image.digest"
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
SHA_RE = re.compile(r"^[0-9a-f]{40}$")


def path(service: str, environment: str) -> str:
    return f"apps/{service}/{environment}.yaml"


def pinned(text: str) -> tuple[str | None, str | None]:
    """(targetRevision, image digest) an Application pins; None for what it does not say."""
    try:
        app = yamlio.load(text)
    except yamlio.YAMLError:
        return None, None
    source = ((app or {}).get("spec") or {}).get("source") or {} if isinstance(app, dict) else {}
    params = (source.get("helm") or {}).get("parameters") or []
    digest = next((p.get("value") for p in params if isinstance(p, dict) and p.get("name") == DIGEST_PARAMETER), None)
    revision = source.get("targetRevision")
    return (str(revision) if revision is not None else None), (str(digest) if digest is not None else None)


def owner(text: str) -> str:
    """The owning team an Application names (label `plat.dev/owner`), "" when none."""
    try:
        app = yamlio.load(text) or {}
    except yamlio.YAMLError:
        return ""
    labels = (app.get("metadata") or {}).get("labels") or {} if isinstance(app, dict) else {}
    return str(labels.get("plat.dev/owner", ""))


def pin(text: str, source: str, digest: str) -> str:
    """The Application with its source and digest set; every other key (and its order) kept."""
    app = yamlio.load(text)
    spec_source = app["spec"]["source"]
    spec_source["targetRevision"] = source
    helm = spec_source.setdefault("helm", {})
    others = [p for p in helm.get("parameters") or [] if p.get("name") != DIGEST_PARAMETER]
    helm["parameters"] = [*others, {"name": DIGEST_PARAMETER, "value": digest}]
    return yaml.safe_dump(app, sort_keys=False)


def check_digest(digest: str) -> str:
    if not DIGEST_RE.match(digest):
        raise UsageError(
            f"{digest!r} is not an image digest", hint="pass --digest sha256:<64 hex> (what the build pushed)"
        )
    return digest


def check_source(source: str) -> str:
    if not SHA_RE.match(source):
        raise UsageError(f"{source!r} is not a full commit sha", hint="pass --source with the 40-hex service commit")
    return source
