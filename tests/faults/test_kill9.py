"""Brief §8, faults: `kill -9` during load → every acknowledged beacon present exactly once after
restart, and no half-written blob visible.

A real `reel serve` (embedded SQLite + files, background processing on) takes a load of simulated
recorders on loopback while it is SIGKILLed 20 times and restarted each time. Recorders behave like
the real one: they retry on network errors, 429 and 5xx, and count a beacon as delivered only on a
2xx. Afterwards the data directory must hold every acknowledged beacon exactly once, its events whole
and equal to what was sent wherever they are now (the buffer, or a segment compacted meanwhile), and
the replay store must list no temp file.
"""

from __future__ import annotations

import gzip
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from reel.config import Settings
from reel.domain.records import Application, SessionQuery
from reel.storage.chunks import content_digest, decode_doc
from reel.storage.factory import open_replay_store, open_session_store
from reel.storage.segments import decode_segment
from reel.storage.stream import beacon_events as stored_beacon_events
from reel_process import ORIGIN, ReelProcess, prepare_data_dir
from services import Backend
from support import add_element, dashboard_snapshot, tick

pytestmark = pytest.mark.faults

KILLS = 20
RECORDERS = 6
BEACONS_PER_RECORDING = 25
BUDGET_S = 480.0
"""A safety net against a hang, not a speed claim: killing and loading stop after this long whatever
happened (about 30 s on an idle 2-core machine; at load 21, 18 kills took 194 s: restarts are slower)."""

_SEGMENT_BLOB = re.compile(r"/seg-(\d{6})-([0-9a-f]{20})$")


@dataclass
class Ledger:
    """What the recorders sent and what the server acknowledged, shared between threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    acked: set[tuple[str, int]] = field(default_factory=set)
    attempts: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)


def beacon_events(rng: random.Random, seq: int, now: int, next_id: list[int]) -> list[dict[str, Any]]:
    """A realistic batch: the page's snapshot first, then ticking text, new elements, mouse moves,
    and now and then a big text change (a few tens of KiB, as when a table re-renders)."""
    events: list[dict[str, Any]] = dashboard_snapshot(now - 5000) if seq == 0 else []
    for i in range(rng.randint(10, 40)):
        ts = now - 4000 + i * 100
        kind = rng.random()
        if kind < 0.5:
            events.append(tick(ts, str(rng.randint(0, 10**6))))
        elif kind < 0.7:
            events.append(add_element(ts, next_id[0], f"row-{next_id[0]}"))
            next_id[0] += 1
        else:
            x, y = rng.randint(0, 1280), rng.randint(0, 720)
            positions = [{"x": x, "y": y, "id": 4, "timeOffset": 0}]
            events.append({"type": 3, "timestamp": ts, "data": {"source": 1, "positions": positions}})
    if rng.random() < 0.2:
        events.append(tick(now - 50, "".join(rng.choices("abcdefgh ", k=rng.randint(10_000, 60_000)))))
    return events


def run_recorder(
    index: int, server: ReelProcess, app: Application, ledger: Ledger, stop: threading.Event
) -> None:
    rng = random.Random(index)
    url = f"{server.url}/v1/web/beacons"
    with httpx.Client(timeout=5.0) as client:
        recording_no = 0
        while not stop.is_set():
            recording = f"rec-{index}-{recording_no}"
            next_id = [100]
            for seq in range(BEACONS_PER_RECORDING):
                now = int(time.time() * 1000)
                doc = {
                    "v": 1,
                    "recording_id": recording,
                    "session_id": f"ses-{index}-{recording_no}",
                    "seq": seq,
                    "sent_at": now,
                    "final": seq == BEACONS_PER_RECORDING - 1,
                    "events": beacon_events(rng, seq, now, next_id),
                }
                body = orjson.dumps(doc)
                params = {"k": app.app_key}
                if seq % 2:
                    body = gzip.compress(body, compresslevel=1)
                    params["ce"] = "gzip"
                with ledger.lock:
                    ledger.sent[(recording, seq)] = doc["events"]
                if not deliver(client, url, params, body, ledger, stop):
                    return
                with ledger.lock:
                    ledger.acked.add((recording, seq))
            recording_no += 1


def deliver(
    client: httpx.Client,
    url: str,
    params: dict[str, str],
    body: bytes,
    ledger: Ledger,
    stop: threading.Event,
) -> bool:
    """Post until a 2xx (True), like the recorder; False when the test is over or the beacon refused."""
    headers = {"Origin": ORIGIN, "Content-Type": "text/plain;charset=UTF-8"}
    while not stop.is_set():
        try:
            response = client.post(url, params=params, content=body, headers=headers)
        except httpx.TransportError:
            with ledger.lock:
                ledger.attempts["network error"] += 1
            time.sleep(0.05)
            continue
        with ledger.lock:
            ledger.attempts[str(response.status_code)] += 1
        if 200 <= response.status_code < 300:
            return True
        if response.status_code in (408, 429) or response.status_code >= 500:
            time.sleep(0.05)
            continue
        with ledger.lock:
            ledger.refused.append(f"{response.status_code} {response.text[:200]}")
        return False
    return False


@pytest.mark.slow
def test_every_acknowledged_beacon_survives_20_kill_9(tmp_path: Path, backend: Backend) -> None:
    started = time.monotonic()
    data_dir = tmp_path / "data"
    app, _auth = prepare_data_dir(data_dir, int(time.time() * 1000), database_url=backend.database_url)
    # No rate limit: this test is about durability, and six eager recorders are far above 200/s.
    env = {"REEL_BEACONS_PER_SECOND": "0", **backend.env()}
    server = ReelProcess(data_dir, tmp_path / "reel.log", env=env)
    ledger, stop = Ledger(), threading.Event()
    rng = random.Random(7)
    kills = 0
    try:
        server.start()
        server.wait_ready()
        threads = [
            threading.Thread(target=run_recorder, args=(i, server, app, ledger, stop), daemon=True)
            for i in range(RECORDERS)
        ]
        for t in threads:
            t.start()
        while kills < KILLS and time.monotonic() - started < BUDGET_S:
            time.sleep(rng.uniform(0.15, 0.7))
            server.kill9()
            kills += 1
            server.start()
            server.wait_ready()
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=10)
        server.kill9()  # the last crash, with whatever processing was doing
        kills += 1
        server.start()  # and a restart: the stores must open cleanly after all of that
        server.wait_ready()
    finally:
        stop.set()
        server.stop()

    report = check_stores(
        Settings(data_dir=data_dir, database_url=backend.database_url, blob_url=backend.blob_url), ledger
    )
    print(
        f"\nkill -9: {kills} kills in {time.monotonic() - started:.0f} s; "
        f"{len(ledger.acked)} beacons acknowledged of {len(ledger.sent)} sent; "
        f"attempts {dict(ledger.attempts)}; {report}"
    )
    assert not ledger.refused, ledger.refused[:5]
    assert kills >= KILLS
    assert len(ledger.acked) > 100  # the load was real


def check_stores(settings: Settings, ledger: Ledger) -> str:
    """Check every invariant on the data left behind; a one-line summary of what was found."""
    sessions = open_session_store(settings.resolved_database_url)
    blobs = open_replay_store(settings.resolved_blob_url)
    try:
        recordings = sorted({rec for rec, _ in ledger.sent})
        rows = [b for rec in recordings for b in sessions.beacons(rec)]
        keys = [(b.recording_id, b.seq) for b in rows]
        duplicates = [k for k, n in Counter(keys).items() if n > 1]
        assert not duplicates, f"beacons stored twice: {duplicates[:5]}"
        missing = ledger.acked - set(keys)
        assert not missing, f"{len(missing)} acknowledged beacons missing, e.g. {sorted(missing)[:5]}"
        # Every beacon's events, wherever they are now (the buffer, or a segment compacted meanwhile),
        # exactly as sent (stored in time order) and whole, or reading them raises.
        compacted = 0
        for rec in recordings:
            own = [b for b in rows if b.recording_id == rec]
            found = stored_beacon_events(sessions, blobs, own, compacted=True)
            for seq, (stored, _size) in found.items():
                sent = sorted(ledger.sent[(rec, seq)], key=lambda e: e["timestamp"])
                assert stored == sent, f"{rec}/{seq} differs from what was sent"
            lost = {b.seq for b in own} - set(found)
            assert not lost, f"{rec}: the events of beacons {sorted(lost)[:5]} are lost"
            compacted += sum(1 for seg in sessions.segments(rec) if seg.compacted)
        listed = sessions.list_sessions(SessionQuery(limit=100_000)).sessions
        per_session = {s.id: s.beacons for s in listed if s.recording_id in set(recordings)}
        counted = Counter(b.session_id for b in rows)
        assert counted == Counter({s: n for s, n in per_session.items() if n}), "session counters drifted"
        listed_keys = list(blobs.keys())
        assert not [k for k in listed_keys if k.endswith(".tmp") or "/." in f"/{k}"], "a temp file is visible"
        for key in listed_keys:
            data = blobs.get(key)
            match = _SEGMENT_BLOB.search(key)
            if match:
                assert content_digest(data) == match.group(2), f"{key} is not whole"
                decode_segment(data)
            elif "/cp-" in key or "/kf-" in key:
                decode_doc(data)
    finally:
        sessions.close()
    unacked_stored = len(set(keys) - ledger.acked)
    return (
        f"{len(rows)} rows, 0 duplicates, 0 missing; {unacked_stored} stored but never acknowledged "
        f"(the ack was lost in a crash); {compacted} segments compacted, every one whole; "
        "no temp file visible"
    )
