"""Prometheus metrics in the text exposition format (0.0.4), standard library only.

Only what the service needs: counters, gauges and histograms with fixed label names.
Metric names match the queries in slo.yaml and the chart's PrometheusRule.
"""

from __future__ import annotations

import math
import threading
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)

LabelValues = Tuple[str, ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _format_value(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _labels(names: Sequence[str], values: Sequence[str], extra: Sequence[Tuple[str, str]] = ()) -> str:
    pairs = list(zip(names, values)) + list(extra)
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}"


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self._lock = threading.Lock()

    def _key(self, labels: Dict[str, str]) -> LabelValues:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} expects labels {self.labelnames}, got {sorted(labels)}")
        return tuple(str(labels[n]) for n in self.labelnames)

    def header(self) -> List[str]:
        return [f"# HELP {self.name} {self.documentation}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> Iterable[str]:  # pragma: no cover - overridden
        return []


class Counter(_Metric):
    kind = "counter"

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, documentation, labelnames)
        self._values: Dict[LabelValues, float] = {}
        if not self.labelnames:
            self._values[()] = 0.0

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("counters only go up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def get(self, **labels: str) -> float:
        with self._lock:
            return self._values.get(self._key(labels), 0.0)

    def samples(self) -> Iterable[str]:
        with self._lock:
            items = sorted(self._values.items())
        for key, value in items:
            yield f"{self.name}{_labels(self.labelnames, key)} {_format_value(value)}"


class Gauge(_Metric):
    kind = "gauge"

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, documentation, labelnames)
        self._values: Dict[LabelValues, float] = {}
        self._function: Optional[Callable[[], float]] = None
        if not self.labelnames:
            self._values[()] = 0.0

    def set_function(self, function: Callable[[], float]) -> None:
        """Read the value from `function` at every scrape (an unlabelled gauge): still right when the
        code that would `set` it is stuck."""
        self._function = function

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = float(value)

    def get(self, **labels: str) -> float:
        with self._lock:
            return self._values.get(self._key(labels), 0.0)

    def samples(self) -> Iterable[str]:
        if self._function is not None:
            try:
                value = float(self._function())
            except Exception:  # noqa: BLE001 - a failing probe shows as NaN, never a failed scrape
                value = math.nan
            yield f"{self.name} {_format_value(value)}"
            return
        with self._lock:
            items = sorted(self._values.items())
        for key, value in items:
            yield f"{self.name}{_labels(self.labelnames, key)} {_format_value(value)}"


class Histogram(_Metric):
    kind = "histogram"

    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> None:
        super().__init__(name, documentation, labelnames)
        self.buckets = tuple(sorted(buckets))
        self._counts: Dict[LabelValues, List[int]] = {}
        self._sums: Dict[LabelValues, float] = {}
        if not self.labelnames:
            self._init(())

    def _init(self, key: LabelValues) -> None:
        self._counts[key] = [0] * (len(self.buckets) + 1)
        self._sums[key] = 0.0

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            if key not in self._counts:
                self._init(key)
            counts = self._counts[key]
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[i] += 1
            counts[-1] += 1
            self._sums[key] += value

    def samples(self) -> Iterable[str]:
        with self._lock:
            items = sorted((k, list(v), self._sums[k]) for k, v in self._counts.items())
        for key, counts, total in items:
            for bound, count in zip(self.buckets, counts):
                le = (("le", repr(float(bound))),)
                yield f"{self.name}_bucket{_labels(self.labelnames, key, le)} {count}"
            yield f'{self.name}_bucket{_labels(self.labelnames, key, (("le", "+Inf"),))} {counts[-1]}'
            yield f"{self.name}_sum{_labels(self.labelnames, key)} {_format_value(total)}"
            yield f"{self.name}_count{_labels(self.labelnames, key)} {counts[-1]}"


class Registry:
    """A set of metrics rendered together."""

    def __init__(self) -> None:
        self._metrics: List[_Metric] = []

    def register(self, metric: _Metric) -> _Metric:
        if any(m.name == metric.name for m in self._metrics):
            raise ValueError(f"duplicate metric {metric.name}")
        self._metrics.append(metric)
        return metric

    def counter(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> Counter:
        return self.register(Counter(name, documentation, labelnames))  # type: ignore[return-value]

    def gauge(self, name: str, documentation: str, labelnames: Sequence[str] = ()) -> Gauge:
        return self.register(Gauge(name, documentation, labelnames))  # type: ignore[return-value]

    def histogram(
        self, name: str, documentation: str, labelnames: Sequence[str] = (), buckets: Sequence[float] = DEFAULT_BUCKETS
    ) -> Histogram:
        return self.register(Histogram(name, documentation, labelnames, buckets))  # type: ignore[return-value]

    def render(self) -> str:
        lines: List[str] = []
        for metric in self._metrics:
            lines.extend(metric.header())
            lines.extend(metric.samples())
        return "\n".join(lines) + "\n"
