"""The answers plat computes for every render (new, upgrade, adopt): plat's settings, the template
version and the platform release the service pins (its sha and where the forge serves it).

A user never answers them; one given through --set or an answers file must agree (`refuse_computed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from platform_cli.answers import refuse_computed
from platform_cli.config import Settings
from platform_cli.forge.base import Forge, fetch_url
from platform_cli.models import Template
from platform_cli.rendering import publish


def known(settings: Settings, version: str) -> dict[str, Any]:
    """What plat knows before publishing anything: its settings and the template version."""
    return {
        "org": settings.org,
        "platform_repo": settings.platform_repo,
        "platform_version": version,
        "platform_team": settings.platform_team,
    }


def pinned(ref: str, source: str) -> dict[str, str]:
    """The platform release a render pins: its sha and the clone URL of the repo holding it."""
    return {"platform_ref": ref, "platform_repo_url": fetch_url(source)}


def declared(template: Template, values: Mapping[str, Any]) -> dict[str, Any]:
    """The subset of `values` the template asks for."""
    names = {q.name for q in template.questions}
    return {k: v for k, v in values.items() if k in names}


def release(
    settings: Settings, forge: Forge, version: str, dry_run: bool = False, cache: Path | None = None
) -> publish.Release:
    """The platform release of `version`, published on the forge if it is not yet (`dry_run`: the
    release a real run would publish, computed without publishing). `cache`: PLAT_HOME/cache unless given."""
    return publish.platform_release(
        forge,
        settings.org,
        settings.platform_repo,
        settings.template_source,
        version,
        cache or settings.home / "cache",
        dry_run=dry_run,
    )


def compute(
    settings: Settings,
    forge: Forge,
    template: Template,
    given: Mapping[str, Any],
    dry_run: bool = False,
    cache: Path | None = None,
) -> dict[str, Any]:
    """Every platform answer `template` declares, the platform release published first (`dry_run`:
    only computed); an answer in `given` that disagrees is refused before anything is published."""
    values = known(settings, template.version)
    refuse_computed(given, values)
    platform = release(settings, forge, template.version, dry_run, cache)
    values.update(pinned(platform.sha, platform.source))
    refuse_computed(given, values)
    return declared(template, values)
