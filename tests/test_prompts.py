"""Prompts driven through questionary with piped input, as a terminal user would type."""

from __future__ import annotations

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from platform_cli import templates
from platform_cli.answers import collect
from platform_cli.errors import UsageError
from platform_cli.prompts import Prompter

ENTER, BACKSPACE, DOWN = "\r", "\x7f", "\x1b[B"


@pytest.fixture
def piped():
    with create_pipe_input() as pipe:
        yield pipe


def test_one_prompt_per_missing_answer_with_validation(mini_platform, piped):
    template = templates.load(mini_platform, "mini")
    # owner: an invalid slug is refused in place, then corrected; description: empty;
    # lifecycle: second choice; port: typed; with_database: yes; system: accept the filled default.
    piped.send_text("X" + ENTER + BACKSPACE + "team-a" + ENTER)
    piped.send_text(ENTER)
    piped.send_text(DOWN + ENTER)
    piped.send_text(BACKSPACE * 4 + "9090" + ENTER)
    piped.send_text("y")
    piped.send_text(ENTER)
    answers = collect(
        template, {"service_name": "payments"}, yes=False, prompter=Prompter(input=piped, output=DummyOutput())
    )
    assert answers == {
        "service_name": "payments",
        "owner": "team-a",
        "lifecycle": "production",
        "port": 9090,
        "with_database": True,
        "system": "payments",
    }


def test_yes_never_prompts(mini_platform, piped):
    template = templates.load(mini_platform, "mini")
    answers = collect(
        template,
        {"service_name": "payments", "owner": "team-a"},
        yes=True,
        prompter=Prompter(input=piped, output=DummyOutput()),
    )
    assert answers == {"service_name": "payments", "owner": "team-a"}


def test_interrupt_at_a_prompt_is_a_clean_error(mini_platform, piped):
    template = templates.load(mini_platform, "mini")
    piped.send_text("\x03")  # ctrl-c: reaches the CLI's boundary, which exits 130 (tests/test_cli.py)
    with pytest.raises(KeyboardInterrupt):
        collect(template, {"service_name": "payments"}, yes=False, prompter=Prompter(input=piped, output=DummyOutput()))


class Screen:
    """What a person would read: the prompts' output as plain text."""

    def __init__(self) -> None:
        import io

        from prompt_toolkit.output.plain_text import PlainTextOutput

        self.buffer = io.StringIO()
        self.output = PlainTextOutput(self.buffer)

    @property
    def text(self) -> str:
        return self.buffer.getvalue()


def test_computed_defaults_are_shown_and_kept(piped):
    from tests.conftest import REPO_ROOT

    template = templates.load(REPO_ROOT, "http-api")
    piped.send_text(ENTER * 40)  # accept every default
    answers = collect(
        template,
        {"service_name": "payments", "owner": "team-a"},
        yes=False,
        prompter=Prompter(input=piped, output=DummyOutput()),
        context={"org": "Acme-Corp", "platform_repo": "platform", "platform_version": "0.1.0"},
    )
    assert answers["registry"] == "ghcr.io/acme-corp" and answers["system"] == "payments"


def test_template_validators_refuse_at_the_prompt_with_the_reason_under_it(mini_platform, piped):
    template = templates.load(mini_platform, "mini")
    screen = Screen()
    piped.send_text("team-a" + ENTER + ENTER + ENTER)  # owner, description, lifecycle
    piped.send_text(BACKSPACE * 4 + "80" + ENTER)  # port 80: the template's validator refuses it
    piped.send_text(BACKSPACE * 2 + "8081" + ENTER + "n" + ENTER)
    answers = collect(
        template, {"service_name": "payments"}, yes=False, prompter=Prompter(input=piped, output=screen.output)
    )
    assert answers["port"] == 8081
    assert "✗ port must be >= 1024" in screen.text
    assert "port [port]" in screen.text and "owning team [owner]" in screen.text, "labels are the questions' help"


def test_without_a_terminal_every_bad_answer_is_reported_at_once(mini_platform):
    template = templates.load(mini_platform, "mini")
    with pytest.raises(UsageError, match="invalid answers: port must be >= 1024") as info:
        collect(template, {"service_name": "payments", "owner": "team-a", "port": "80"}, yes=True, prompter=None)
    assert "--set port=" in info.value.hint


def test_a_taken_name_is_refused_at_the_prompt_and_no_at_the_summary_creates_nothing(settings, tmp_path, piped):
    from platform_cli.commands.new import NewRequest, new_service
    from platform_cli.forge.local import LocalForge

    forge = LocalForge(settings.home / "forge")
    forge.create_repo(settings.org, "payments")
    screen = Screen()
    piped.send_text("payments" + ENTER)  # taken on the forge: said under the prompt, asked again
    piped.send_text(BACKSPACE * 8 + "billing" + ENTER)
    piped.send_text(ENTER * 5)  # description, lifecycle, port, with_database, system: defaults
    piped.send_text("n")  # no, at the summary
    req = NewRequest(template="mini", owner="team-a")
    with pytest.raises(UsageError, match="not created"):
        new_service(req, settings, forge, cwd=tmp_path, prompter=Prompter(input=piped, output=screen.output))
    assert f"✗ repo {settings.org}/payments already exists" in screen.text
    assert "billing: mini template" in screen.text and f"{settings.org}/billing" in screen.text
    assert not forge.repo_exists(settings.org, "billing") and not (tmp_path / "billing").exists()


def test_a_name_too_long_for_its_namespaces_is_refused_at_the_prompt(settings, tmp_path, piped):
    from platform_cli.commands.new import NewRequest, new_service
    from platform_cli.forge.local import LocalForge

    screen = Screen()
    piped.send_text("a" * 50 + ENTER)  # fits a DNS label, not `<name>-production` as a Helm release
    piped.send_text(BACKSPACE * 50 + "billing" + ENTER + ENTER * 5 + "n")
    req = NewRequest(template="mini", owner="team-a")
    forge = LocalForge(settings.home / "forge")
    with pytest.raises(UsageError, match="not created"):
        new_service(req, settings, forge, cwd=tmp_path, prompter=Prompter(input=piped, output=screen.output))
    assert "✗ service name" in screen.text and "at most 42 characters" in screen.text
    assert "billing: mini template" in screen.text


def test_yes_at_the_summary_creates_the_service(settings, tmp_path, piped):
    from platform_cli.commands.new import NewRequest, new_service
    from platform_cli.forge.local import LocalForge

    forge = LocalForge(settings.home / "forge")
    piped.send_text("billing" + ENTER + ENTER * 5 + "y")
    result = new_service(
        NewRequest(template="mini", owner="team-a"),
        settings,
        forge,
        cwd=tmp_path,
        prompter=Prompter(input=piped, output=DummyOutput()),
    )
    assert result.service == "billing" and forge.repo_exists(settings.org, "billing")
