"""Where an upgrade's target template version comes from.

- The template source (settings.template_source: the bundled platform repo, or a checkout of a
  platform team's fork): its `templates/VERSION` is the latest version, published on demand into
  the template store (PLAT_HOME/templates/<name>, tagged v<version>).
- Any version already published in the template store (`--to 0.2.0`, tag `v0.2.0`).
- A version tagged `v<version>` in the template source, when the template source is a git repo.
The changelog and migrations are read from the template source (they list every version).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from platform_cli import git, templates
from platform_cli.models import Template
from platform_cli.rendering import publish
from platform_cli.service_repo import ANSWERS_FILE
from platform_cli.upgrade import versions
from platform_cli.upgrade.baseline import UpgradeError


@dataclass(frozen=True)
class Target:
    template: Template
    version: str
    from_source: bool  # the template source's own version (its platform release goes with it)
    store_tag: str | None  # already published in the template store under this tag


def available(template_source: Path, store: Path) -> tuple[str, ...]:
    found = {templates.version(template_source)}
    for where in (store, template_source):
        if (where / ".git").exists():
            tags = git.tags(where)
            found |= {versions.plain(t) for t in tags if versions.is_version(t)}
    return tuple(sorted(found, key=versions.key))


def latest(template_source: Path, store: Path) -> str:
    return available(template_source, store)[-1]


@contextmanager
def target(template_source: Path, store_root: Path, name: str, to: str | None) -> Iterator[Target]:
    store = store_root / name
    wanted = versions.plain(to) if to else latest(template_source, store)
    if wanted == templates.version(template_source):
        yield Target(templates.load(template_source, name), wanted, True, None)
        return
    tag = f"v{wanted}"
    with tempfile.TemporaryDirectory(prefix="plat-target-") as tmp:
        if (store / ".git").exists() and git.ref_exists(store, f"refs/tags/{tag}"):
            root = Path(tmp)
            git.clone(str(store), root / "templates" / name, branch=tag)
            (root / "templates" / "VERSION").write_text(wanted + "\n", encoding="utf-8")
            yield Target(templates.load(root, name), wanted, False, tag)
        elif (template_source / ".git").exists() and git.ref_exists(template_source, f"refs/tags/{tag}"):
            git.clone(str(template_source), Path(tmp) / "src", branch=tag)
            yield Target(templates.load(Path(tmp) / "src", name), wanted, False, None)
        else:
            raise UpgradeError(
                f"unknown template version {wanted}", hint=f"available: {', '.join(available(template_source, store))}"
            )


def release(target: Target, store_root: Path) -> publish.Release:
    """Publish the target into the template store (a no-op when it is there already)."""
    if target.store_tag:
        store = store_root / target.template.name
        return publish.Release(str(store), target.store_tag, git.rev_parse(store, target.store_tag), target.version)
    return publish.template_release(target.template, store_root)


def unchanged_verbatim(release: publish.Release, old_tag: str, template: Template) -> frozenset[str]:
    """Rendered paths the template copies verbatim (no template suffix, no templated path) whose
    source did not change between `old_tag` and the release: their render equals the old one."""
    compared = _compare(release, old_tag, template)
    if compared is None:
        return frozenset()
    prefix, suffix, changed, files = compared
    return frozenset(
        f[len(prefix) :]
        for f in files
        if f.startswith(prefix)
        and f not in changed
        and not f.endswith(suffix)
        and "{" not in f
        and f + suffix not in files
    )


def team_changes(
    release: publish.Release, old_tag: str, template: Template, rendered: tuple[str, ...]
) -> tuple[str, ...]:
    """The team-owned files of `rendered` (the previous render) whose template source changed between
    `old_tag` and the release: an upgrade leaves them as they are, and says so."""
    compared = _compare(release, old_tag, template)
    if compared is None:
        return ()
    prefix, suffix, changed, _ = compared
    team = [p for p in rendered if p != ANSWERS_FILE and template.ownership.zone_of(p) == "team"]
    return tuple(p for p in team if prefix + p in changed or prefix + p + suffix in changed)


def _compare(
    release: publish.Release, old_tag: str, template: Template
) -> tuple[str, str, frozenset[str], frozenset[str]] | None:
    """(copier's subdirectory prefix, template suffix, paths changed since `old_tag`, paths of the
    release) in the template store; None when that cannot be known (`old_tag` not in the store, a
    templated subdirectory)."""
    store = Path(release.source)
    if not old_tag or not git.ref_exists(store, f"refs/tags/{old_tag}"):
        return None
    config = yaml.safe_load((template.path / "copier.yml").read_text(encoding="utf-8")) or {}
    suffix = config.get("_templates_suffix", ".jinja")
    prefix = str(config.get("_subdirectory") or "").strip("/")
    prefix = prefix + "/" if prefix else ""
    if not suffix or "{" in prefix:
        return None
    return (
        prefix,
        suffix,
        git.changed_paths(store, old_tag, release.tag),
        frozenset(git.tracked_files(store, release.tag)),
    )
