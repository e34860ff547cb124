"""Ingest on a real uvicorn server over loopback: what the connection does on refused and slow bodies.

Brief §8: a body over the cap gets its 413 without a connection reset; a slow client is timed out and
its worker freed; a rate-limited key gets 429 and can go on using its connection.
"""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from raw_http import closed_by_peer, connect, read_response, request_head
from reel.admin.applications import create_application
from reel.config import Limits, Settings
from reel.demo.serving import serve_in_thread
from reel.domain.records import Application
from reel.runtime.context import ReelContext
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from support import ORIGIN, T0, make_events

CAP = 256 * 1024


@dataclass(frozen=True)
class Live:
    url: str
    app: Application
    ctx: ReelContext

    def target(self) -> str:
        return f"/v1/web/beacons?k={self.app.app_key}"


def beacon_body(seq: int, recording: str = "rec-live") -> bytes:
    doc = {
        "v": 1,
        "recording_id": recording,
        "session_id": "ses-live",
        "seq": seq,
        "sent_at": T0,
        "events": make_events(T0 + seq * 1000, 3, full=seq == 0),
    }
    return orjson.dumps(doc)


def headers(length: int | None, **extra: str) -> dict[str, str]:
    out = {"Origin": ORIGIN, "Content-Type": "text/plain;charset=UTF-8", **extra}
    if length is not None:
        out["Content-Length"] = str(length)
    return out


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    limits = Limits(
        max_body_bytes=CAP,
        max_decompressed_bytes=1024 * 1024,
        body_idle_timeout_s=1.0,
        body_total_timeout_s=2.5,
        beacons_per_second=0.01,  # no refill within a test: the burst is all a key gets
        beacon_burst=20,
    )
    app = create_app(
        Settings(data_dir=tmp_path / "data", limits=limits),
        sessions=memory_session_store(),
        blobs=MemoryReplayStore(),
        operators=MemoryOperatorStore(),
    )
    ctx: ReelContext = app.state.reel
    application = create_application(ctx.sessions, "Shop", [ORIGIN], now_ms=T0)
    with serve_in_thread(app) as url:
        yield Live(url, application, ctx)


def test_a_body_over_the_cap_gets_413_and_the_connection_stays_usable(live: Live) -> None:
    big = b"x" * (20 * 1024 * 1024)
    with connect(live.url) as sock:
        sock.sendall(request_head("POST", live.target(), headers(len(big))) + big)
        refused = read_response(sock)
        assert refused.status == 413
        assert refused.json() == {
            "error": {"code": "payload_too_large", "message": f"body exceeds {CAP} bytes"}
        }
        assert refused.headers.get("connection") != "close"
        body = beacon_body(0)
        sock.sendall(request_head("POST", live.target(), headers(len(body))) + body)  # same connection
        assert read_response(sock).status == 200


def test_a_chunked_body_over_the_cap_gets_413_too(live: Live) -> None:
    piece = b"y" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with connect(live.url) as sock:
        sock.sendall(request_head("POST", live.target(), headers(None, **{"Transfer-Encoding": "chunked"})))
        for _ in range(64):  # 4 MiB, sixteen times the cap
            sock.sendall(chunk)
        sock.sendall(b"0\r\n\r\n")
        assert read_response(sock).status == 413


def test_a_gzip_bomb_gets_413_without_a_reset(live: Live) -> None:
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)  # 64 MiB inflated, ~64 KiB sent
    with connect(live.url) as sock:
        sock.sendall(request_head("POST", live.target() + "&ce=gzip", headers(len(bomb))) + bomb)
        response = read_response(sock)
    assert response.status == 413 and b"decompressed" in response.body


def test_expect_100_continue_over_the_cap_is_refused_before_the_body_is_sent(live: Live) -> None:
    with connect(live.url) as sock:
        sock.sendall(request_head("POST", live.target(), headers(50 * 1024 * 1024, Expect="100-continue")))
        response = read_response(sock)  # no body sent at all: the answer comes anyway
        assert response.status == 413
        assert response.headers["connection"] == "close"
        assert closed_by_peer(sock)


def test_a_client_that_stalls_mid_body_gets_408_and_is_disconnected(live: Live) -> None:
    body = beacon_body(0)
    with connect(live.url) as sock:
        sock.sendall(request_head("POST", live.target(), headers(len(body))) + body[:40])
        response = read_response(sock)  # nothing more is sent: the idle timeout (1 s) ends it
        assert response.status == 408
        assert response.json()["error"]["code"] == "request_timeout"
        assert response.headers["connection"] == "close"
        assert response.headers["access-control-allow-origin"] == "*"
        assert closed_by_peer(sock)
    assert live.ctx.sessions.beacon_session("rec-live", 0) is None


def test_a_client_trickling_its_body_gets_408_at_the_total_timeout(live: Live) -> None:
    body = beacon_body(0)
    started = time.monotonic()
    with connect(live.url) as sock:
        sock.sendall(request_head("POST", live.target(), headers(len(body))))
        sock.settimeout(0.2)
        for byte in body:  # one byte every 0.2 s: never idle for 1 s, but 2.5 s will not be enough
            sock.sendall(bytes([byte]))
            try:
                head = sock.recv(65536, socket.MSG_PEEK)  # has the server answered yet?
            except TimeoutError:
                continue
            if head:
                break
        sock.settimeout(5)
        response = read_response(sock)
    assert response.status == 408 and "longer than 2.5 s" in response.json()["error"]["message"]
    assert time.monotonic() - started < 15  # a safety net, not a speed claim


def test_a_rate_limited_key_gets_429_with_retry_after_on_a_reusable_connection(live: Live) -> None:
    other = create_application(live.ctx.sessions, "Other", [ORIGIN], now_ms=T0)
    with connect(live.url) as sock:
        statuses = []
        for seq in range(21):
            body = beacon_body(seq)
            sock.sendall(request_head("POST", live.target(), headers(len(body))) + body)
            response = read_response(sock)
            statuses.append(response.status)
        assert statuses == [200] * 20 + [429]
        assert int(response.headers["retry-after"]) >= 1
        assert response.json()["error"]["code"] == "rate_limited"
        body = beacon_body(0, recording="rec-other")
        other_target = f"/v1/web/beacons?k={other.app_key}"
        sock.sendall(request_head("POST", other_target, headers(len(body))) + body)
        assert read_response(sock).status == 200  # the other key, on the same connection


def test_a_sent_at_past_64_bits_is_400_on_a_connection_that_stays_usable(live: Live) -> None:
    with connect(live.url) as sock:
        for value in (b"1e300", b"-9223372036854775808", b"18446744073709551615"):
            body = beacon_body(0).replace(f'"sent_at":{T0}'.encode(), b'"sent_at":' + value)
            sock.sendall(request_head("POST", live.target(), headers(len(body))) + body)
            refused = read_response(sock)
            assert refused.status == 400 and refused.json()["error"]["field"] == "sent_at"
            assert refused.headers.get("connection") != "close"
        body = beacon_body(0)
        sock.sendall(request_head("POST", live.target(), headers(len(body))) + body)  # same connection
        assert read_response(sock).status == 200
