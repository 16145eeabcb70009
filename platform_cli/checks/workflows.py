"""GitHub Actions rules: every action pinned by commit SHA, least-privilege permissions, no inherited secrets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found, line_of

PINNED = Rule(
    "PLAT-GHA-001",
    "Actions and reusable workflows pinned by commit SHA",
    "high",
    "bronze",
    "pin `uses:` to a full 40-character commit SHA with a version comment: uses: owner/repo@<sha> # vX.Y.Z",
)
PERMISSIONS = Rule(
    "PLAT-GHA-002",
    "Least-privilege workflow permissions",
    "high",
    "silver",
    "set top-level `permissions: {}` and grant each job only the scopes it needs (never write-all)",
)
SECRETS = Rule(
    "PLAT-GHA-003",
    "No inherited secrets",
    "medium",
    "silver",
    "pass the secrets a reusable workflow needs explicitly instead of `secrets: inherit`",
)
RULES = {r.id: r for r in (PINNED, PERMISSIONS, SECRETS)}
NEEDS: tuple[str, ...] = ()
SKIP_IS_UNVERIFIED = False  # skipped only where it does not apply
USES = re.compile(r"^\s*(?:-\s*)?uses:\s*['\"]?(?P<ref>[^'\"\s#]+)")
SHA = re.compile(r"@[0-9a-f]{40}$")


def workflow_files(root: Path) -> list[Path]:
    folder = root / ".github" / "workflows"
    return sorted(p for p in folder.glob("*.y*ml") if p.is_file()) if folder.is_dir() else []


def skip_reason(ctx: ServiceContext) -> str:
    return "" if workflow_files(ctx.root) else "the service has no GitHub Actions workflows"


def check(ctx: ServiceContext) -> list[Finding]:
    out: list[Finding] = []
    for path in workflow_files(ctx.root):
        rel = path.relative_to(ctx.root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        out += _pins(rel, text)
        try:
            doc = yamlio.load(text)
        except yamlio.YAMLError:
            continue  # zizmor (--deep) and GitHub report syntax errors
        if isinstance(doc, dict):
            out += _permissions(path, rel, doc) + _secrets(path, rel, doc)
    return out


def _pins(rel: str, text: str) -> list[Finding]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        m = USES.match(line)
        if not m or m["ref"].startswith("./"):
            continue
        ref = m["ref"]
        pinned = "@sha256:" in ref if ref.startswith("docker://") else bool(SHA.search(ref))
        if not pinned:
            out.append(found(PINNED, f"`uses: {ref}` is not pinned to a commit SHA", rel, n))
    return out


def _permissions(path: Path, rel: str, doc: dict[str, Any]) -> list[Finding]:
    out = []
    top = doc.get("permissions", None)
    if "permissions" not in doc:
        out.append(
            found(
                PERMISSIONS,
                "no top-level `permissions:` (the token gets the repository default)",
                rel,
                line_of(path, r"^jobs:"),
            )
        )
    elif _broad(top):
        out.append(
            found(
                PERMISSIONS,
                f"top-level permissions grant {_describe(top)}; use `permissions: {{}}`",
                rel,
                line_of(path, r"^permissions:"),
            )
        )
    for name, job in _jobs(doc).items():
        if isinstance(job, dict) and _broad(job.get("permissions"), job_level=True):
            out.append(
                found(
                    PERMISSIONS,
                    f"job {name} grants {_describe(job.get('permissions'))}",
                    rel,
                    line_of(path, rf"^\s+{re.escape(str(name))}:"),
                )
            )
    return out


def _jobs(doc: dict[str, Any]) -> dict[Any, Any]:
    """The workflow's jobs; nothing when `jobs:` is not a mapping (GitHub rejects such a file itself)."""
    jobs = doc.get("jobs")
    return jobs if isinstance(jobs, dict) else {}


def _broad(perms: Any, job_level: bool = False) -> bool:
    if isinstance(perms, str):
        return perms in ("write-all", "read-all") or (perms == "write")
    if isinstance(perms, dict):
        return not job_level and any(v == "write" for v in perms.values())
    return False


def _describe(perms: Any) -> str:
    if isinstance(perms, dict):
        return ", ".join(f"{k}: {v}" for k, v in perms.items() if v == "write") or "write scopes"
    return str(perms)


def _secrets(path: Path, rel: str, doc: dict[str, Any]) -> list[Finding]:
    return [
        found(SECRETS, f"job {name} passes `secrets: inherit`", rel, line_of(path, r"secrets:\s*inherit"))
        for name, job in _jobs(doc).items()
        if isinstance(job, dict) and job.get("secrets") == "inherit"
    ]
