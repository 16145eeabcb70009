"""Semantic comparison of Prometheus rule files with Sloth's output: rule group names and intervals,
record/alert names, labels, annotations, and expressions after normalising whitespace and number
formatting. The deliberate differences (docs/slo.md) are normalised away here, and only these."""

from __future__ import annotations

import re
from typing import Any

import yaml

IGNORED_LABELS = ("sloth_version", "cmd")  # plat's version vs Sloth's; `cmd` is Sloth's examplesgen.sh -l flag
GUARDED = re.compile(r"^\((?P<error>.*)\)\n/\n\(\((?P<total>.*)\) > 0\)\n$", re.DOTALL)
NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?:e[+-]?\d+)?|(?<![\w.])\d+e[+-]?\d+")


def load_sloth(text: str, version: str = "dev") -> dict[str, Any]:
    """A Sloth expected-output file (its integration `.tpl` templates too)."""
    text = re.sub(r'{{"(.*?)"}}', r"\1", text).replace("{{ .version }}", version)
    return {"groups": [g for doc in yaml.safe_load_all(text) if doc for g in doc.get("groups", [])]}


def unguard(expr: str) -> str:
    """plat's `(error)/((total) > 0)` as Sloth's `(error)/(total)` (the one deliberate change to an SLI rule)."""
    found = GUARDED.match(expr)
    return f"({found['error']})\n/\n({found['total']})\n" if found else expr


def expr(text: str) -> str:
    text = NUMBER.sub(lambda m: repr(float(m.group(0))), unguard(str(text)))
    return re.sub(r"\s+", "", text)


def rule(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": r.get("record") or r.get("alert"),
        "kind": "record" if "record" in r else "alert",
        "expr": expr(r["expr"]),
        "labels": {k: str(v) for k, v in (r.get("labels") or {}).items() if k not in IGNORED_LABELS},
        "annotations": {k: " ".join(str(v).split()) for k, v in (r.get("annotations") or {}).items()},
    }


def normalise(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"group": g["name"], "interval": g.get("interval"), "rules": [rule(r) for r in g["rules"]]}
        for g in (doc or {}).get("groups", [])
    ]


def differences(ours: dict[str, Any], sloth: dict[str, Any]) -> list[str]:
    """Every difference between two rule files, one line each (empty when equivalent)."""
    a, b = normalise(ours), normalise(sloth)
    if [g["group"] for g in a] != [g["group"] for g in b]:
        return [f"groups differ: {[g['group'] for g in a]} != {[g['group'] for g in b]}"]
    out = []
    for ga, gb in zip(a, b, strict=True):
        if ga["interval"] != gb["interval"]:
            out.append(f"{ga['group']}: interval {ga['interval']} != {gb['interval']}")
        if len(ga["rules"]) != len(gb["rules"]):
            out.append(f"{ga['group']}: {len(ga['rules'])} rules != {len(gb['rules'])}")
        for ra, rb in zip(ga["rules"], gb["rules"], strict=False):  # a count difference is reported above
            for key in ("name", "kind", "expr", "labels", "annotations"):
                if ra[key] != rb[key]:
                    out.append(f"{ga['group']} {ra['name']}: {key} {ra[key]!r} != {rb[key]!r}")
    return out
