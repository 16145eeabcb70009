"""Forges plat can talk to: an explicit registry of factories."""

from __future__ import annotations

from collections.abc import Callable

from platform_cli.config import Settings
from platform_cli.errors import ConfigError
from platform_cli.forge.base import Forge


def _local(settings: Settings) -> Forge:
    from platform_cli.forge.local import LocalForge

    return LocalForge(settings.home / "forge")


def _github(settings: Settings) -> Forge:
    from platform_cli.forge.github import from_settings

    return from_settings(settings)


REGISTRY: dict[str, Callable[[Settings], Forge]] = {"local": _local, "github": _github}


def create(settings: Settings) -> Forge:
    factory = REGISTRY.get(settings.forge)
    if factory is None:
        raise ConfigError(f"unknown forge {settings.forge!r}", hint=f"choose one of: {', '.join(REGISTRY)}")
    return factory(settings)
