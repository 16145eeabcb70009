"""Worker entry point: `python -m app`.

A processing loop that takes jobs from a source, handles each one and records the outcome;
health and metrics are served on PORT. Replace `source.fetch` and `handle` with the real work.

Environment:
  PORT                     health/metrics port (default: the port chosen at render time)
  LOG_LEVEL                DEBUG, INFO (default), WARNING, ...
  POLL_INTERVAL_SECONDS    pause when the source has nothing to do (default 1)
  SHUTDOWN_DELAY_SECONDS   pause after SIGTERM before the health server stops (default 0)
"""

from __future__ import annotations

import logging
import os
import threading
import time

from . import DEFAULT_PORT, SERVICE_NAME, logs, metrics, server, signals, source

REGISTRY = metrics.Registry()
PROCESSED = REGISTRY.counter("worker_jobs_processed_total", "Jobs the worker attempted (successes and failures).")
FAILED = REGISTRY.counter("worker_jobs_failed_total", "Jobs that failed.")
DURATION = REGISTRY.histogram("worker_job_duration_seconds", "Time spent handling one job, in seconds.")
LAST_SUCCESS = REGISTRY.gauge(
    "worker_last_success_timestamp_seconds", "Unix time of the last successfully handled job."
)
OLDEST_WAITING = REGISTRY.gauge(
    "worker_oldest_waiting_job_age_seconds",
    "Age in seconds of the oldest job waiting in the source, read at scrape time (0 when none waits).",
)
HEARTBEAT = REGISTRY.gauge(
    "worker_heartbeat_timestamp_seconds", "Unix time the processing loop last ran (idle or not)."
)

log = logging.getLogger(SERVICE_NAME)


def handle(job: source.Job) -> None:
    """Do the work for one job. Raise to mark it failed."""
    if job.payload is None:
        raise ValueError("job payload is not valid JSON")
    log.info("handled job", extra={"job_id": job.id})


def process_one(src: source.Source) -> bool:
    """Fetch and handle one job; return False when there was nothing to do."""
    job = src.fetch()
    if job is None:
        return False
    started = time.monotonic()
    try:
        handle(job)
    except Exception:  # noqa: BLE001 - one failed job must not stop the worker
        FAILED.inc()
        log.exception("job failed", extra={"job_id": job.id})
        src.nack(job)
    else:
        LAST_SUCCESS.set(time.time())
        src.ack(job)
    finally:
        PROCESSED.inc()
        DURATION.observe(time.monotonic() - started)
    return True


def run(src: source.Source, stop: threading.Event, poll_interval: float) -> None:
    while not stop.is_set():
        HEARTBEAT.set(time.time())
        if not process_one(src):
            stop.wait(poll_interval)


def main() -> int:
    logs.setup(SERVICE_NAME)
    port = int(os.environ.get("PORT", DEFAULT_PORT))
    poll_interval = float(os.environ.get("POLL_INTERVAL_SECONDS", "1"))
    delay = float(os.environ.get("SHUTDOWN_DELAY_SECONDS", "0"))
    state = server.State()
    httpd = server.make_server(port, REGISTRY, state)
    stop = threading.Event()

    def shutdown(signal_name: str) -> None:
        log.info("shutdown requested", extra={"signal": signal_name})
        state.stopping.set()
        stop.set()

    signals.on_termination(shutdown)
    server.serve_in_thread(httpd)
    state.ready.set()
    log.info("worker started", extra={"port": httpd.server_address[1]})
    # The loop finishes the job in hand, then returns: in-flight work is never abandoned.
    src = source.from_env()
    OLDEST_WAITING.set_function(src.oldest_waiting_seconds)
    run(src, stop, poll_interval)
    threading.Event().wait(delay)
    httpd.shutdown()
    httpd.server_close()
    log.info("stopped")
    return 0
