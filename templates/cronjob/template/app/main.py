"""Cron job entry point: `python -m app` runs the job once and exits.

Exit codes: 0 success, 1 the job failed, 2 invalid configuration, 143 stopped by SIGTERM
(Kubernetes counts every non-zero exit as a failed attempt and retries up to backoffLimit).

Run metrics are push-style (a run-once process is gone before Prometheus could scrape it):
  METRICS_TEXTFILE   write the metrics to this file (node-exporter textfile collector format)
  PUSHGATEWAY_URL    POST them to a Prometheus Pushgateway as job="<service name>"
Both may be set; neither is needed to run locally. See docs/runbook.md.

Other environment:
  LOG_LEVEL               DEBUG, INFO (default), WARNING, ...
  JOB_ITEMS               how many example items the skeleton job processes (default 10)
  JOB_ITEM_DELAY_SECONDS  pause per example item (default 0)
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Optional

from . import SERVICE_NAME, job, logs, metrics, push, signals

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_TERMINATED = 0, 1, 2, 128 + signal.SIGTERM

log = logging.getLogger(SERVICE_NAME)


def build_metrics(ok: bool, started: float, finished: float, items: int) -> metrics.Registry:
    registry = metrics.Registry()
    registry.gauge("cronjob_last_run_success", "1 if the last run succeeded, 0 if it failed.").set(1 if ok else 0)
    registry.gauge("cronjob_last_run_timestamp_seconds", "Unix time the last run finished.").set(finished)
    registry.gauge("cronjob_last_run_duration_seconds", "Duration of the last run in seconds.").set(finished - started)
    registry.gauge("cronjob_last_run_items", "Items processed by the last run.").set(items)
    if ok:
        # Only a successful run moves this; a failed run leaves the previous value in place
        # (pushed with POST, which replaces only the metrics it carries).
        registry.gauge("cronjob_last_success_timestamp_seconds", "Unix time of the last successful run.").set(finished)
    return registry


def publish(registry: metrics.Registry) -> None:
    textfile: Optional[str] = os.environ.get("METRICS_TEXTFILE")
    gateway: Optional[str] = os.environ.get("PUSHGATEWAY_URL")
    if textfile:
        push.write_textfile(textfile, registry)
    if gateway:
        push.to_gateway(gateway, SERVICE_NAME, registry)


def main() -> int:
    logs.setup(SERVICE_NAME)
    stop = threading.Event()

    def shutdown(signal_name: str) -> None:
        log.warning("termination requested, stopping after the current item", extra={"signal": signal_name})
        stop.set()

    signals.on_termination(shutdown)
    try:
        config = job.Config.from_env()
    except ValueError as exc:
        log.error("invalid configuration", extra={"error": str(exc)})
        return EXIT_CONFIG

    started = time.time()
    log.info("run started")
    items, code = 0, EXIT_OK
    try:
        items = job.run(config, stop)
        if stop.is_set():
            code = EXIT_TERMINATED
    except Exception:  # noqa: BLE001 - any failure is a failed run, recorded below
        log.exception("run failed")
        code = EXIT_FAILED
    finished = time.time()
    try:
        publish(build_metrics(code == EXIT_OK, started, finished, items))
    except OSError:
        log.exception("could not publish run metrics")
    log.info("run finished", extra={"exit_code": code, "items": items, "duration_seconds": round(finished - started, 3)})
    return code
