"""Documents in the shapes `plat dora --json` and `plat fleet status --json` print: a small fleet
written by hand (fixtures/) and a synthetic one of any size (for the scale test and bench/dashboard.py)."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATES = ("http-api", "worker", "cronjob")
VERSIONS = ("1.0.0", "1.1.0", "1.2.0", "2.0.0")
LEVELS = ("gold", "silver", "bronze", "none")
BANDS = ("elite", "high", "medium", "low")
STATES = ("merged", "current", "pr-open", "conflicts", "pending", "failed")


def small() -> Tuple[Dict[str, Any], Dict[str, Any], List[Dict[str, Any]]]:
    """dora.json, fleet.json and one campaign (campaign.json) of a fleet of five services in three teams."""
    return tuple(json.loads((FIXTURES / f"{n}.json").read_text()) for n in ("dora", "fleet")) + (  # type: ignore
        [json.loads((FIXTURES / "campaign.json").read_text())],
    )


def synthetic(services: int = 500, weeks: int = 52, seed: int = 7):
    """A fleet of `services` services in services/10 teams, `weeks` weeks of history each."""
    rnd = random.Random(seed)
    until = date(2026, 11, 30)
    since = until - timedelta(weeks=weeks)
    names = [f"svc-{i:04d}" for i in range(services)]
    teams = {n: f"team-{i % max(1, services // 10):03d}" for i, n in enumerate(names)}
    dora = {
        "window": {"since": f"{since}T00:00:00Z", "until": f"{until}T00:00:00Z"},
        "environment": "production",
        "org": _metrics(rnd, since, weeks),
        "teams": {t: _metrics(rnd, since, weeks) for t in sorted(set(teams.values()))},
        "services": {n: _metrics(rnd, since, weeks, events=True) for n in names},
        "unknown_sources": [],
    }
    rows = [_row(rnd, n, teams[n]) for n in names]
    fleet = {"org": "acme", "gitops_repo": "acme/gitops", "generated_at": f"{until}T00:00:00Z", "services": rows}
    campaigns = [
        {"to": v, "waves": 3, "waiting": None, "counts": {s: rnd.randint(0, services // 8) for s in STATES}}
        for v in VERSIONS[2:]
    ]
    return dora, fleet, campaigns


def _metrics(rnd: random.Random, since: date, weeks: int, events: bool = False) -> Dict[str, Any]:
    deployments = rnd.randint(weeks, weeks * 6)
    weekly = []
    for w in range(weeks):
        start = since + timedelta(weeks=w)
        weekly.append(
            {
                "week": f"{start.isocalendar()[0]}-W{start.isocalendar()[1]:02d}",
                "start": f"{start}T00:00:00Z",
                "deployments": rnd.randint(0, 12),
                "lead_time_median": round(rnd.uniform(600, 400000), 1),
                "change_fail_rate": round(rnd.random() / 4, 4),
                "recovery_median": rnd.choice([None, round(rnd.uniform(300, 90000), 1)]),
                "rework_rate": round(rnd.random() / 5, 4),
            }
        )
    m: Dict[str, Any] = {
        "deployments": deployments,
        "deploys_per_week": round(deployments / weeks, 3),
        "deploy_days_per_week": round(deployments / weeks / 2, 3),
        "lead_time_seconds": {
            "median": round(rnd.uniform(600, 200000), 1),
            "p90": 400000.0,
            "n": deployments * 3,
            "unknown_deploys": 0,
        },
        "change_fail_rate": round(rnd.random() / 4, 4),
        "failed_deployments": deployments // 8,
        "recovery_seconds": {
            "median": round(rnd.uniform(300, 50000), 1),
            "p90": 90000.0,
            "n": deployments // 10,
            "unrecovered": 0,
        },
        "rework_rate": round(rnd.random() / 5, 4),
        "rework_deployments": deployments // 6,
        "bands": {
            k: rnd.choice(BANDS) for k in ("deployment_frequency", "lead_time", "change_fail_rate", "recovery_time")
        }
        | {"rework_rate": None},
        "weekly": weekly,
    }
    if events:  # the siblings the dashboard reads when present
        start = datetime(since.year, since.month, since.day, tzinfo=UTC)
        m["deploys"] = [
            {
                "id": f"{rnd.getrandbits(160):040x}",
                "at": (start + timedelta(hours=rnd.randint(0, weeks * 168))).isoformat(),
                "kind": rnd.choice(("normal", "normal", "normal", "hotfix", "rollback")),
                "failed": rnd.random() < 0.1,
            }
            for _ in range(deployments)
        ]
        m["incidents"] = [
            {
                "id": f"inc-{i}",
                "title": "errors rising",
                "opened": (start + timedelta(days=7 * i)).isoformat(),
                "resolved": (start + timedelta(days=7 * i, hours=3)).isoformat(),
                "cause": None,
            }
            for i in range(rnd.randint(0, 4))
        ]
    return m


def _row(rnd: random.Random, name: str, team: str) -> Dict[str, Any]:
    template, version = rnd.choice(TEMPLATES), rnd.choice(VERSIONS)
    behind = len(VERSIONS) - 1 - VERSIONS.index(version)
    level = rnd.choice(LEVELS)
    findings = [
        {
            "id": f"PLAT-DRIFT-00{i}",
            "title": "platform-owned file drifted",
            "message": f"file {i} differs",
            "severity": "high",
            "level": "bronze",
            "file": f".github/workflows/ci{i}.yml",
            "line": 1,
            "remediation": "plat doctor --fix",
        }
        for i in range(0 if level == "gold" else rnd.randint(1, 3))
    ]
    pr = (
        {
            "number": rnd.randint(1, 99),
            "url": f"https://github.com/acme/{name}/pull/7",
            "version": VERSIONS[-1],
            "age_days": 3,
            "conflicts": rnd.random() < 0.2,
        }
        if behind
        else None
    )
    slos = {slo: round(rnd.uniform(-0.3, 1.0), 4) for slo in ("availability", "latency")}
    return {
        "service": name,
        "repo": f"acme/{name}",
        "repo_url": f"https://github.com/acme/{name}.git",
        "registration": {"state": "merged", "pull_request": None},
        "owner": team,
        "system": team,
        "environments": ["staging", "production"],
        "deployed": {"staging": None, "production": None},
        "main_sha": f"{rnd.getrandbits(160):040x}",
        "template": template,
        "version": version,
        "latest_version": VERSIONS[-1],
        "lag": {"versions": behind, "days": behind * 30},
        "doctor": {"level": level, "score": 80, "high_findings": len(findings), "cached": False, "findings": findings},
        "upgrade_pr": pr,
        "slo": {"budget_remaining": min(slos.values()), "slos": slos},
        "dora": None,
        "error": None,
    }
