"""A trap server for forged recordings: a loopback HTTP server that notes every connection and request.

Anything a recording makes the player load from elsewhere lands here, named by its path; a
preconnect opens a connection without a request, so connections are counted too.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BODY = b"window.parent.__xss = 'external';"


class Trap:
    """The server, its base URL (`http://127.0.0.1:PORT`), and what reached it."""

    def __init__(self) -> None:
        hits: list[str] = []
        connections: list[tuple[str, int]] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.write(BODY)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                connections.append(client_address)
                return True

        self.hits = hits
        self.connections = connections
        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
