"""Deploy, promote, roll back: pin a service's Application for an environment, as one commit on the
GitOps repo's `main` (or a pull request whose merge is the deploy), with the delivery trailers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from platform_cli import git
from platform_cli.delivery import application, history, issue_incidents, trailers
from platform_cli.delivery.landing import Target, land
from platform_cli.errors import UsageError
from platform_cli.models import PullRequest

RECENT = 64  # commits of a service's own history read first; all of it only when they do not suffice


@dataclass(frozen=True)
class DeployRequest:
    service: str
    environment: str
    digest: str
    source: str
    kind: str = "normal"  # normal | hotfix | rollback
    undoes: str | None = None  # a rollback: the deploy it undoes
    direct: bool = True  # land on main (False: through a GitOps pull request)
    at: str | None = None  # backfill: the date of a past deploy
    dry_run: bool = False

    @property
    def branch(self) -> str:
        return f"plat/deploy-{self.service}-{self.environment}"

    def message(self) -> str:
        verb = "rollback" if self.kind == "rollback" else "deploy"
        note = " (hotfix)" if self.kind == "hotfix" else ""
        subject = f"{verb}({self.service}): {self.environment} -> {self.digest}{note}"
        return trailers.message(
            subject,
            {
                trailers.SERVICE: self.service,
                trailers.ENVIRONMENT: self.environment,
                trailers.DIGEST: self.digest,
                trailers.SOURCE: self.source,
                trailers.KIND: self.kind,
                trailers.UNDOES: self.undoes,
            },
        )


@dataclass(frozen=True)
class DeployOutcome:
    request: DeployRequest
    id: str | None  # the GitOps commit that landed it (or that landed what already runs)
    changed: bool
    landed: bool
    pull_request: PullRequest | None = None
    attempts: int = 0

    def to_json(self) -> dict[str, Any]:
        r, pr = self.request, self.pull_request
        return {
            "id": self.id,
            "kind": "deploy",
            "service": r.service,
            "environment": r.environment,
            "digest": r.digest,
            "source": r.source,
            "deploy_kind": r.kind,
            "undoes": r.undoes,
            "changed": self.changed,
            "landed": self.landed,
            "pull_request": None if pr is None else {"number": pr.id, "url": pr.url, "branch": pr.head},
            "attempts": self.attempts,
            "dry_run": r.dry_run,
        }


def deploy(target: Target, req: DeployRequest, sleep: Callable[[float], None] | None = None) -> DeployOutcome:
    application.check_digest(req.digest)
    application.check_source(req.source)
    if req.kind not in trailers.KINDS:
        raise UsageError(f"unknown deploy kind {req.kind!r}", hint="use --kind normal or --kind hotfix")
    if req.dry_run or not (req.direct or req.at):
        mirror, head = target.read()
        change = _change(req)(mirror, head)
        if change is None:
            return DeployOutcome(req, _running(mirror, req), changed=False, landed=True)
        if req.dry_run:
            return DeployOutcome(req, None, changed=True, landed=False)
        return _propose(target, req, change)
    landed = land(target, _change(req), req.at, **({"sleep": sleep} if sleep else {}))
    if landed.sha is None:
        mirror, _ = target.read()
        return DeployOutcome(req, _running(mirror, req), changed=False, landed=True, attempts=landed.attempts)
    return DeployOutcome(req, landed.sha, changed=True, landed=True, attempts=landed.attempts)


def promote(
    target: Target, service: str, source_env: str, req_env: str, expect_digest: str | None = None, **options: Any
) -> DeployOutcome:
    """Deploy to `req_env` exactly the digest and source running in `source_env` (only if that is
    `expect_digest`, when given: a pipeline promotes the build it made, not a newer one)."""
    if source_env == req_env:
        raise UsageError("--from and --to name the same environment", hint="e.g. --from staging --to production")
    mirror, head = target.read()
    revision, digest = application.pinned(_application(mirror, head, service, source_env))
    if not (digest and revision and application.SHA_RE.match(revision)):
        raise UsageError(
            f"nothing deployed to {source_env} for {service} yet (its Application pins no digest and commit)",
            hint=f"deploy it first: plat deploy {service} --env {source_env} --digest sha256:… --source SHA",
        )
    if expect_digest and digest != expect_digest:
        raise UsageError(
            f"{source_env} runs {digest} for {service}, not {expect_digest}",
            hint=f"a newer build reached {source_env} meanwhile: promote that one, or deploy {expect_digest} by digest",
        )
    return deploy(target, DeployRequest(service, req_env, digest, revision, **options))


def rollback(target: Target, service: str, env: str, to_digest: str | None = None, **options: Any) -> DeployOutcome:
    """Back to the previous good deploy (or the last deploy of `to_digest`), directly on main, undoing
    the deploy that runs now."""
    mirror, head = target.read()
    _application(mirror, head, service, env)
    blamed = issue_incidents.causes(target, service)  # on GitHub, incident issues name bad deploys too
    good, deploys = _rollback_target(mirror, service, env, to_digest, RECENT, blamed)
    if good is None:  # not among the recent ones: read the service's whole history
        good, deploys = _rollback_target(mirror, service, env, to_digest, 0, blamed)
    if not deploys:
        raise UsageError(f"{service} was never deployed to {env}", hint="nothing to roll back")
    if good is None:
        raise _no_target(deploys[-1], to_digest)
    req = DeployRequest(service, env, good.digest or "", good.source or "", "rollback", deploys[-1].id, **options)
    return deploy(target, replace(req, direct=True))


def _rollback_target(
    mirror: Path, service: str, env: str, to_digest: str | None, limit: int, blamed: frozenset[str] = frozenset()
) -> tuple[history.Deploy | None, tuple[history.Deploy, ...]]:
    """(the deploy to go back to or None, the service's deploys read) from the newest `limit` commits of
    its history (0: all). Exact on such a prefix: what marks a deploy bad (a rollback undoing it, an
    incident it caused) always lands after the deploy, so it was read too."""
    past = history.read(mirror, "refs/heads/main", _own_paths(service, env), limit)
    deploys = past.of(service, env)
    return (_previous_good(past, deploys, to_digest, blamed) if deploys else None), deploys


def _previous_good(
    past: history.History, deploys: tuple[history.Deploy, ...], to_digest: str | None, blamed: frozenset[str]
) -> history.Deploy | None:
    """`blamed`: deploy ids (or prefixes of 7+) incidents outside the GitOps repo name as their cause."""
    current = deploys[-1]
    bad = {d.undoes for d in past.deploys if d.undoes} | {i.cause for i in past.incidents if i.cause}
    for d in reversed(deploys[:-1]):
        if not (d.digest and d.source):
            continue
        if to_digest and d.digest == to_digest:
            return d
        named = d.id in bad or any(len(c) >= 7 and d.id.startswith(c) for c in blamed)
        if not to_digest and not named and d.digest != current.digest:
            return d
    return None


def _no_target(current: history.Deploy, to_digest: str | None) -> UsageError:
    if to_digest:
        return UsageError(
            f"{to_digest} was never deployed to {current.environment} for {current.service}",
            hint="--to takes a digest an earlier deploy pinned (see git log of the GitOps repo)",
        )
    return UsageError(
        f"no earlier good deploy of {current.service} to {current.environment} to roll back to",
        hint="name one with --to DIGEST, or deploy a fix",
    )


def _change(req: DeployRequest) -> Callable[[Path, str], tuple[dict[str, str], str] | None]:
    def build(mirror: Path, head: str) -> tuple[dict[str, str], str] | None:
        text = _application(mirror, head, req.service, req.environment)
        if application.pinned(text) == (req.source, req.digest):
            return None
        return {application.path(req.service, req.environment): application.pin(text, req.source, req.digest)}, (
            req.message()
        )

    return build


def _propose(target: Target, req: DeployRequest, change: tuple[dict[str, str], str]) -> DeployOutcome:
    files, message = change
    forge = target.forge
    forge.commit_files(target.org, target.repo, req.branch, "main", files, message)
    subject = message.splitlines()[0]
    body = (
        f"{message}\nMerging this pull request deploys it (the merge commit is the deploy). "
        "Opened by `plat deploy`; merge with a merge commit."
    )
    pr = forge.open_pull_request(target.org, target.repo, req.branch, "main", subject, body)
    return DeployOutcome(req, None, changed=True, landed=False, pull_request=pr)


def _application(mirror: Path, head: str, service: str, env: str) -> str:
    text = git.show(mirror, head, application.path(service, env))
    if text is None:
        raise UsageError(
            f"{service} has no Application for {env} in the GitOps repo ({application.path(service, env)})",
            hint="register the service first (plat new service), or check the service and environment names",
        )
    return text + "\n"


def _running(mirror: Path, req: DeployRequest) -> str | None:
    """The deploy that landed what runs now (None when no recorded deploy did)."""
    for limit in (RECENT, 0):
        past = history.read(mirror, "refs/heads/main", _own_paths(req.service, req.environment), limit)
        deploys = past.of(req.service, req.environment)
        if deploys:
            return deploys[-1].id
    return None


def _own_paths(service: str, env: str) -> tuple[str, ...]:
    return (application.path(service, env), f"incidents/{service}/")
