"""The sandbox itself behaves as GitHub's runner does, on small jobs written for the purpose."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .runner import Job, run_job
from .stubs import Stub


def job(tmp_path: Path, spec: str, stubs=None, **context) -> Job:
    workspace, temp = tmp_path / "ws", tmp_path / "tmp"
    workspace.mkdir()
    temp.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(temp),
    }
    ctx = {
        "github": {"event_name": "push", "sha": "abc"},
        "inputs": {},
        "vars": {},
        "secrets": {},
        "needs": {},
        **context,
    }
    return run_job(Job("x.yml", "j", yaml.safe_load(spec), ctx, workspace, temp, env), {}, stubs or {})


def test_outputs_env_and_path_files_carry_between_steps(tmp_path):
    (tmp_path / "bin").mkdir()
    tool = tmp_path / "bin" / "hello-tool"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    done = job(
        tmp_path,
        f"""
steps:
  - id: a
    run: |
      echo "one=1" >> "$GITHUB_OUTPUT"
      {{ echo "many<<EOF"; echo "x"; echo "y"; echo "EOF"; }} >> "$GITHUB_OUTPUT"
      echo "FROM_ENV=set" >> "$GITHUB_ENV"
      echo "{tool.parent}" >> "$GITHUB_PATH"
      echo "# summary" >> "$GITHUB_STEP_SUMMARY"
  - env:
      ONE: ${{{{ steps.a.outputs.one }}}}
      MANY: ${{{{ steps.a.outputs.many }}}}
      SEEN: ${{{{ env.FROM_ENV }}}}
    run: |
      test "$ONE" = 1 && test "$MANY" = "$(printf 'x\\ny')" && test "$FROM_ENV" = set && test "$SEEN" = set
      test "$(hello-tool)" = hi
""",
    )
    assert [r.outcome for r in done.records] == ["success", "success"], done.records
    assert (done.temp / "step_summary.md").read_text() == "# summary\n"


def test_bash_runs_with_errexit_and_pipefail_and_later_steps_are_skipped(tmp_path):
    done = job(
        tmp_path,
        """
steps:
  - run: |
      false | true
      echo never
  - run: echo skipped
  - if: always()
    run: echo cleanup
  - if: failure()
    run: echo on failure
""",
    )
    assert [r.outcome for r in done.records] == ["failure", "skipped", "success", "success"]
    assert done.failed


def test_working_directory_from_defaults_must_exist(tmp_path):
    done = job(
        tmp_path,
        """
defaults:
  run:
    working-directory: ${{ inputs.dir }}
steps:
  - run: pwd
""",
        inputs={"dir": "stack"},
    )
    assert done.records[0].outcome == "failure" and "does not exist" in done.records[0].detail


def test_an_action_without_handler_or_stub_fails_and_a_stub_is_recorded_with_its_reason(tmp_path):
    stubs = {("x.yml", "Push"): Stub("needs a registry", lambda job, ctx: {"digest": "sha256:1"})}
    done = job(
        tmp_path,
        """
steps:
  - name: Push
    id: push
    uses: docker/build-push-action@0000000000000000000000000000000000000000
  - env:
      DIGEST: ${{ steps.push.outputs.digest }}
    run: test "$DIGEST" = sha256:1
  - uses: someone/unknown-action@0000000000000000000000000000000000000000
""",
        stubs=stubs,
    )
    assert [(r.step, r.outcome) for r in done.records] == [
        ("Push", "stubbed"),
        ("run", "success"),
        ("someone/unknown-action", "failure"),
    ]
    assert done.records[0].detail == "needs a registry"
    assert "no handler and no stub" in done.records[2].detail
