"""HTTP server for health, readiness and metrics (and the API routes of an HTTP service).

Liveness (/healthz) answers as long as the process serves requests; readiness (/readyz)
turns 503 as soon as shutdown starts, so the load balancer drains the pod before it stops.
Every response to a route is observed (counted in http_requests_total), whatever the method:
HEAD answers like GET without a body, other known methods get 405, unknown ones the 501 that
http.server sends, and malformed requests its 400 — the availability SLO sees them all.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, Optional, Tuple

from . import metrics

Response = Tuple[int, str, bytes]
Route = Callable[["Handler"], Response]

log = logging.getLogger("app.server")


class State:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.stopping = threading.Event()


def json_response(status: int, body: object) -> Response:
    return status, "application/json", json.dumps(body).encode() + b"\n"


class Handler(BaseHTTPRequestHandler):
    server_version = "app"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    routes: Dict[str, Route] = {}
    registry: metrics.Registry
    state: State
    observe: Optional[Callable[[str, str, int, float], None]] = None

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._dispatch()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
        self._dispatch(send_body=False)

    def _not_allowed(self) -> None:
        self._dispatch(allowed=False)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _not_allowed  # noqa: N815 - http.server naming

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """http.server's own answers (400 malformed, 501 unknown method, ...): observed like the rest."""
        path = (getattr(self, "path", "") or "").split("?", 1)[0]
        self._observe(getattr(self, "command", None) or "-", path, code, time.monotonic())  # before the answer
        super().send_error(code, message, explain)

    def _dispatch(self, send_body: bool = True, allowed: bool = True) -> None:
        started = time.monotonic()
        path = self.path.split("?", 1)[0]
        if not allowed:
            status, ctype, body = json_response(405, {"error": "method not allowed"})
        elif path == "/healthz":
            status, ctype, body = json_response(200, {"status": "ok"})
        elif path == "/readyz":
            ok = self.state.ready.is_set() and not self.state.stopping.is_set()
            status, ctype, body = json_response(200 if ok else 503, {"ready": ok})
        elif path == "/metrics":
            status, ctype, body = 200, metrics.CONTENT_TYPE, self.registry.render().encode()
        elif path in self.routes:
            try:
                status, ctype, body = self.routes[path](self)
            except Exception:  # noqa: BLE001 - a route failure is a 500, never a dead server
                log.exception("unhandled error", extra={"path": path})
                status, ctype, body = json_response(500, {"error": "internal"})
        else:
            status, ctype, body = json_response(404, {"error": "not found"})
        # Observed before the answer leaves: whoever has the answer (a client, then a scrape) sees it counted.
        self._observe(self.command, path, status, started)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if status == 405:
            self.send_header("Allow", "GET, HEAD")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _observe(self, method: str, path: str, status: int, started: float) -> None:
        if self.observe is not None and path not in ("/healthz", "/readyz", "/metrics"):
            route = path if path in self.routes else "other"
            self.observe(method, route, status, time.monotonic() - started)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("request", extra={"client": self.client_address[0], "line": format % args})


def make_server(
    port: int,
    registry: metrics.Registry,
    state: State,
    routes: Optional[Dict[str, Route]] = None,
    observe: Optional[Callable[[str, str, int, float], None]] = None,
    host: str = "0.0.0.0",  # noqa: S104 - the pod's network namespace; NetworkPolicy restricts access
) -> ThreadingHTTPServer:
    handler = type(
        "BoundHandler",
        (Handler,),
        {"routes": dict(routes or {}), "registry": registry, "state": state, "observe": staticmethod(observe) if observe else None},
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    return thread
