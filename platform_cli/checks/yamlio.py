"""YAML reading for the rules: libyaml's C loader when PyYAML has it (rendered charts are large)."""

from __future__ import annotations

from typing import Any, Iterator

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def load(text: str) -> Any:
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader


def load_all(text: str) -> Iterator[Any]:
    return yaml.load_all(text, Loader=LOADER)  # noqa: S506 - a safe loader
