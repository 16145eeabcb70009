"""The GitHub API double: REST + git smart HTTP on 127.0.0.1, checking credentials, injecting faults.

REST lives under /api/v3 (the GitHub Enterprise layout, so the Enterprise code path is the tested one);
git smart HTTP at /<org>/<repo>.git is served by `git http-backend` over real bare repos.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from tests.github_double.rest import Response, Rest
from tests.github_double.state import State

API = "/api/v3"
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"
SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."


@dataclass
class Fault:
    at: int  # the Nth call of `scope` (1-based)
    # 5xx | 5xx_html (a proxy's HTML page) | rate_limit (403 + Retry-After) | rate_limit_429 | primary (403,
    # remaining 0 + reset) | primary_429 (429, remaining 0 + reset, no Retry-After) | drop (before acting) |
    # drop_after (after acting) | stall (a transfer that hangs for `seconds`)
    kind: str
    scope: str = "rest"  # rest | git
    seconds: int = 1  # the Retry-After, or how far the reset lies ahead


@dataclass
class Call:
    method: str
    path: str
    status: int
    conditional: bool = False  # sent with If-None-Match (a 304 is free of rate limit on GitHub)


@dataclass
class Double:
    root: Path
    token: str = field(default="ghp_doubleTOKEN0123456789abcdef", repr=False)
    scopes: tuple[str, ...] = ("repo", "workflow", "read:org")
    app_id: str = "4242"
    state: State = field(init=False)
    faults: list[Fault] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    git_calls: list[Call] = field(default_factory=list)
    seen_authorization: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.state = State(self.root / "repos")
        self.issued: set[str] = set()
        self.counters = {"rest": 0, "git": 0}
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + API

    @property
    def counted(self) -> list[Call]:
        """The REST calls GitHub would count against the rate limit: all but the 304s."""
        return [c for c in self.calls if c.status != 304]

    def inject(self, at: int, kind: str, scope: str = "rest", seconds: int = 1) -> None:
        self.faults.append(Fault(at + self.counters[scope], kind, scope, seconds))

    def start(self) -> Double:
        double = self

        class Handler(_Handler):
            owner = double

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.rest = Rest(self.state, self.api_url)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def fault_for(self, scope: str) -> Fault | None:
        with self.state.lock:
            self.counters[scope] += 1
            n = self.counters[scope]
            return next((f for f in self.faults if f.scope == scope and f.at == n), None)

    def valid_token(self, token: str) -> bool:
        return token == self.token or token in self.issued


class _Sink:
    closed = False

    def close(self) -> None:
        pass

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    owner: Double
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls

    def log_message(self, *args) -> None:  # quiet: tests grep output for secrets
        pass

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _dispatch(self) -> None:
        body = self._read_body()
        auth = self.headers.get("Authorization", "")
        self.owner.seen_authorization.append(auth)
        parts = urlsplit(self.path)
        scope = "rest" if parts.path.startswith(API + "/") else "git"
        fault = self.owner.fault_for(scope)
        if fault and fault.kind != "drop_after" and self._fault(fault, scope):
            return
        if fault:  # drop_after: act on the request, then lose the answer (a timeout, a proxy reset)
            self.wfile = _Sink()
            self.close_connection = True
        if scope == "rest":
            self._rest(parts.path[len(API) :], parts.query, body, auth)
        else:
            self._git(parts.path, parts.query, body, auth)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _fault(self, fault: Fault, scope: str) -> bool:
        log = self.owner.calls if scope == "rest" else self.owner.git_calls
        if fault.kind == "drop":
            log.append(Call(self.command, self.path, 0))
            self.close_connection = True
            return True
        wait = str(fault.seconds)
        exhausted = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + fault.seconds)}
        primary = {"message": "API rate limit exceeded for installation ID 1."}
        if fault.kind == "5xx":
            self._send(Response(502, {"message": "Server Error"}), log)
        elif fault.kind == "5xx_html":
            self._send(Response(502, HTML_502, {"Content-Type": "text/html"}), log)
        elif fault.kind == "rate_limit":
            self._send(Response(403, {"message": SECONDARY}, {"Retry-After": wait}), log)
        elif fault.kind == "rate_limit_429":
            self._send(Response(429, {"message": SECONDARY}, {"Retry-After": wait}), log)
        elif fault.kind == "primary":
            self._send(Response(403, primary, exhausted), log)
        elif fault.kind == "primary_429":
            self._send(Response(429, primary, exhausted), log)
        elif fault.kind == "stall":  # headers and a few bytes, then silence for `seconds`: a hung transfer
            log.append(Call(self.command, self.path, 200))
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"001e# service=git-upload-pack\n")
            self.wfile.flush()
            time.sleep(fault.seconds)
            self.close_connection = True
        return True

    # --- REST ---
    def _rest(self, path: str, query: str, raw: bytes, auth: str) -> None:
        denied = self._check_rest_auth(path, auth)
        if denied:
            self._send(denied, self.owner.calls)
            return
        body = json.loads(raw) if raw else None
        response = self.owner.rest.handle(self.command, path, query, body, dict(self.headers.items()))
        if path.startswith("/app/installations/") and response.status == 201:
            self.owner.issued.add(response.body["token"])
        if self.command != "GET" and "repo" not in self.owner.scopes and response.status < 300:
            response = Response(404, {"message": "Not Found", "status": "404"}, {"X-Accepted-OAuth-Scopes": "repo"})
        self._send(response, self.owner.calls)

    def _check_rest_auth(self, path: str, auth: str) -> Response | None:
        kind, _, value = auth.partition(" ")
        if not value:
            return Response(401, {"message": "Requires authentication", "status": "401"})
        if path.startswith("/app/"):
            return (
                None
                if kind == "Bearer" and self._jwt_ok(value)
                else Response(401, {"message": "A JSON web token could not be decoded"})
            )
        if kind.lower() in ("token", "bearer") and self.owner.valid_token(value):
            return None
        return Response(401, {"message": "Bad credentials", "status": "401"})

    def _jwt_ok(self, token: str) -> bool:
        try:
            payload = token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError):
            return False
        return str(claims.get("iss")) == self.owner.app_id

    def _send(self, response: Response, log: list[Call]) -> None:
        log.append(Call(self.command, self.path, response.status, "If-None-Match" in self.headers))
        body = response.body
        data = b"" if body is None else body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(response.status)
        if "Content-Type" not in (response.headers or {}):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-OAuth-Scopes", ", ".join(self.owner.scopes))
        self.send_header("X-RateLimit-Limit", "5000")
        for key, value in (response.headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    # --- git smart HTTP ---
    def _git(self, path: str, query: str, body: bytes, auth: str) -> None:
        kind, _, value = auth.partition(" ")
        user, _, token = (
            base64.b64decode(value or "").decode(errors="replace").partition(":") if kind == "Basic" else ("", "", "")
        )
        if not self.owner.valid_token(token):
            self._raw(401, b"Unauthorized\n", {"WWW-Authenticate": 'Basic realm="GitHub"'})
            return
        org, _, rest = path.lstrip("/").partition("/")
        if self.owner.state.repo(org, rest.split("/")[0]) is None:
            self._raw(404, b"Repository not found.\n", {})
            return
        self._cgi(path, query, body)

    def _cgi(self, path: str, query: str, body: bytes) -> None:
        env = {
            "PATH": "/usr/bin:/bin",
            "GIT_PROJECT_ROOT": str(self.owner.state.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.owner.root),
            "GIT_HTTP_MAX_REQUEST_BUFFER": "100M",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        with self.owner.state.lock:
            proc = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
        head, _, payload = proc.stdout.partition(b"\r\n\r\n")
        headers, status = {}, 200
        for line in head.decode().split("\r\n"):
            key, _, val = line.partition(":")
            if key.lower() == "status":
                status = int(val.split()[0])
            elif key:
                headers[key] = val.strip()
        self._raw(status, payload, headers)

    def _raw(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.owner.git_calls.append(Call(self.command, self.path, status))
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
