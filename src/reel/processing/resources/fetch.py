"""Fetching a resource without letting a recording steer the server (the I/O edge of resource capture).

Recorded URLs are untrusted input: a forged recording can name any URL. So the fetcher resolves the host
itself, checks every address it resolves to (`policy.address_refusal`) and connects to the checked
address — never letting a second lookup pick another one (DNS rebinding). Redirects are followed by hand,
at most five, each hop checked again as a new URL. Bodies are read against a size cap and a deadline;
the Content-Type is checked before the body is read.

The resolver and the connector are seams: tests route made-up names and addresses to a loopback server,
so no test ever sends traffic anywhere but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from reel.domain.content import charset as charset_of
from reel.domain.content import declared_ok, stored_type
from reel.processing.resources.policy import FetchPolicy, Refused, Target, address_refusal, check_url

MIB = 1024 * 1024
Resolver = Callable[[str, int], list[str]]
"""(host, port) → the IP addresses it resolves to."""
Connector = Callable[[str, int, float], socket.socket]
"""(IP address, port, timeout in seconds) → a connected socket."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "Reel-resource-capture/1 (+session replay; fetches style sheets, fonts and images)"


@dataclass(frozen=True)
class FetchLimits:
    """Caps on one fetch (all of its redirects together)."""

    max_bytes: int = 10 * MIB
    connect_timeout_s: float = 5.0
    total_timeout_s: float = 20.0
    max_redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    """A body the policy allowed, with where it finally came from and what it is."""

    url: str
    content_type: str
    charset: str | None
    body: bytes


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"cannot resolve {host!r}: {exc}", transient=True) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def tcp_connector(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly this address (an IP literal: no lookup happens here)."""
    return socket.create_connection((address, port), timeout=timeout)


class SafeFetcher:
    """Fetches resource URLs under a `FetchPolicy`; raises `Refused` for anything it will not fetch."""

    def __init__(
        self,
        *,
        resolver: Resolver = system_resolver,
        connector: Connector = tcp_connector,
        limits: FetchLimits | None = None,
        ssl_context: ssl.SSLContext | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.resolver = resolver
        self.connector = connector
        self.limits = limits or FetchLimits()
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.monotonic = monotonic

    def fetch(self, url: str, policy: FetchPolicy) -> Fetched:
        """The body at `url`, following redirects; every hop is checked before anything is sent."""
        deadline = self.monotonic() + self.limits.total_timeout_s
        current = url
        for _hop in range(self.limits.max_redirects + 1):
            target = check_url(current, policy)
            address = self.checked_address(target, policy)
            location, fetched = self._request(target, address, deadline)
            if fetched is not None:
                return fetched
            current = urljoin(current, location)
        raise Refused(f"more than {self.limits.max_redirects} redirects")

    def checked_address(self, target: Target, policy: FetchPolicy) -> str:
        """The address to connect to: every resolved address must pass, so no lookup can pick a bad one."""
        addresses = self.resolver(target.host, target.port)
        if not addresses:
            raise Refused(f"{target.host!r} resolves to no address", transient=True)
        for address in addresses:
            why = address_refusal(address, policy.allow_private)
            if why is not None:
                raise Refused(f"{target.host!r} resolves to a refused address: {why}")
        return addresses[0]

    def _remaining(self, deadline: float) -> float:
        left = deadline - self.monotonic()
        if left <= 0:
            raise Refused(f"took longer than {self.limits.total_timeout_s:g} s")
        return left

    def _request(self, target: Target, address: str, deadline: float) -> tuple[str, Fetched | None]:
        """One request: (Location, None) for a redirect, ("", body) for a resource."""
        timeout = min(self.limits.connect_timeout_s, self._remaining(deadline))
        try:
            sock = self.connector(address, target.port, timeout)
        except OSError as exc:
            raise Refused(f"cannot connect to {target.host}: {exc}", transient=True) from None
        conn: http.client.HTTPConnection
        try:
            if target.scheme == "https":
                sock = self.ssl_context.wrap_socket(sock, server_hostname=target.host)
                conn = http.client.HTTPSConnection(target.host, target.port, context=self.ssl_context)
            else:
                conn = http.client.HTTPConnection(target.host, target.port)
        except (OSError, ssl.SSLError) as exc:
            sock.close()
            raise Refused(f"TLS with {target.host} failed: {exc}", transient=True) from None
        conn.sock = sock  # connected to the checked address; http.client must not connect on its own
        # A server can trickle bytes just within every read timeout; the watchdog ends the fetch at the
        # deadline whatever it is waiting for (the status line, a header, the body).
        watchdog = _Watchdog(sock, deadline - self.monotonic())
        try:
            sock.settimeout(self._remaining(deadline))
            conn.request(
                "GET",
                target.path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/css,image/*,font/*;q=0.9,*/*;q=0.1",
                    "Accept-Encoding": "identity",
                },
            )
            response = conn.getresponse()
            return self._read(target, response, sock, deadline)
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            if watchdog.fired or isinstance(exc, TimeoutError):
                raise Refused(f"took longer than {self.limits.total_timeout_s:g} s") from None
            raise Refused(f"request to {target.host} failed: {type(exc).__name__}", transient=True) from None
        finally:
            watchdog.cancel()
            conn.close()

    def _read(
        self, target: Target, response: http.client.HTTPResponse, sock: socket.socket, deadline: float
    ) -> tuple[str, Fetched | None]:
        status = response.status
        if status in _REDIRECTS:
            location = response.getheader("Location")
            if not location:
                raise Refused(f"HTTP {status} without a Location")
            return location, None
        if status != 200:
            raise Refused(f"HTTP {status}", transient=status in _TRANSIENT)
        declared = response.getheader("Content-Type")
        if not declared_ok(declared):
            raise Refused(f"content type {declared!r} is not a style sheet, image or font")
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise Refused(f"content encoding {encoding!r} was not asked for")
        cap = self.limits.max_bytes
        length = response.getheader("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > cap:
            raise Refused(f"oversized: declares {int(length)} bytes, the cap is {cap}")
        parts: list[bytes] = []
        size = 0
        while True:
            sock.settimeout(self._remaining(deadline))
            chunk = response.read1(64 * 1024)  # one receive at most, so the deadline is checked often
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                raise Refused(f"oversized: more than {cap} bytes")
            parts.append(chunk)
        if self.monotonic() >= deadline:
            raise Refused(f"took longer than {self.limits.total_timeout_s:g} s")
        body = b"".join(parts)
        kind = stored_type(declared, body)
        if kind is None:
            raise Refused(f"content type {declared!r} and the body's first bytes are no resource type")
        return "", Fetched(target.url, kind, charset_of(declared), body)


class _Watchdog:
    """Shuts a socket down when its time is up, waking whatever read is blocked on it."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.sock = sock
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()
