"""Every reference in the README and docs/ resolves: relative links to files (and their headings),
and every `plat …` command line names commands and flags the CLI really has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import typer

from platform_cli.cli import app
from tests.conftest import REPO_ROOT

DOCS = sorted([REPO_ROOT / "README.md", *(REPO_ROOT / "docs").glob("*.md")])
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
COMMAND = re.compile(r"(?:^|`|\$ )(plat (?:[^`\n|;&#>]*))")


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m[1]) for m in re.finditer(r"(?m)^#+ (.+)$", path.read_text(encoding="utf-8"))}


def _links():
    for doc in DOCS:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if not re.match(r"^[a-z]+:", target):
                yield doc, target


@pytest.mark.parametrize(("doc", "target"), list(_links()), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_relative_links_resolve(doc, target):
    file_part, _, anchor = target.partition("#")
    path = (doc.parent / file_part).resolve() if file_part else doc
    assert path.exists(), f"{doc.name} links to a missing {file_part}"
    if anchor and path.suffix == ".md":
        assert anchor in _anchors(path), f"{doc.name} links to a missing heading #{anchor} of {path.name}"


def _command_lines():
    for doc in DOCS:
        for match in COMMAND.finditer(doc.read_text(encoding="utf-8")):
            yield doc, match[1].strip()


def _resolve(words: list[str]) -> tuple[click.Command, list[str], list[str]]:
    """The command the words name, its options (with the root's and help's), and the words left."""
    root = typer.main.get_command(app)
    command, options = root, ["-h", "--help", *(o for p in root.params for o in p.opts)]
    rest = list(words)
    while rest and isinstance(command, click.Group):
        if rest[0].startswith("-"):
            rest.pop(0)
            continue
        sub = command.get_command(click.Context(command), rest[0])
        if sub is None:
            break
        command, rest = sub, rest[1:]
    return command, options + [o for p in command.params for o in (*p.opts, *p.secondary_opts)], rest


def _problems(line: str) -> list[str]:
    words = shlex.split(line.replace("…", ""))[1:]
    command, options, rest = _resolve(words)
    if isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        unknown = [w for w in rest[0].split("/") if w not in command.commands]  # `list/show/merge`: each
        if unknown:
            return [f"no command {' '.join(unknown)!r}"]
        return []
    flags = (w.split("=", 1)[0] for w in words if w.startswith("-") and w != "-")
    return [f"no flag {flag}" for flag in flags if flag not in options]


def test_every_plat_command_in_the_docs_exists_with_its_flags():
    problems = []
    for doc, line in _command_lines():
        try:
            problems += [f"{doc.name}: `{line}`: {p}" for p in _problems(line)]
        except ValueError:  # not a command line shell can split (prose after `plat`)
            continue
    assert not problems, "\n".join(problems)


def test_the_checker_catches_a_made_up_flag_or_command():
    assert _problems("plat new service x --template http-api") == ["no flag --template"]
    assert _problems("plat new service x --type http-api --owner a --set port=1") == []
    assert _problems("plat pr list/show/merge REPO") == [] and _problems("plat pr list/close") == ["no command 'close'"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_docs_stand_on_their_own(doc):
    """Users have this repo only: no pointer to the developers' own design notes."""
    assert not re.search(r"GOLDEN-PATH\.md|DESIGN\.md|\.\./shared/", doc.read_text(encoding="utf-8"))
