"""A doctor report as SARIF 2.1.0, for code scanning upload (e.g. github/codeql-action/upload-sarif)."""

from __future__ import annotations

from typing import Any

from platform_cli import __version__
from platform_cli.checks.finding import Finding, Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


def to_sarif(report: Any, rules: dict[str, Rule]) -> dict[str, Any]:
    exempted = [(f, e) for f, e in report.exempted]
    everything = list(report.findings) + [f for f, _ in exempted]
    ids = sorted({r.id for r in report.rules_run} | {f.rule_id for f in everything})
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    results = [_result(f, index) for f in report.findings]
    results += [
        {
            **_result(f, index),
            "suppressions": [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{e.reason} (owner {e.owner}, expires {e.expires})",
                }
            ],
        }
        for f, e in exempted
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "plat doctor",
                        "version": __version__,
                        "informationUri": "https://example.invalid/plat/docs/doctor.md",
                        "rules": [_descriptor(i, rules.get(i), everything) for i in ids],
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": report.root.as_uri() + "/"}},
                "results": results,
                "properties": {
                    "level": report.level,
                    "score": report.score,
                    "template": report.template,
                    "templateVersion": report.version_in_use,
                },
            }
        ],
    }


def _descriptor(rule_id: str, rule: Rule | None, findings: list[Finding]) -> dict[str, Any]:
    sample = next((f for f in findings if f.rule_id == rule_id), None)
    title = rule.title if rule else (sample.title if sample else rule_id)
    severity = rule.severity if rule else (sample.severity if sample else "medium")
    remediation = rule.remediation if rule else (sample.remediation if sample else "")
    return {
        "id": rule_id,
        "name": "".join(w.capitalize() for w in title.replace("-", " ").split() if w.isalnum()) or rule_id,
        "shortDescription": {"text": title},
        "help": {"text": remediation or title},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(severity, "warning")},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
            "level": rule.level if rule else (sample.level if sample else "gold"),
            "tags": ["plat", "golden-path"],
        },
    }


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "level": SARIF_LEVEL.get(f.severity, "warning"),
        "message": {"text": f"{f.message}. Fix: {f.remediation}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": f.file, "uriBaseId": "SRCROOT"},
                    "region": {"startLine": f.line},
                }
            }
        ],
        "properties": {"severity": f.severity, "level": f.level, "source": f.source},
    }
