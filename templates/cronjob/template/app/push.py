"""Publish run metrics: a textfile for node-exporter, or a Pushgateway POST."""

from __future__ import annotations

import os
import tempfile
import urllib.parse
import urllib.request

from . import metrics


def write_textfile(path: str, registry: metrics.Registry) -> None:
    """Write atomically (node-exporter must never read a half-written file)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".metrics-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(registry.render())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def to_gateway(url: str, job: str, registry: metrics.Registry, timeout: float = 10.0) -> None:
    """POST replaces only the metric names it carries within the group job=<job>."""
    if not url.startswith(("http://", "https://")):
        raise OSError(f"PUSHGATEWAY_URL must be an http(s) URL, got {url!r}")
    target = url.rstrip("/") + "/metrics/job/" + urllib.parse.quote(job, safe="")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        target, data=registry.render().encode(), method="POST", headers={"Content-Type": metrics.CONTENT_TYPE}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"pushgateway answered {response.status}")
