"""Answers plat computes (org, platform_repo, platform_ref, platform_version) are plat's: given through
--set or --answers-file they are refused (exit 1, one line with a hint) unless they equal plat's value."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from platform_cli.cli import app
from platform_cli.commands.adopt import AdoptRequest, adopt
from platform_cli.errors import UsageError
from platform_cli.forge.local import LocalForge
from tests.commands.test_upgrade import existing_repo, repo, run_upgrade, v1, v2  # noqa: F401 (fixtures)
from tests.test_cli import env  # noqa: F401 (fixture: PLAT_HOME, PLAT_TEMPLATE_SOURCE=mini, PLAT_ORG=acme)

SHA = "1" * 40


def new(*args: str):
    return CliRunner().invoke(
        app, ["new", "service", "payments", "--type", "mini", "--owner", "team-a", "--yes", *args]
    )


def assert_refused(result, key: str, env) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{key} is computed by plat" in lines[0] and "hint:" in lines[0], lines
    assert not (env / "payments").exists()
    assert not LocalForge(env / "plathome" / "forge").repo_exists("acme", "payments")
    assert not list((env / "plathome").glob("journal/**/payments.json"))


@pytest.mark.parametrize(
    "key, value",
    [("org", "Example-Org"), ("platform_repo", "other-platform"), ("platform_version", "9.9.9"), ("platform_ref", SHA)],
)
def test_new_refuses_a_computed_answer_given_with_set(env, key, value):
    result = new("--set", f"{key}={value}")
    assert_refused(result, key, env)
    if key != "platform_ref":  # refused before anything is published
        assert not (env / "plathome").exists()


def test_new_refuses_a_computed_answer_in_the_answers_file_also_on_a_dry_run(env):
    answers = env / "answers.yml"
    answers.write_text(yaml.safe_dump({"port": 9000, "platform_ref": SHA}))
    assert_refused(new("--answers-file", str(answers)), "platform_ref", env)
    assert_refused(new("--answers-file", str(answers), "--dry-run"), "platform_ref", env)


def test_new_accepts_computed_answers_equal_to_plats(env, mini_platform):
    first = new()
    assert first.exit_code == 0, first.output
    recorded = yaml.safe_load((env / "payments" / ".copier-answers.yml").read_text())
    sets = [f"--set={k}={recorded[k]}" for k in ("org", "platform_repo", "platform_ref", "platform_version")]
    again = CliRunner().invoke(
        app, ["new", "service", "billing", "--type", "mini", "--owner", "team-a", "--yes", *sets]
    )
    assert again.exit_code == 0, again.output
    assert "@" + recorded["platform_ref"] in (env / "billing" / ".github" / "workflows" / "ci.yml").read_text()


def test_upgrade_refuses_computed_answers_and_pins_what_it_publishes(v2, repo):
    for key, value in (("org", "Example-Org"), ("platform_ref", SHA), ("platform_version", "0.1.0")):
        with pytest.raises(UsageError, match=f"{key} is computed by plat"):
            run_upgrade(v2, repo, sets=(f"{key}={value}",))
        with pytest.raises(UsageError, match=f"{key} is computed by plat"):
            run_upgrade(v2, repo, sets=(f"{key}={value}",), dry_run=True)


def test_adopt_refuses_computed_answers(v1, tmp_path):
    repo = existing_repo(tmp_path)
    for dry_run in (True, False):
        for key, value in (("platform_repo", "other"), ("platform_ref", SHA)):
            with pytest.raises(UsageError, match=f"{key} is computed by plat"):
                adopt(
                    AdoptRequest(path=repo, template="mini", owner="team-a", sets=(f"{key}={value}",), dry_run=dry_run),
                    v1,
                    LocalForge(v1.home / "forge"),
                )
