"""What the pages must show, computed straight from the input documents (never through plat's loader):
metric id (the pages' data-metric) -> the number in the document."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List

# the five metrics: page key -> (path in the M object, key in each weekly entry)
FIVE = {
    "deployment_frequency": (("deploys_per_week",), "deployments"),
    "lead_time": (("lead_time_seconds", "median"), "lead_time_median"),
    "change_fail_rate": (("change_fail_rate",), "change_fail_rate"),
    "recovery_time": (("recovery_seconds", "median"), "recovery_median"),
    "rework_rate": (("rework_rate",), "rework_rate"),
}


def metrics_of(m: Dict[str, Any], scope: str) -> Dict[str, Any]:
    out: Dict[str, Any] = {f"{scope}.deployments": m["deployments"]}
    for key, (path, weekly) in FIVE.items():
        value: Any = m
        for part in path:
            value = value[part]
        out[f"{scope}.{key}"] = value
        out[f"{scope}.{key}.band"] = m["bands"][key] or "no band"
        for week in m["weekly"]:
            out[f"{scope}.weekly.{week['week']}.{key}"] = week[weekly]
    return out


def expected(dora: Dict[str, Any], fleet: Dict[str, Any], campaigns: List[Dict[str, Any]]) -> Dict[str, Any]:
    out = metrics_of(dora["org"], "org")
    for team, m in dora["teams"].items():
        out.update(metrics_of(m, f"team:{team}"))
        out[f"team:{team}.deployment_frequency.summary"] = m["deploys_per_week"]
    for name, m in dora["services"].items():
        out.update(metrics_of(m, f"service:{name}"))
    rows = fleet["services"]
    for (template, version), n in Counter(
        (r["template"] or "unknown", r["version"] or "unknown") for r in rows
    ).items():
        out[f"versions.{template}.{version}"] = n
    for level, n in Counter((r["doctor"] or {}).get("level") or "unknown" for r in rows).items():
        out[f"levels.{level}"] = n
    for r in rows:
        name = r["service"]
        out[f"service:{name}.versions_behind"] = r["lag"]["versions"]
        out[f"service:{name}.high"] = (r["doctor"] or {}).get("high_findings")
        out[f"service:{name}.level"] = (r["doctor"] or {}).get("level") or "unknown"
        out[f"service:{name}.version"] = f"{r['template'] or 'unknown'} {r['version'] or 'unknown'}"
        if r["upgrade_pr"]:
            out[f"service:{name}.upgrade_pr"] = r["upgrade_pr"]["number"]
        for slo, remaining in ((r["slo"] or {}).get("slos") or {}).items():
            out[f"budget.{name}.{slo}"] = remaining
    for c in campaigns:
        for state, n in c["counts"].items():
            out[f"campaign.{c['to']}.{state}"] = n
        total = sum(c["counts"].values())
        done = c["counts"].get("merged", 0) + c["counts"].get("current", 0)
        out[f"campaign.{c['to']}.done"] = done / total if total else None
    return out
