"""Percentiles as docs/delivery.md defines them: the median (mean of the two middle samples for an even
count) and the nearest-rank p90 (the ceil(0.9 n)-th smallest)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def median(samples: Sequence[float]) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def p90(samples: Sequence[float]) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return float(ordered[math.ceil(0.9 * len(ordered)) - 1])


def summary(samples: Sequence[float]) -> dict[str, float | int | None]:
    return {"median": median(samples), "p90": p90(samples), "n": len(samples)}


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
