"""A GitHub API double for the tests: REST endpoints plus git smart HTTP over real bare repos."""

from tests.github_double.server import Double, Fault

__all__ = ["Double", "Fault"]
