"""`plat --version`: what is installed, where, on which Python, with which golden-path templates."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from platform_cli import config, templates
from platform_cli.errors import PlatError

DISTRIBUTION = "platform-cli"


@dataclass(frozen=True)
class VersionInfo:
    version: str
    location: str  # where the platform_cli package is installed
    python: str
    executable: str
    template_source: str
    templates: tuple[str, ...]
    template_version: str  # "unknown (...)" when the templates cannot be read

    def lines(self) -> tuple[str, ...]:
        return (
            f"plat {self.version}",
            f"installed at {self.location}",
            f"python {self.python} ({self.executable})",
            f"templates {self.template_version}: {', '.join(self.templates) or 'none'} (from {self.template_source})",
        )

    def to_json(self) -> dict[str, object]:
        return {**self.__dict__, "templates": list(self.templates)}


def describe() -> VersionInfo:
    source = config.load().settings.template_source
    try:
        template_version = templates.version(source)
    except PlatError as exc:
        template_version = f"unknown ({exc.message})"
    return VersionInfo(
        version=_installed_version(),
        location=str(Path(__file__).resolve().parents[1]),
        python=sys.version.split()[0],
        executable=sys.executable,
        template_source=str(source),
        templates=templates.available(source),
        template_version=template_version,
    )


def _installed_version() -> str:
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed as a distribution)"
