"""Brief §8, load, at the scale a test can afford on loopback: 200 browsers flushing at once on unload
are all accepted under the default limits, and one app key bursting at 10x its quota gets 429 with
Retry-After while another key goes on unhindered. (The 10-minute, 500-session run is a benchmark.)"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import orjson

from reel.admin.applications import create_application
from reel.config import Limits, Settings
from reel.demo.serving import serve_in_thread
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from support import ORIGIN, T0, make_events

HEADERS = {"Origin": ORIGIN, "Content-Type": "text/plain;charset=UTF-8"}


def unload_beacon(index: int) -> bytes:
    """A final beacon close to the 60 KiB keepalive budget."""
    events = make_events(T0, 20, full=True)
    events.append({"type": 5, "timestamp": T0 + 3000, "data": {"tag": "t", "payload": "p" * 55_000}})
    doc = {
        "v": 1,
        "recording_id": f"tab-{index}",
        "session_id": "s",
        "seq": 0,
        "final": True,
        "events": events,
    }
    return orjson.dumps(doc)


def test_200_browsers_flushing_at_once_on_unload_are_all_accepted(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"))  # embedded stores, default limits
    ctx = app.state.reel
    shop = create_application(ctx.sessions, "Shop", [ORIGIN], now_ms=T0)
    bodies = [unload_beacon(i) for i in range(200)]
    statuses: list[int] = []
    lock = threading.Lock()
    with serve_in_thread(app) as url:
        start = threading.Barrier(len(bodies))

        def send(body: bytes) -> None:
            start.wait()
            response = httpx.post(
                f"{url}/v1/web/beacons", params={"k": shop.app_key}, content=body, headers=HEADERS, timeout=60
            )
            with lock:
                statuses.append(response.status_code)

        threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
    assert Counter(statuses) == Counter({200: 200})
    assert all(ctx.sessions.beacon_session(f"tab-{i}", 0) for i in range(200))
    ctx.sessions.close()


def test_one_key_at_10x_its_quota_gets_429_and_the_other_key_does_not(tmp_path: Path) -> None:
    rate, burst = 2.0, 2
    limits = Limits(beacons_per_second=rate, beacon_burst=burst)
    app = create_app(
        Settings(data_dir=tmp_path, limits=limits),
        sessions=memory_session_store(),
        blobs=MemoryReplayStore(),
        operators=MemoryOperatorStore(),
    )
    noisy = create_application(app.state.reel.sessions, "Noisy", [ORIGIN], now_ms=T0)
    quiet = create_application(app.state.reel.sessions, "Quiet", [ORIGIN], now_ms=T0)
    body = orjson.dumps({"v": 1, "recording_id": "r", "session_id": "s", "seq": 0, "events": []})
    noisy_statuses: list[int] = []
    retry_afters: set[str] = set()
    quiet_statuses: list[int] = []
    with serve_in_thread(app) as url, httpx.Client(base_url=url, headers=HEADERS, timeout=10) as client:
        started = time.monotonic()
        stop = threading.Event()

        def quiet_recorder() -> None:  # one beacon every 0.7 s: under its quota of 2/s
            seq = 0
            while not stop.is_set():
                doc = {"v": 1, "recording_id": "q", "session_id": "s", "seq": seq, "events": []}
                r = httpx.post(
                    f"{url}/v1/web/beacons",
                    params={"k": quiet.app_key},
                    content=orjson.dumps(doc),
                    headers=HEADERS,
                )
                quiet_statuses.append(r.status_code)
                seq += 1
                stop.wait(0.7)

        thread = threading.Thread(target=quiet_recorder)
        thread.start()
        # 20 beacons a second for 2 s: 10x the quota (the same seq again and again: stored once anyway).
        for i in range(40):
            response = client.post("/v1/web/beacons", params={"k": noisy.app_key}, content=body)
            noisy_statuses.append(response.status_code)
            if response.status_code == 429:
                retry_afters.add(response.headers["retry-after"])
            time.sleep(max(0.0, started + (i + 1) / 20 - time.monotonic()))
        elapsed = time.monotonic() - started
        stop.set()
        thread.join(timeout=10)
    accepted = noisy_statuses.count(200)
    assert set(noisy_statuses) == {200, 429}
    assert burst <= accepted <= burst + rate * elapsed + 1  # the bucket's own bound, not a speed claim
    assert retry_afters == {"1"}
    assert quiet_statuses and set(quiet_statuses) == {200}
