"""Frozen value types passed between modules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ZONES = ("platform", "shared", "team")


@dataclass(frozen=True)
class Question:
    name: str
    type: str = "str"
    help: str = ""
    default: Any = None
    choices: tuple[Any, ...] = ()
    required: bool = False  # no default: must be answered
    validator: str = ""  # the template's Jinja validator: renders an error message, or nothing

    @property
    def label(self) -> str:
        """What a person is asked: the question's help, with its name for --set."""
        return f"{self.help} [{self.name}]" if self.help else self.name


@dataclass(frozen=True)
class Ownership:
    """Which zone owns each rendered file: gitignore-style globs per zone."""

    platform: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()
    team: tuple[str, ...] = ()

    def zone_of(self, path: str) -> str | None:
        for zone in ZONES:
            if any(glob_match(pattern, path) for pattern in getattr(self, zone)):
                return zone
        return None


@dataclass(frozen=True)
class Template:
    name: str
    path: Path  # the copier template directory (holds copier.yml)
    version: str
    questions: tuple[Question, ...]
    ownership: Ownership

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)


@dataclass(frozen=True)
class PullRequest:
    id: int
    repo: str  # org/name
    title: str
    head: str
    base: str
    state: str  # open | merged | closed
    url: str
    body: str = ""


@dataclass(frozen=True)
class ChangedFile:
    """A file a pull request changes, with its unified diff (empty for binary files)."""

    path: str
    status: str  # added | modified | removed | renamed
    patch: str = ""


@dataclass(frozen=True)
class ServiceSpec:
    """Everything `plat new service` needs, validated."""

    name: str
    template: Template
    owner: str
    org: str
    answers: Mapping[str, Any]
    directory: Path


@dataclass(frozen=True)
class NewResult:
    service: str
    org: str
    template: str
    template_version: str
    directory: Path
    repo_url: str
    branch: str
    baseline_branch: str
    commit: str
    pull_request: PullRequest | None
    files: tuple[str, ...]
    gitops_repo: str = ""
    gitops_branch: str = ""
    dry_run: bool = False
    resumed_steps: tuple[str, ...] = field(default=())
    api_calls: int = 0  # REST calls this run made to the forge (0 on the local forge)

    def to_json(self) -> dict[str, Any]:
        pr = self.pull_request
        return {
            "service": self.service,
            "org": self.org,
            "template": self.template,
            "template_version": self.template_version,
            "directory": str(self.directory),
            "repo_url": self.repo_url,
            "branch": self.branch,
            "baseline_branch": self.baseline_branch,
            "commit": self.commit,
            "pull_request": None
            if pr is None
            else {
                "id": pr.id,
                "repo": pr.repo,
                "url": pr.url,
                "head": pr.head,
                "base": pr.base,
                "state": pr.state,
                "title": pr.title,
            },
            "gitops_repo": self.gitops_repo,
            "gitops_branch": self.gitops_branch,
            "files": list(self.files),
            "dry_run": self.dry_run,
            "resumed_steps": list(self.resumed_steps),
            "api_calls": self.api_calls,
        }


def glob_match(pattern: str, path: str) -> bool:
    """gitignore-style match: `**` spans directories, `*` and `?` stay within one segment."""
    return _glob_regex(pattern).fullmatch(path) is not None


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))
