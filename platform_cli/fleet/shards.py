"""A campaign split into shards for a GitHub Actions matrix: every service in exactly one shard.

Services are dealt round-robin in name order, so shards differ in size by at most one and a
service's shard depends only on the selection and N."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from platform_cli.errors import UsageError


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"


def parse(text: str) -> Shard:
    """`3/8` -> Shard(3, 8)."""
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit()) or not 1 <= int(index) <= int(count):
        raise UsageError(f"--shard {text!r} is not I/N with 1 <= I <= N", hint="e.g. --shard 3/8")
    return Shard(int(index), int(count))


def take(services: Sequence[str], shard: Shard) -> tuple[str, ...]:
    return tuple(s for i, s in enumerate(sorted(services)) if i % shard.count == shard.index - 1)


def split(services: Sequence[str], count: int) -> tuple[tuple[Shard, tuple[str, ...]], ...]:
    if count < 1:
        raise UsageError(f"--shards {count}: need at least one shard", hint="e.g. --shards 8")
    shards = (Shard(i, count) for i in range(1, count + 1))
    return tuple((s, take(services, s)) for s in shards)
