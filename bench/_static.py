"""A small local HTTP server for the benchmarks' own pages (the dashboard, the rrweb baseline page)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# A route answers bytes (built once) or a file (streamed); the content type goes with it.
Route = tuple[str, bytes | Path]

TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".json": "application/json"}


def route_for(path: Path) -> Route:
    """A route serving one file with the content type its suffix implies."""
    return TYPES.get(path.suffix, "application/octet-stream"), path


@contextmanager
def serve_routes(routes: dict[str, Route], port: int = 0) -> Iterator[str]:
    """Serve `routes` (path → content) on 127.0.0.1 in a thread; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = routes.get(self.path.split("?", 1)[0])
            if found is None:
                self.send_error(404)
                return
            ctype, body = found
            size = body.stat().st_size if isinstance(body, Path) else len(body)
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if isinstance(body, Path):
                with body.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        self.wfile.write(chunk)
            else:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
