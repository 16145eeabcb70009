"""Settings from flags > PLAT_* environment > user config file > platform plat.toml > defaults."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platform_cli import layout, names
from platform_cli.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent  # the running platform_cli package
PACKAGE_ROOT = PACKAGE_DIR.parent  # a source checkout for an editable install (site-packages otherwise)


def bundled_source() -> Path:
    """The golden-path content plat was installed with: package data of a built distribution
    (wheel, git or `pip install .`), else the checkout of an editable install."""
    packaged = resources.files("platform_cli").joinpath(layout.PACKAGE_DATA)
    if packaged.is_dir():
        return Path(str(packaged))
    return PACKAGE_ROOT


@dataclass(frozen=True)
class Settings:
    home: Path  # PLAT_HOME: the local forge, template store and journals live here
    template_source: Path  # the platform content: templates/, workflows/, terraform-modules/ (see layout.py)
    org: str = "local"
    forge: str = "local"
    gitops_repo: str = "gitops"
    platform_repo: str = "platform"
    platform_team: str = ""  # team slug that reviews platform-owned files (CODEOWNERS); "": the owning team alone
    environments: tuple[str, ...] = ("staging", "production")
    default_owner: str = ""
    direct_deploys: str = ""  # environments whose deploys land on the GitOps main without a pull request (comma list)
    template_url: str = ""  # a git URL of the platform repo: when set, plat checks it out at template_ref
    template_ref: str = "main"  # branch, tag (v1.2.0) or commit of template_url
    github_url: str = "https://api.github.com"  # GitHub Enterprise Server: https://HOST/api/v3


@dataclass(frozen=True)
class ResolvedSettings:
    settings: Settings
    sources: Mapping[str, str]  # field name -> where its value came from


KEYS = tuple(f.name for f in fields(Settings))


def load(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResolvedSettings:
    """Resolve settings; `environ` defaults to os.environ (tests pass their own)."""
    env = dict(os.environ if environ is None else environ)
    bundled = bundled_source()
    values: dict[str, Any] = {"home": _default_home(env), "template_source": bundled}
    sources = {key: "default" for key in KEYS}
    template_source = Path(env.get("PLAT_TEMPLATE_SOURCE") or (flags or {}).get("template_source") or bundled)
    layers = [
        (str(template_source / "plat.toml"), _read_toml(template_source / "plat.toml")),
        (str(user_config_path(env)), _read_toml(user_config_path(env))),
        ("env", _from_env(env)),
        ("flag", {k: v for k, v in (flags or {}).items() if v not in (None, "", ())}),
    ]
    for origin, layer in layers:
        for key, value in layer.items():
            values[key] = _coerce(key, value, origin)
            sources[key] = "env PLAT_" + key.upper() if origin == "env" else origin
    settings = Settings(**values)
    check_distinct(settings)
    return ResolvedSettings(settings, sources)


def user_config_path(env: Mapping[str, str]) -> Path:
    if env.get("PLAT_CONFIG"):
        return Path(env["PLAT_CONFIG"])
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return Path(base) / "plat" / "config.toml"


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, **changes)


def _default_home(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local" / "share")
    return Path(base) / "plat"


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    return {key: env[f"PLAT_{key.upper()}"] for key in KEYS if env.get(f"PLAT_{key.upper()}")}


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot parse {path}: {exc}", hint="fix the TOML syntax or remove the file") from exc
    data = data.get("plat", data)  # plat.toml may keep settings under [plat]
    if not isinstance(data, dict):
        raise ConfigError(f"`plat` in {path} must be a table of settings", hint="write [plat] on a line of its own")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"unknown setting(s) in {path}: {', '.join(unknown)}",
            hint=f"known settings: {', '.join(KEYS)}",
        )
    return data


def _coerce(key: str, value: Any, origin: str) -> Any:
    if key in ("home", "template_source"):
        return _path(key, value, origin)
    if key == "environments":
        return _environments(value, origin)
    if not isinstance(value, str):
        raise ConfigError(f"setting {key} from {origin} must be a string, got {value!r}", hint="quote the value")
    return CHECKS.get(key, lambda _k, v, _o: v)(key, value.strip(), origin)


def _path(key: str, value: Any, origin: str) -> Path:
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise ConfigError(f"setting {key} from {origin} must be a path, got {value!r}", hint="quote the value")
    path = Path(value).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"{key} {path} (from {origin}) is a file, not a directory",
            hint=f"point {'PLAT_HOME' if key == 'home' else key} at a directory (it is created when missing)",
        )
    return path


def _environments(value: Any, origin: str) -> tuple[str, ...]:
    """A list of environment names, or one comma-separated string (PLAT_ENVIRONMENTS)."""
    if not isinstance(value, (str, list, tuple)):
        raise ConfigError(
            f"environments from {origin} must be a list of names, got {value!r}",
            hint='e.g. environments = ["staging", "production"]',
        )
    items = value.split(",") if isinstance(value, str) else value
    envs = tuple(item.strip() if isinstance(item, str) else item for item in items)
    envs = tuple(e for e in envs if e != "")
    if not envs:
        raise ConfigError(f"environments from {origin} is empty", hint='e.g. environments = ["staging", "production"]')
    if len(set(envs)) != len(envs):
        raise ConfigError(f"environments from {origin} names one twice: {list(envs)}", hint="list each once")
    return tuple(names.check_environment(e, origin) for e in envs)


def _github_url(key: str, value: str, origin: str) -> str:
    """An https:// API URL; plain http:// only to this machine (a test double, a local proxy): the
    token is sent with every call and must never cross a network in cleartext."""
    parts = urlsplit(value)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme == "https" and parts.hostname or (parts.scheme == "http" and local):
        return value
    raise ConfigError(
        f"github_url {value!r} (from {origin}) is not an https:// URL",
        hint="use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server: plat never "
        "sends the token over plain http (only to localhost)",
    )


CHECKS: dict[str, Callable[[str, str, str], str]] = {
    "org": names.check_setting_name,
    "platform_repo": names.check_setting_name,
    "gitops_repo": names.check_setting_name,
    "platform_team": names.check_team_setting,
    "default_owner": names.check_team_setting,
    "github_url": _github_url,
}


def check_distinct(settings: Settings) -> None:
    """The platform and GitOps repos are two repos."""
    if settings.platform_repo == settings.gitops_repo:
        raise ConfigError(
            f"platform_repo and gitops_repo are both {settings.platform_repo!r}",
            hint="give the GitOps repo its own name (the default is gitops)",
        )
