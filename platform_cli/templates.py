"""The template catalog: which golden-path templates exist, their questions, version and ownership."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from platform_cli import yamlio
from platform_cli.errors import TemplateError
from platform_cli.models import ZONES, Ownership, Question, Template

# Answers plat fills in itself (from settings and the platform release); never prompted.
PLATFORM_ANSWERS = frozenset(
    {"org", "platform_repo", "platform_repo_url", "platform_ref", "platform_version", "platform_team"}
)


def templates_root(template_source: Path) -> Path:
    return template_source / "templates"


def available(template_source: Path) -> tuple[str, ...]:
    root = templates_root(template_source)
    if not root.is_dir():
        return ()
    return tuple(sorted(p.parent.name for p in root.glob("*/copier.yml") if (p.parent / "plat.yml").is_file()))


def version(template_source: Path) -> str:
    path = templates_root(template_source) / "VERSION"
    if not path.is_file():
        raise TemplateError(f"no template version at {path}", hint="the platform repo must carry templates/VERSION")
    return path.read_text(encoding="utf-8").strip()


def load(template_source: Path, name: str) -> Template:
    names = available(template_source)
    if name not in names:
        raise TemplateError(
            f"unknown template {name!r}",
            hint=f"choose one of: {', '.join(names) or '(none found in ' + str(templates_root(template_source)) + ')'}",
        )
    path = templates_root(template_source) / name
    config = _read_yaml(path / "copier.yml")
    return Template(
        name=name,
        path=path,
        version=version(template_source),
        questions=tuple(
            _question(key, spec) for key, spec in config.items() if not key.startswith("_") and not _hidden(spec)
        ),
        ownership=_ownership(_read_yaml(path / "plat.yml"), path / "plat.yml"),
    )


def _question(name: str, spec: Any) -> Question:
    if not isinstance(spec, dict):
        return Question(name=name, type=_type_of(spec), default=spec)
    choices = spec.get("choices") or ()
    if isinstance(choices, dict):
        choices = tuple(choices.values())
    return Question(
        name=name,
        type=str(spec.get("type", _type_of(spec.get("default")))),
        help=str(spec.get("help", "")).strip(),
        default=spec.get("default"),
        choices=tuple(choices),
        required="default" not in spec,
        validator=str(spec.get("validator") or ""),
    )


def _hidden(spec: Any) -> bool:
    """Computed questions (`when: false`) are never asked nor answered by the user."""
    return isinstance(spec, dict) and spec.get("when") is False


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "str"


def _ownership(data: dict[str, Any], path: Path) -> Ownership:
    zones = data.get("ownership") or {}
    unknown = set(zones) - set(ZONES)
    if unknown:
        raise TemplateError(f"{path}: unknown ownership zone(s) {sorted(unknown)}", hint=f"zones are {ZONES}")
    return Ownership(**{zone: tuple(zones.get(zone) or ()) for zone in ZONES})


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yamlio.load_file(path) or {}
    except (OSError, yamlio.YAMLError) as exc:
        raise TemplateError(f"cannot read {path}: {exc}", hint="fix the template file") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"{path} is not a mapping", hint="fix the template file")
    return data
