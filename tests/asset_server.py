"""A small loopback HTTP server for resource-capture tests: fixed routes and a hit counter per path."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the server answers for one path."""

    status: int = 200
    content_type: str = "text/css"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    trickle_s: float = 0.0
    """Send the body one byte at a time with this pause in between (a slow server)."""
    declared_length: int | None = None
    """The Content-Length sent (default: the body's); -1 sends none and closes to end the body."""


@dataclass
class AssetServer:
    """A running server: its base URL, routes (editable while it runs) and hits per path."""

    url: str
    port: int
    routes: dict[str, Route]
    hits: Counter[str]

    def total_hits(self) -> int:
        return sum(self.hits.values())


@contextmanager
def asset_server(routes: dict[str, Route] | None = None) -> Iterator[AssetServer]:
    """Serve `routes` on 127.0.0.1 (a free port) until the block ends."""
    table: dict[str, Route] = dict(routes or {})
    hits: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path
            with lock:
                hits[path] += 1
            route = table.get(path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            if route.content_type:
                self.send_header("Content-Type", route.content_type)
            for name, value in route.headers.items():
                self.send_header(name, value)
            length = route.declared_length if route.declared_length is not None else len(route.body)
            if length >= 0:
                self.send_header("Content-Length", str(length))
            else:
                self.close_connection = True
            self.end_headers()
            try:
                if route.trickle_s:
                    for i in range(len(route.body)):
                        self.wfile.write(route.body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(route.trickle_s)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = int(server.server_address[1])
    try:
        yield AssetServer(f"http://127.0.0.1:{port}", port, table, hits)
    finally:
        server.shutdown()
        server.server_close()
