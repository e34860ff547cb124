"""HTTP/1.1 by hand over a socket, for tests that care about the connection itself (resets, keep-alive,
slow bodies, Expect: 100-continue) — things an HTTP client library hides."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


def connect(base_url: str, timeout: float = 10.0) -> socket.socket:
    """A TCP connection to the server at `base_url` (loopback only in tests)."""
    parts = urlsplit(base_url)
    sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_head(method: str, target: str, headers: dict[str, str]) -> bytes:
    """The request line and headers (Host included), ready to send."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_response(sock: socket.socket) -> RawResponse:
    """One response with a Content-Length body (interim 1xx responses are skipped)."""
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            data = sock.recv(65536)
            if not data:
                raise ConnectionError(f"connection closed before a whole response head: {buffer!r}")
            buffer += data
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        if 100 <= status < 200:
            continue
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        length = int(headers.get("content-length", "0"))
        while len(buffer) < length:
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed in the middle of a response body")
            buffer += data
        return RawResponse(status, headers, buffer[:length])


def closed_by_peer(sock: socket.socket, timeout: float = 5.0) -> bool:
    """True if the server closes the connection (EOF or reset) within `timeout`."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
