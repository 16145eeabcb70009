"""One validation pass before any side effect: names matched whole, every derived name short enough,
settings validated, the template's validators (cron schedules through a real parser) all run first."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from platform_cli import config, names
from platform_cli.commands.new import NewRequest, new_service
from platform_cli.config import Settings
from platform_cli.errors import ConfigError, MissingAnswersError, UsageError
from platform_cli.forge.local import LocalForge
from tests.conftest import REPO_ROOT


def attempt(tmp_path: Path, settings: Settings | None = None, **req) -> None:
    """`plat new service` with the real golden paths; it must refuse before creating anything."""
    s = settings or Settings(home=tmp_path / "home", template_source=REPO_ROOT, org="acme")
    request = NewRequest(**{"name": "payments", "owner": "team-a", "yes": True, **req})
    with pytest.raises((UsageError, ConfigError)) as info:
        new_service(request, s, LocalForge(s.home / "forge"), cwd=tmp_path)
    assert not (s.home / "forge").exists() and not (tmp_path / "payments").exists(), "something was created"
    assert info.value.hint
    return info.value


@pytest.mark.parametrize("owner", ["team-a\n", "team-", "team-a\nx", "t"])
def test_owner_is_matched_whole_and_ends_like_a_label_value(owner):
    with pytest.raises(UsageError):
        names.check_owner(owner)


@pytest.mark.parametrize("name", ["payments\n", "payments-\n"])
def test_a_trailing_newline_is_no_name(name):
    with pytest.raises(UsageError):
        names.check_service_name(name)


def test_an_answers_file_with_a_block_scalar_owner_is_refused(tmp_path):
    answers = tmp_path / "answers.yml"
    answers.write_text("owner: |\n  team-a\ndescription: fine\n")
    error = attempt(tmp_path, owner=None, answers_file=answers)
    assert "owner" in error.message


def test_every_name_derived_from_the_service_fits(tmp_path):
    error = attempt(tmp_path, name="a" * 63)
    assert "Helm" in error.message and f"{'a' * 63}-production" in error.message
    assert "at most 42 characters" in error.hint
    names.check_derived("a" * 42, ("staging", "production"))  # 53: the longest that fits


def test_a_name_that_fits_default_environments_may_not_fit_longer_ones(tmp_path):
    s = Settings(home=tmp_path / "home", template_source=REPO_ROOT, org="acme", environments=("e" * 20,))
    error = attempt(tmp_path, settings=s, name="a" * 40)
    assert "at most 32 characters" in error.hint


def test_a_service_may_not_take_the_name_of_a_repo_plat_keeps(tmp_path):
    s = Settings(home=tmp_path / "home", template_source=REPO_ROOT, org="acme", platform_repo="payments")
    error = attempt(tmp_path, settings=s)
    assert "reserved" in error.message


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("gitops_repo", "../../evil", "not a repository name"),
        ("platform_repo", "a/b", "not a repository name"),
        ("platform_repo", ".hidden", "not a repository name"),
        ("gitops_repo", "gitops.git", "not a repository name"),
        ("org", "acme corp", "not a GitHub organisation name"),
        ("org", "-acme", "not a GitHub organisation name"),
        ("platform_team", "Platform Team", "not a team slug"),
        ("default_owner", "team-", "not a team slug"),
        ("environments", "staging,Prod Uction", "not a valid environment name"),
        ("environments", "staging,staging", "twice"),
    ],
)
def test_settings_are_validated_where_they_come_from(tmp_path, key, value, words):
    with pytest.raises(ConfigError, match=words) as info:
        config.load(environ={"HOME": str(tmp_path), f"PLAT_{key.upper()}": value})
    assert f"env PLAT_{key.upper()}" in info.value.message or "env" in info.value.message
    assert info.value.hint


def test_the_platform_and_gitops_repos_are_two_repos(tmp_path):
    with pytest.raises(ConfigError, match="both 'shared'"):
        config.load(environ={"HOME": str(tmp_path), "PLAT_PLATFORM_REPO": "shared", "PLAT_GITOPS_REPO": "shared"})


@pytest.mark.parametrize("schedule", ["a b c d e", "*/0 * * * *", "61 * * * *", "* * * *", "* * * * *\n* * * * *"])
def test_a_schedule_must_be_cron(tmp_path, schedule):
    error = attempt(tmp_path, template="cronjob", sets=(f"schedule={schedule}",))
    assert "schedule" in error.message


def test_a_valid_schedule_passes():
    assert names.check_schedule("0 3 * * MON-FRI") == "0 3 * * MON-FRI"


@pytest.mark.parametrize("port", ["8080.9", "true", "80"])
def test_a_port_is_a_whole_number_in_range_never_truncated(tmp_path, port):
    error = attempt(tmp_path, sets=(f"port={port}",))
    assert "port" in error.message


def test_a_fractional_port_in_an_answers_file_is_refused(tmp_path):
    answers = tmp_path / "answers.yml"
    answers.write_text("port: 8080.9\n")
    assert "port must be a number with no fraction" in attempt(tmp_path, answers_file=answers).message


@pytest.mark.parametrize(
    "sets", [("registry=BAD REGISTRY",), ("system=Not_A_Label",), ("cost_center=-x",), ("description=two\nlines",)]
)
def test_the_templates_own_validators_run_before_anything_is_created(tmp_path, sets):
    attempt(tmp_path, sets=sets)


def test_everything_missing_or_wrong_is_listed_at_once(tmp_path):
    s = Settings(home=tmp_path / "home", template_source=REPO_ROOT, org="acme")
    req = NewRequest(yes=True, sets=("port=1", "registry=BAD REGISTRY"))
    with pytest.raises(MissingAnswersError) as info:
        new_service(req, s, LocalForge(s.home / "forge"), cwd=tmp_path)
    assert info.value.missing == ("service_name", "owner")
    message = info.value.message
    assert "port must be between 1024 and 65535" in message and "registry must be" in message


def test_copier_yml_validators_match_whole_values():
    """The copier.yml validators (what `copier copy` checks without plat) refuse a trailing newline too."""
    from platform_cli import template_logic, templates

    template = templates.load(REPO_ROOT, "cronjob")
    context = {"service_name": "payments", "org": "acme"}
    for key, good in (("owner", "team-a"), ("service_name", "payments"), ("schedule", "*/5 * * * *")):
        question = template.question(key)
        assert template_logic.error(question, good, context) is None
        assert template_logic.error(question, good + "\n", context), key
    assert template_logic.error(template.question("owner"), "team-", context)


def test_settings_keep_a_valid_configuration(tmp_path):
    loaded = config.load(
        environ={"HOME": str(tmp_path), "PLAT_ENVIRONMENTS": "dev, staging ,prod", "PLAT_ORG": "Acme-Corp"}
    )
    assert loaded.settings.environments == ("dev", "staging", "prod") and loaded.settings.org == "Acme-Corp"
    assert dataclasses.replace(loaded.settings, org="x").org == "x"
