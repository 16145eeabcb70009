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
    answers = collect(template, {"service_name": "payments"}, yes=False,
                      prompter=Prompter(input=piped, output=DummyOutput()))
    assert answers == {"service_name": "payments", "owner": "team-a", "lifecycle": "production",
                       "port": 9090, "with_database": True, "system": "payments"}


def test_yes_never_prompts(mini_platform, piped):
    template = templates.load(mini_platform, "mini")
    answers = collect(template, {"service_name": "payments", "owner": "team-a"}, yes=True,
                      prompter=Prompter(input=piped, output=DummyOutput()))
    assert answers == {"service_name": "payments", "owner": "team-a"}


def test_interrupt_at_a_prompt_is_a_clean_error(mini_platform, piped):
    template = templates.load(mini_platform, "mini")
    piped.send_text("\x03")  # ctrl-c
    with pytest.raises(UsageError, match="aborted"):
        collect(template, {"service_name": "payments"}, yes=False,
                prompter=Prompter(input=piped, output=DummyOutput()))
