"""pytest fixtures for the GitHub double. Import them into a test module to use them."""

from __future__ import annotations

import pytest

from platform_cli.forge.github import GitHubForge
from platform_cli.forge.github_client import Credentials
from tests.github_double.server import Double


@pytest.fixture
def github_double(tmp_path_factory, monkeypatch):
    double = Double(tmp_path_factory.mktemp("github-double")).start()
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "file:http")  # the double speaks plain http on 127.0.0.1
    yield double
    double.stop()


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def make_github_forge(github_double, slept):
    def make(token: str | None = None) -> GitHubForge:
        return GitHubForge(github_double.api_url, Credentials(token=token or github_double.token), sleep=slept.append)

    return make
