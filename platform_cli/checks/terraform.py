"""Terraform rules, read with a few regexes (no HCL parser): a locking backend and mandatory tags."""

from __future__ import annotations

import re
from pathlib import Path

from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found

BACKEND = Rule(
    "PLAT-TF-001",
    "Terraform state backend with locking",
    "high",
    "silver",
    'configure backend "s3" with encrypt = true and use_lockfile = true (S3-native locking)',
)
TAGS = Rule(
    "PLAT-TF-002",
    "Mandatory tags on every resource",
    "medium",
    "gold",
    'give provider "aws" default_tags with team, service, environment and cost-center',
)
RULES = {r.id: r for r in (BACKEND, TAGS)}
NEEDS: tuple[str, ...] = ()
SKIP_IS_UNVERIFIED = False  # skipped only where it does not apply
MANDATORY_TAGS = ("team", "service", "environment", "cost-center")
IGNORED_DIRS = {".terraform", ".git", "node_modules"}


def skip_reason(ctx: ServiceContext) -> str:
    return "" if tf_files(ctx.root) else "the service has no Terraform (*.tf) files"


def tf_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.tf") if not IGNORED_DIRS & set(p.relative_to(root).parts))


def check(ctx: ServiceContext) -> list[Finding]:
    by_dir: dict[Path, list[Path]] = {}
    for path in tf_files(ctx.root):
        by_dir.setdefault(path.parent, []).append(path)
    out: list[Finding] = []
    stacks = [d for d, files in by_dir.items() if any(_is_root(read(p)) for p in files)]
    for directory in stacks:
        out += _backend(ctx, by_dir[directory]) + _tags(ctx, by_dir[directory])
    return out


def _is_root(text: str) -> bool:
    """A root stack declares a backend or configures a provider (modules do neither)."""
    return bool(re.search(r'^\s*(backend\s+"|provider\s+")', text, re.MULTILINE))


def _backend(ctx: ServiceContext, files: list[Path]) -> list[Finding]:
    backends = [(p, m, text) for p in files for text in [read(p)] for m in re.finditer(r'backend\s+"(\w+)"\s*\{', text)]
    if not backends:
        return [found(BACKEND, f"stack {_rel(ctx, files[0].parent)} has no remote state backend", _rel(ctx, files[0]))]
    out = []
    for path, match, text in backends:
        body = block(text, match.end() - 1)
        if match[1] == "s3" and not re.search(r"\buse_lockfile\s*=\s*true\b", body):
            out.append(
                found(
                    BACKEND,
                    'backend "s3" does not set use_lockfile = true',
                    _rel(ctx, path),
                    _line(text, match.start()),
                )
            )
        elif match[1] == "s3" and not re.search(r"\bencrypt\s*=\s*true\b", body):
            out.append(
                found(BACKEND, 'backend "s3" does not set encrypt = true', _rel(ctx, path), _line(text, match.start()))
            )
        elif match[1] == "local":
            out.append(found(BACKEND, "state is kept in a local file", _rel(ctx, path), _line(text, match.start())))
    return out


def _tags(ctx: ServiceContext, files: list[Path]) -> list[Finding]:
    texts = {p: read(p) for p in files}
    locals_ = "\n".join(block(t, m.end() - 1) for t in texts.values() for m in re.finditer(r"\blocals\s*\{", t))
    out = []
    for path, text in texts.items():
        for match in re.finditer(r'provider\s+"aws"\s*\{', text):
            body = block(text, match.end() - 1)
            tags_at = re.search(r"default_tags\s*\{", body)
            scope = block(body, tags_at.end() - 1) if tags_at else ""
            scope += ("\n" + locals_) if "local." in scope else ""
            missing = [
                t for t in MANDATORY_TAGS if not re.search(rf'(^|[\s{{,"]){re.escape(t)}"?\s*=', scope, re.MULTILINE)
            ]
            if missing:
                out.append(
                    found(
                        TAGS,
                        f'provider "aws" default_tags lack {", ".join(missing)}',
                        _rel(ctx, path),
                        _line(text, match.start()),
                    )
                )
    return out


def read(path: Path) -> str:
    """The file with comment-only lines blanked (line numbers kept), so commented-out settings do not count."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return re.sub(r"^[ \t]*(#|//).*$", "", text, flags=re.MULTILINE)


def block(text: str, open_brace: int) -> str:
    """The text between the brace at `open_brace` and its match (strings and comments not special-cased)."""
    depth = 0
    for i in range(open_brace, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[open_brace + 1 : i]
    return text[open_brace + 1 :]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _rel(ctx: ServiceContext, path: Path) -> str:
    return path.relative_to(ctx.root).as_posix() or "."
