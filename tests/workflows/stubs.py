"""The steps the rehearsal does not run, each named with the reason: they need the cloud.

Keyed by (reusable workflow file, step name or action). A stub stands in for the step: it is
recorded as `stubbed` with its reason, and gives the outputs later steps read. Everything else
runs for real; a `uses:` step that is neither stubbed nor handled (actions.py) fails the job, and
a stub no rehearsal used fails the coverage test, so the table stays exact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Dict

from .runner import Job


def _none(job: Job, context: Mapping[str, Any]) -> Mapping[str, str]:
    return {}


def pushed_digest(job: Job, context: Mapping[str, Any]) -> Mapping[str, str]:
    """What docker/build-push-action answers: the digest of the pushed image (here: of the commit)."""
    sha = context["github"]["sha"]
    return {
        "digest": "sha256:" + hashlib.sha256(f"image of {sha}".encode()).hexdigest(),
        "imageid": "sha256:" + hashlib.sha256(sha.encode()).hexdigest(),
    }


def page_url(job: Job, context: Mapping[str, Any]) -> Mapping[str, str]:
    """What actions/deploy-pages answers: the URL of the published site."""
    owner = context["github"]["repository_owner"]
    return {"page_url": f"https://{owner}.github.io/{context['github']['repository'].split('/', 1)[1]}/"}


@dataclass(frozen=True)
class Stub:
    reason: str
    outputs: Callable[[Job, Mapping[str, Any]], Mapping[str, str]] = _none


REGISTRY = "needs a container registry and a Docker daemon"
STUBS: dict[tuple, Stub] = {
    ("build.yml", "docker/setup-buildx-action"): Stub("downloads buildx and starts a BuildKit builder (Docker daemon)"),
    ("build.yml", "docker/login-action"): Stub(f"logs in to the registry: {REGISTRY}"),
    ("build.yml", "Build and push"): Stub(f"builds and pushes the image: {REGISTRY}", pushed_digest),
    ("build.yml", "Scan the pushed digest (fail on CRITICAL)"): Stub(
        "trivy pulls the pushed image and its vulnerability DB"
    ),
    ("build.yml", "SBOM (CycloneDX)"): Stub("trivy reads the pushed image from the registry"),
    ("build.yml", "sigstore/cosign-installer"): Stub("downloads cosign from its GitHub release"),
    ("build.yml", "Sign and attest the digest"): Stub(
        "keyless signing needs GitHub's OIDC token, Fulcio, Rekor and the registry"
    ),
    ("test.yml", "Install promtool"): Stub(
        "downloads Ubuntu's prometheus package (the sandbox's promtool is Debian's, on its PATH)"
    ),
    ("terraform.yml", "aws-actions/configure-aws-credentials"): Stub("assumes an AWS role through GitHub's OIDC token"),
    ("terraform.yml", "Init the state backend"): Stub("initialises the S3 state backend in the AWS account"),
    ("terraform.yml", "Plan"): Stub("terraform plan reads the S3 state and the live AWS account"),
    ("terraform.yml", "Apply"): Stub("terraform apply changes the live AWS account"),
    ("dashboard.yml", "Deploy to GitHub Pages"): Stub(
        "publishes the uploaded artifact with GitHub's Pages API, proving its origin with the OIDC token", page_url
    ),
}
