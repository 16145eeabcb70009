"""A local look at a built site: the standard library's HTTP server, bound to localhost only."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from platform_cli.errors import UsageError

LOCAL_HOSTS = ("127.0.0.1", "localhost")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


def server(site: Path, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server for `site` (not yet serving: call serve_forever). `port` 0 picks a free one."""
    if host not in LOCAL_HOSTS:
        raise UsageError(f"{host} is not a local address", hint="plat dashboard serve is for a local look: 127.0.0.1")
    if not (site / "index.html").is_file():
        raise UsageError(f"{site} holds no built site (no index.html)", hint="run plat dashboard build --out DIR first")
    handler = functools.partial(_Quiet, directory=str(site))
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}", hint="pick another --port") from None


def url(httpd: ThreadingHTTPServer) -> str:
    host, port = httpd.server_address[:2]
    return f"http://{host!s}:{port}/"
