"""Ownership rules: a Backstage catalog entry and a CODEOWNERS file."""

from __future__ import annotations

from platform_cli import yamlio
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found

CATALOG_FILE = "catalog-info.yaml"
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
CATALOG = Rule(
    "PLAT-CAT-001",
    "Catalog entry present and valid",
    "medium",
    "bronze",
    f"add {CATALOG_FILE} (Backstage Component with metadata.name and spec.owner)",
)
CODEOWNERS = Rule(
    "PLAT-CAT-002",
    "CODEOWNERS present",
    "medium",
    "bronze",
    "add .github/CODEOWNERS naming the owning team, e.g. `* @acme/payments-team`",
)
RULES = {r.id: r for r in (CATALOG, CODEOWNERS)}
NEEDS: tuple[str, ...] = ()
SKIP_IS_UNVERIFIED = False  # skipped only where it does not apply


def skip_reason(ctx: ServiceContext) -> str:
    return ""


def check(ctx: ServiceContext) -> list[Finding]:
    out = []
    problem = catalog_problem(ctx.text(CATALOG_FILE))
    if problem:
        out.append(found(CATALOG, problem, CATALOG_FILE))
    owners = [text for p in CODEOWNERS_PATHS if (text := ctx.text(p)) is not None]
    if not owners:
        out.append(
            found(CODEOWNERS, "no CODEOWNERS file: reviews are not routed to the owning team", CODEOWNERS_PATHS[0])
        )
    elif not any(line.strip() and not line.lstrip().startswith("#") for line in owners[0].splitlines()):
        out.append(found(CODEOWNERS, "CODEOWNERS names no owners", CODEOWNERS_PATHS[0]))
    return out


def catalog_problem(text: str | None) -> str:
    if text is None:
        return f"no {CATALOG_FILE}: the service is not in the catalog"
    try:
        docs = [d for d in yamlio.load_all(text) if d]
    except yamlio.YAMLError:
        return f"{CATALOG_FILE} is not valid YAML"
    doc = next((d for d in docs if isinstance(d, dict) and d.get("kind") == "Component"), None)
    if doc is None:
        return f"{CATALOG_FILE} has no kind: Component entity"
    if not str(doc.get("apiVersion", "")).startswith("backstage.io/"):
        return f"{CATALOG_FILE}: apiVersion is not backstage.io/*"
    if not (doc.get("metadata") or {}).get("name") or not (doc.get("spec") or {}).get("owner"):
        return f"{CATALOG_FILE}: the Component needs metadata.name and spec.owner"
    return ""
