"""`plat config show`: the effective settings and where each came from."""

from __future__ import annotations

from dataclasses import dataclass, fields

from platform_cli.config import ResolvedSettings


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: str
    source: str


def show(resolved: ResolvedSettings) -> tuple[SettingRow, ...]:
    rows = []
    for f in fields(resolved.settings):
        value = getattr(resolved.settings, f.name)
        text = ",".join(value) if isinstance(value, tuple) else str(value)
        rows.append(SettingRow(f.name, text, resolved.sources[f.name]))
    return tuple(rows)
