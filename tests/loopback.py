"""A real HTTP server on loopback for tests: routes are plain functions.

Each route gets the request handler and writes the whole response itself, so
a test can send anything a hostile or broken partner might: redirects, huge
or compressed bodies, dropped connections, slow answers.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Each segment sent at once (TCP_NODELAY): a response's headers and its
    # body are two writes, and a body that fits in one segment otherwise waits
    # for the client's delayed acknowledgement of the headers (40 ms).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        server: LoopbackServer = self.server.owner  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        server.requests.append(self.path)
        server.headers.append(dict(self.headers))
        server.clients.append(self.client_address)
        route = server.routes.get(path)
        if route is None:
            send(self, 404, b"not found")
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    def log_message(self, format, *args) -> None:  # noqa: A002
        """Quiet: tests read the recorded requests instead."""


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    *,
    content_type: str = "text/plain",
    headers: dict[str, str] | None = None,
) -> None:
    """Write a complete response."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with a dict of routes by path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        # The client's (address, port) of each request: one port, one connection.
        self.clients: list[tuple[str, int]] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        # Do not wait at shutdown for routes still writing to a client gone away.
        self.httpd.block_on_close = False
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str = "/") -> str:
        """The full URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
