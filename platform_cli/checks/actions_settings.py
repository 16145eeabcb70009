"""GitHub Actions settings: the variables and secrets the service's workflows need are set on GitHub.

What the workflows read is derived from the workflow files themselves (`vars.NAME`, `secrets.NAME`),
never listed by hand. A name is *needed* unless every place that reads it feeds an input or secret
the called reusable workflow declares `required: false`, or gives a fallback (`vars.X || 'y'`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found
from platform_cli.checks.workflows import workflow_files
from platform_cli.errors import PlatError

UNSET = Rule(
    "PLAT-GH-001",
    "Actions variables and secrets the workflows need are set on GitHub",
    "high",
    "bronze",
    "set it on the repo (gh variable set NAME / gh secret set NAME --repo ORG/REPO), or share an "
    "organization variable or secret with the repo",
)
RULES = {UNSET.id: UNSET}
NEEDS: tuple[str, ...] = ("github-api",)  # a token that may list the repo's Actions variables and secrets
SKIP_IS_UNVERIFIED = False  # not applicable on the local forge; unreadable settings count via NEEDS
REFERENCE = re.compile(r"\b(vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
AUTOMATIC = frozenset({("secrets", "GITHUB_TOKEN")})  # GitHub hands it to every run
KINDS = {"vars": "variable", "secrets": "secret"}


@dataclass(frozen=True)
class Read:
    """An Actions variable or secret the workflows read, where it is first read, and whether it is needed."""

    kind: str  # variable | secret
    name: str
    file: str  # the first workflow file reading it, relative to the service root
    line: int
    needed: bool
    workflows: tuple[str, ...]  # every workflow file reading it

    @property
    def expression(self) -> str:
        return f"{'vars' if self.kind == 'variable' else 'secrets'}.{self.name}"


def read_by_workflows(root: Path, platform_workflows: Path | None = None) -> tuple[Read, ...]:
    """The variables and secrets the workflows under `root/.github/workflows` read, in file order.
    `platform_workflows` (the platform's reusable workflows) tells which inputs are optional."""
    seen: dict[tuple[str, str], Read] = {}
    for path in workflow_files(root):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        optional = _optional_references(text, platform_workflows)
        for kind, name, line in _references(text):
            if (kind, name) in AUTOMATIC:
                continue
            key = (KINDS[kind], name)
            needed = (kind, name) not in optional
            old = seen.get(key)
            if old is None:
                seen[key] = Read(KINDS[kind], name, rel, line, needed, (rel,))
            else:
                files = old.workflows + ((rel,) if rel not in old.workflows else ())
                seen[key] = Read(old.kind, name, old.file, old.line, old.needed or needed, files)
    return tuple(seen.values())


def skip_reason(ctx: ServiceContext) -> str:
    if not any(r.needed for r in _reads(ctx)):
        return "the workflows need no Actions variables or secrets"
    actions = ctx.actions
    if actions is None:
        return f"the {ctx.forge_name} forge runs no GitHub Actions: variables and secrets are not checked"
    if isinstance(actions, PlatError):
        return f"could not read the repo's Actions settings: {actions.message} ({actions.hint})"
    return ""


def check(ctx: ServiceContext) -> list[Finding]:
    actions = ctx.actions
    if actions is None or isinstance(actions, PlatError):
        return []
    repo = f"{ctx.org}/{ctx.service}"
    out = []
    for read in _reads(ctx):
        have = actions.variables if read.kind == "variable" else actions.secrets
        if not read.needed or read.name in have:
            continue
        fix = (
            f"gh {read.kind} set {read.name} --repo {repo}"
            + (" --body VALUE" if read.kind == "variable" else "")
            + f" (or share an organization {read.kind} with {repo}); the platform's docs/github.md says what it holds"
        )
        out.append(
            found(
                UNSET,
                f"`{read.expression}` (read by {', '.join(read.workflows)}) is not set on {repo} "
                f"nor shared with it by the organization",
                read.file,
                read.line,
                fix,
            )
        )
    return out


def _reads(ctx: ServiceContext) -> tuple[Read, ...]:
    return read_by_workflows(ctx.root, ctx.platform_workflows)


def _references(text: str) -> Iterator[tuple[str, str, int]]:
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        for m in REFERENCE.finditer(line):
            yield m[1], m[2], n


def _optional_references(text: str, platform_workflows: Path | None) -> set[tuple[str, str]]:
    """References that only feed optional inputs/secrets of a called workflow or carry a fallback."""
    try:
        doc = yamlio.load(text)
    except yamlio.YAMLError:
        return set()
    if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict):
        return set()
    optional: set[tuple[str, str]] = set()
    needed: set[tuple[str, str]] = set()
    rest = dict(doc, jobs=dict(doc["jobs"]))  # the workflow without the arguments of reusable-workflow calls
    for job_id, job in doc["jobs"].items():
        if not isinstance(job, dict) or not job.get("uses"):
            continue
        declared = _declared(str(job["uses"]), platform_workflows)
        rest["jobs"][job_id] = {k: v for k, v in job.items() if k not in ("with", "secrets")}
        for section in ("with", "secrets"):
            args = job.get(section)
            for key, value in args.items() if isinstance(args, dict) else ():
                into = optional if _optional(value, declared.get(section, {}).get(key)) else needed
                into.update(_found(str(value)))
    return optional - needed - {ref for value in _strings(rest) for ref in _found(value)}


def _found(value: str) -> set[tuple[str, str]]:
    return {(m[1], m[2]) for m in REFERENCE.finditer(value)}


def _optional(value: Any, declaration: Any) -> bool:
    if any("||" in e for e in EXPRESSION.findall(str(value))):
        return True
    return isinstance(declaration, dict) and declaration.get("required") is False


def _declared(uses: str, platform_workflows: Path | None) -> dict[str, dict]:
    """The inputs and secrets the called reusable workflow declares ({} when it is not at hand)."""
    if platform_workflows is None or uses.startswith("./"):
        return {}
    path = platform_workflows / Path(uses.split("@")[0]).name
    try:
        doc = yamlio.load_file(path)
    except (OSError, yamlio.YAMLError):
        return {}
    on = (doc.get("on", doc.get(True)) if isinstance(doc, dict) else None) or {}
    call = (on.get("workflow_call") if isinstance(on, dict) else None) or {}
    return {"with": call.get("inputs") or {}, "secrets": call.get("secrets") or {}} if isinstance(call, dict) else {}


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node
