"""YAML through libyaml's C loader and dumper when PyYAML has them (10x faster on charts and rules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
YAMLError = yaml.YAMLError


def load(text: str) -> Any:
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader


def load_all(text: str) -> Iterator[Any]:
    return yaml.load_all(text, Loader=LOADER)  # noqa: S506 - a safe loader


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, sort_keys=False, width=1000)
