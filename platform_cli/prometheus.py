"""The only module that talks to a Prometheus server (its HTTP API, through the standard library)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from platform_cli.errors import PlatError


class PrometheusUnreachable(PlatError):
    """Prometheus did not answer, or answered with an error."""


@dataclass(frozen=True)
class Sample:
    labels: Mapping[str, str]
    value: float


class Prometheus:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def query(self, promql: str) -> tuple[Sample, ...]:
        """An instant query; returns the vector's samples."""
        endpoint = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        try:
            with urllib.request.urlopen(endpoint, timeout=self.timeout) as response:  # noqa: S310 - user-given URL
                body = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise PrometheusUnreachable(
                f"Prometheus at {self.url} did not answer: {_reason(exc)}",
                hint="check --prometheus URL and that the server is up",
            ) from exc
        if body.get("status") != "success":
            raise PrometheusUnreachable(
                f"Prometheus rejected the query: {body.get('error', 'unknown error')}",
                hint="check that the SLO rules are loaded (plat slo generate)",
            )
        result = body["data"]["result"]
        return tuple(Sample(labels=r["metric"], value=float(r["value"][1])) for r in result)


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc)
