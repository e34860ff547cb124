"""Brief §8, faults: SIGTERM → readiness turns 503 first, in-flight requests finish, then Reel exits.

A real `reel serve` gets SIGTERM while a beacon is half uploaded. During the drain `/readyz` answers
503 (load balancers stop sending) while the server still serves; after it the listening socket closes,
the half-uploaded beacon still completes with its 200, and the process exits on its own.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import orjson
import pytest

from raw_http import connect, read_response, request_head
from reel_process import ORIGIN, ReelProcess, prepare_data_dir
from support import make_events

pytestmark = pytest.mark.faults

DRAIN_S = 3.0


def test_sigterm_fails_readiness_first_and_lets_the_upload_finish(tmp_path: Path) -> None:
    now = int(time.time() * 1000)
    data_dir = tmp_path / "data"
    app, auth = prepare_data_dir(data_dir, now)
    server = ReelProcess(data_dir, tmp_path / "reel.log")
    doc = {"v": 1, "recording_id": "rec-term", "session_id": "s", "seq": 0, "sent_at": now}
    doc["events"] = make_events(now - 1000, 5, full=True)
    body = orjson.dumps(doc)
    try:
        server.start("--drain-seconds", str(DRAIN_S))
        server.wait_ready()
        with connect(server.url, timeout=30) as upload:
            head = request_head(
                "POST",
                f"/v1/web/beacons?k={app.app_key}",
                {"Origin": ORIGIN, "Content-Type": "text/plain", "Content-Length": str(len(body))},
            )
            upload.sendall(head + body[:100])  # in flight: the rest comes later
            time.sleep(0.2)
            signalled = time.monotonic()
            server.signal(signal.SIGTERM)

            time.sleep(0.3)
            ready = httpx.get(f"{server.url}/readyz", timeout=5)
            assert ready.status_code == 503 and ready.json()["reason"] == "shutting down"
            assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200  # still serving

            while time.monotonic() - signalled < DRAIN_S + 1.0:
                time.sleep(0.1)
            with pytest.raises(httpx.ConnectError):  # the drain is over: no new connections
                httpx.get(f"{server.url}/readyz", timeout=2)

            upload.sendall(body[100:])
            response = read_response(upload)
        assert response.status == 200, response.body
        assert response.json() == {"ok": True, "seq": 0, "duplicate": False}
        assert server.wait_exit(timeout_s=30) == 0
    finally:
        server.stop()

    server.start()  # the acknowledged beacon is there after the restart
    try:
        server.wait_ready()
        sessions = httpx.get(f"{server.url}/api/v1/sessions", headers=auth, timeout=5).json()["sessions"]
        assert [s["recording_id"] for s in sessions] == ["rec-term"]
    finally:
        server.stop()


def test_a_second_sigterm_skips_the_rest_of_the_drain(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    prepare_data_dir(data_dir, int(time.time() * 1000))
    server = ReelProcess(data_dir, tmp_path / "reel.log")
    try:
        server.start("--drain-seconds", "60")
        server.wait_ready()
        server.signal(signal.SIGTERM)
        time.sleep(0.3)
        assert httpx.get(f"{server.url}/readyz", timeout=5).status_code == 503
        server.signal(signal.SIGTERM)
        server.wait_exit(timeout_s=20)  # far sooner than the 60 s drain
    finally:
        server.stop()
