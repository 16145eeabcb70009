"""HTTP API entry point: `python -m app`.

Environment:
  PORT                     listen port (default: the port chosen at render time)
  LOG_LEVEL                DEBUG, INFO (default), WARNING, ...
  SHUTDOWN_DELAY_SECONDS   how long /readyz reports 503 before the server stops after SIGTERM,
                           so endpoints are removed before connections are refused (default 0)
"""

from __future__ import annotations

import os
import threading
from typing import Dict

from . import DEFAULT_PORT, SERVICE_NAME, logs, metrics, server, signals

REGISTRY = metrics.Registry()
REQUESTS = REGISTRY.counter(
    "http_requests_total", "HTTP requests handled, by method, route and status code.", ("method", "route", "code")
)
DURATION = REGISTRY.histogram(
    "http_request_duration_seconds", "HTTP request duration in seconds, by method and route.", ("method", "route")
)


def observe(method: str, route: str, code: int, seconds: float) -> None:
    REQUESTS.inc(method=method, route=route, code=str(code))
    DURATION.observe(seconds, method=method, route=route)


def index(_handler: server.Handler) -> server.Response:
    return server.json_response(200, {"service": SERVICE_NAME, "status": "ok"})


ROUTES: Dict[str, server.Route] = {"/": index}


def main() -> int:
    log = logs.setup(SERVICE_NAME)
    port = int(os.environ.get("PORT", DEFAULT_PORT))
    delay = float(os.environ.get("SHUTDOWN_DELAY_SECONDS", "0"))
    state = server.State()
    httpd = server.make_server(port, REGISTRY, state, routes=ROUTES, observe=observe)
    stop = threading.Event()

    def shutdown(signal_name: str) -> None:
        log.info("shutdown requested", extra={"signal": signal_name})
        state.stopping.set()
        stop.set()

    signals.on_termination(shutdown)
    server.serve_in_thread(httpd)
    state.ready.set()
    log.info("listening", extra={"port": httpd.server_address[1]})
    stop.wait()
    stop_deadline = threading.Event()
    stop_deadline.wait(delay)
    httpd.shutdown()
    httpd.server_close()
    log.info("stopped")
    return 0
