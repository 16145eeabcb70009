"""The title and body of an upgrade pull request."""

from __future__ import annotations

from platform_cli.upgrade.baseline import BASELINE_BRANCH
from platform_cli.upgrade.result import UpgradeResult

STATUS_WORDS = {"A": "added", "M": "changed", "D": "deleted", "R": "renamed", "T": "type changed", "C": "copied"}


def title(result: UpgradeResult) -> str:
    """The pull request's title: the upgrade, and how many conflicts it holds."""
    suffix = f" ({len(result.conflicts)} conflicts)" if result.conflicts else ""
    return headline(result) + suffix


def headline(result: UpgradeResult) -> str:
    """What the upgrade is, for its commits and its pull request."""
    return f"Upgrade {result.template} template {result.current} → {result.target}"


def body(result: UpgradeResult) -> str:
    parts = [_summary(result), _changelog(result), _conflicts(result), _files(result), _how_to_merge()]
    return "\n\n".join(p for p in parts if p) + "\n"


def _summary(r: UpgradeResult) -> str:
    lines = [
        f"Template **{r.template}**: {r.current} → {r.target}, rendered with this repo's answers onto "
        f"`{BASELINE_BRANCH}` and merged into `{r.branch}` with git's three-way merge.",
        "",
        "Versions crossed: " + (", ".join(e.version for e in r.changelog) or r.target),
    ]
    lines += [f"- migration {m}" for m in r.migrations]
    lines += [f"- answer `{a}` dropped: the template no longer asks it" for a in r.dropped_answers]
    lines += [f"- note: {n}" for n in r.notes]
    return "\n".join(lines).rstrip()


def _changelog(r: UpgradeResult) -> str:
    if not r.changelog:
        return ""
    return "## Changelog\n\n" + "\n\n".join(f"### {e.version}\n\n{e.text}" for e in r.changelog)


def _conflicts(r: UpgradeResult) -> str:
    lines = []
    if r.conflicts:
        lines += [
            "## Conflicts to resolve",
            "",
            "These files are committed with git's conflict markers (`<<<<<<<`): check out this branch, "
            "resolve them, commit and push.",
        ]
        lines += [f"- [ ] `{c.path}` — {c.kind}" for c in r.conflicts]
    if r.kept_deleted:
        lines += ["", "Deleted in this repo and changed by the template — **kept deleted**:"]
        lines += [f"- `{p}`" for p in r.kept_deleted]
    if r.team_changes:
        lines += [
            "",
            f"Team-owned files the template changed between {r.current} and {r.target} — **not applied** "
            "(they are yours; see the changelog and bring in what you want by hand):",
        ]
        lines += [f"- `{p}`" for p in r.team_changes]
    return "\n".join(lines).strip()


def _files(r: UpgradeResult) -> str:
    if not r.files:
        return "## Files changed\n\nnone"
    rows = [
        f"- {STATUS_WORDS.get(f.status, f.status)} `{f.path}`" + (f" (from `{f.old_path}`)" if f.old_path else "")
        for f in r.files
    ]
    return "## Files changed\n\n" + "\n".join(rows)


def _how_to_merge() -> str:
    return (
        "## How to merge\n\nMerge this pull request with a **merge commit** (not squash, not rebase): "
        f"the next upgrade needs `{BASELINE_BRANCH}` in the history of `main`."
    )
