"""`--deep`: the external scanners (checkov, zizmor, promtool), their findings folded into doctor's."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml

from platform_cli.checks import terraform, workflows
from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found, line_of
from platform_cli.checks.tools import run

CHECKOV = Rule(
    "PLAT-DEEP-CHECKOV",
    "checkov policy check",
    "medium",
    "gold",
    "see the checkov guideline for the check id; skip inline with a written reason if it cannot apply",
)
ZIZMOR = Rule("PLAT-DEEP-ZIZMOR", "zizmor workflow audit", "medium", "gold", "see the zizmor audit documentation")
PROMTOOL = Rule(
    "PLAT-DEEP-PROMTOOL",
    "Prometheus rules valid (promtool)",
    "high",
    "gold",
    "fix the PrometheusRule built from the SLOs so `promtool check rules` passes",
)
RULES = {r.id: r for r in (CHECKOV, ZIZMOR, PROMTOOL)}
ZIZMOR_SEVERITY = {"Unknown": "low", "Informational": "info", "Low": "low", "Medium": "medium", "High": "high"}


def scanners(ctx: ServiceContext) -> dict[str, str]:
    """Which scanners will run, or why not: {name: "" | reason skipped}."""
    t = ctx.tools
    return {
        "checkov": "" if t.checkov else "checkov not installed",
        "zizmor": "" if t.zizmor else "zizmor not installed",
        "promtool": "" if t.promtool else "promtool not installed",
    }


def check(ctx: ServiceContext) -> list[Finding]:
    t = ctx.tools
    out: list[Finding] = []
    if t.checkov:
        out += _checkov(ctx, t.checkov)
    if t.zizmor and workflows.workflow_files(ctx.root):
        out += _zizmor(ctx, t.zizmor)
    if t.promtool:
        out += _promtool(ctx, t.promtool)
    return out


def _checkov(ctx: ServiceContext, checkov: str) -> list[Finding]:
    with tempfile.TemporaryDirectory(prefix="plat-doctor-") as tmp:
        dirs = _write_rendered(ctx, Path(tmp))
        frameworks = ["kubernetes"] if dirs else []
        frameworks += ["terraform"] if terraform.tf_files(ctx.root) else []
        frameworks += ["github_actions"] if workflows.workflow_files(ctx.root) else []
        if not frameworks:
            return []
        args = [
            checkov,
            "--quiet",
            "--compact",
            "-o",
            "json",
            "--skip-download",
            "--framework",
            *frameworks,
            "-d",
            str(ctx.root),
            *[a for d in dirs for a in ("-d", str(d))],
        ]
        out = run(args, env={"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_API_KEY": ""})
        rendered = {m.source for m in ctx.render.manifests or ()}
        return [_checkov_finding(item, ctx.root, rendered) for item in _checkov_failed(out.stdout)]


def _write_rendered(ctx: ServiceContext, tmp: Path) -> list[Path]:
    by_source: dict[str, list[dict[str, Any]]] = {}
    for m in ctx.render.manifests or ():
        by_source.setdefault(m.source, []).append(m.doc)
    for source, docs in by_source.items():
        path = tmp / "rendered" / source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    return [tmp / "rendered"] if by_source else []


def _checkov_failed(stdout: str) -> list[dict[str, Any]]:
    """checkov prints one JSON document per scanned directory: a report or a list of reports."""
    reports: list[Any] = []
    decoder, text, pos = json.JSONDecoder(), stdout.strip(), 0
    while pos < len(text):
        try:
            data, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break
        reports += data if isinstance(data, list) else [data]
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return [c for r in reports if isinstance(r, dict) for c in (r.get("results") or {}).get("failed_checks") or ()]


def _checkov_finding(item: dict[str, Any], root: Path, rendered: set[str]) -> Finding:
    path = str(item.get("file_path", "")).lstrip("/")
    line = (item.get("file_line_range") or [1])[0] or 1
    if path in rendered:  # a line of the rendered manifest means nothing in the chart template
        line = line_of(root / path, r"^kind:")
    f = found(
        CHECKOV,
        f"{item.get('check_id')}: {item.get('check_name')} ({item.get('resource')})",
        path,
        line,
        item.get("guideline") or CHECKOV.remediation,
    )
    return _tool(f, "checkov", f"CKV:{item.get('check_id')}", (item.get("severity") or "medium").lower())


def _zizmor(ctx: ServiceContext, zizmor: str) -> list[Finding]:
    out = run([zizmor, "--offline", "--format", "json", str(ctx.root / ".github" / "workflows")], cwd=ctx.root)
    try:
        items = json.loads(out.stdout or "[]")
    except json.JSONDecodeError:
        return []
    result = []
    for item in items:
        loc = (item.get("locations") or [{}])[0]
        where = ((loc.get("symbolic") or {}).get("key") or {}).get("Local") or {}
        row = (((loc.get("concrete") or {}).get("location") or {}).get("start_point") or {}).get("row", 0)
        path = str(where.get("verbatim_path") or where.get("given_path") or ".github/workflows")
        path = Path(path).relative_to(ctx.root).as_posix() if Path(path).is_absolute() else path
        f = found(
            ZIZMOR, f"{item.get('ident')}: {item.get('desc')}", path, row + 1, item.get("url") or ZIZMOR.remediation
        )
        sev = ZIZMOR_SEVERITY.get((item.get("determinations") or {}).get("severity", ""), "medium")
        result.append(_tool(f, "zizmor", f"ZIZMOR:{item.get('ident')}", sev))
    return result


def _promtool(ctx: ServiceContext, promtool: str) -> list[Finding]:
    rules = ctx.render.of_kind("PrometheusRule")
    result = []
    with tempfile.TemporaryDirectory(prefix="plat-doctor-") as tmp:
        for m in rules:
            path = Path(tmp) / f"{m.name}.yaml"
            path.write_text(yaml.safe_dump({"groups": (m.doc.get("spec") or {}).get("groups") or []}), encoding="utf-8")
            out = run([promtool, "check", "rules", str(path)])
            if out.code != 0:
                error = next(
                    (line for line in (out.stderr + out.stdout).splitlines() if line.strip()), "promtool failed"
                )
                result.append(_tool(found(PROMTOOL, f"PrometheusRule {m.name}: {error.strip()}", m.source), "promtool"))
    return result


def _tool(f: Finding, source: str, rule_id: str | None = None, severity: str | None = None) -> Finding:
    from dataclasses import replace

    severity = severity if severity in ("info", "low", "medium", "high", "critical") else f.severity
    return replace(f, source=source, rule_id=rule_id or f.rule_id, severity=severity)
