"""Issue 11: a worker killed at each step of processing and compaction loses nothing and leaves nothing
half-written; a later worker finishes the work, and every acknowledged beacon's events are served exactly
once — on the embedded stores and on PostgreSQL + S3."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from compaction_child import KILLED, STEPS
from reel.config import Settings
from reel.domain.beacons import summarise_events
from reel.ingest.service import BeaconToStore, beacon_write
from reel.processing.worker import LEASE_MS, QUIET_MS
from reel.storage.factory import open_replay_store, open_session_store
from reel.storage.segments import decode_segment
from reel.storage.stream import beacon_events
from reel_process import prepare_data_dir
from services import Backend
from support import add_element, dashboard_snapshot, tick

T0 = 1_764_240_000_000
BEACONS = 12
CHILD = Path(__file__).with_name("compaction_child.py")


def recorded_beacons() -> dict[int, list[dict[str, Any]]]:
    """A dashboard visit: a snapshot, then ticks and new rows, enough events for several segments."""
    out: dict[int, list[dict[str, Any]]] = {}
    node = 500
    for seq in range(BEACONS):
        ts = T0 + seq * 5000
        events = dashboard_snapshot(ts) if seq == 0 else []
        for i in range(15):
            events.append(tick(ts + 100 + i * 300, f"{seq}.{i}"))
            if i % 5 == 0:
                events.append(add_element(ts + 150 + i * 300, node, f"row-{node}"))
                node += 1
        out[seq] = events
    return out


def run_child(settings: Settings, step: str, now_ms: int) -> int:
    env = {
        **os.environ,
        "REEL_DATA_DIR": str(settings.data_dir),
        "REEL_DATABASE_URL": settings.resolved_database_url,
        "REEL_BLOB_URL": settings.resolved_blob_url,
        "CRASH_AT": step,
        "NOW_MS": str(now_ms),
        "PYTHONPATH": os.pathsep.join([str(CHILD.parent), *sys.path]),
    }
    done = subprocess.run(
        [sys.executable, str(CHILD)], env=env, capture_output=True, timeout=300, check=False
    )
    assert done.returncode in (0, KILLED), done.stderr.decode()[-3000:]
    return done.returncode


@pytest.mark.parametrize("step", STEPS)
def test_a_worker_killed_at_any_step_loses_nothing_and_the_next_one_finishes(
    tmp_path: Path, backend: Backend, step: str
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=backend.database_url, blob_url=backend.blob_url
    )
    app, _auth = prepare_data_dir(settings.data_dir, T0, database_url=backend.database_url)
    sent = recorded_beacons()
    sessions = open_session_store(settings.resolved_database_url)
    blobs = open_replay_store(settings.resolved_blob_url)
    try:
        for seq, events in sent.items():
            beacon = BeaconToStore("rec-crash", "c-1", seq, False, 0, "web", events, summarise_events(events))
            [saved] = sessions.save_beacons([beacon_write(app, beacon, T0 + seq * 5000)])
            assert not isinstance(saved, Exception)
        quiet = T0 + BEACONS * 5000 + QUIET_MS + 1  # the visit is over: its segments are to be compacted
        assert run_child(settings, step, quiet) == KILLED, f"the worker never reached step {step!r}"
        # Another worker, once the dead one's lease has run out, on the same stores.
        assert run_child(settings, "", quiet + LEASE_MS + 1) == 0
        # Every beacon's events, exactly as sent and exactly once, from the compacted segments alone.
        rows = sessions.beacons("rec-crash")
        stored = beacon_events(sessions, blobs, rows, compacted=True)
        assert {seq: events for seq, (events, _size) in stored.items()} == sent
        segments = sessions.segments("rec-crash")
        assert len(segments) >= 3 and all(s.compacted for s in segments)
        assert sessions.buffered_seqs("rec-crash") == []
        held = [e for s in segments for e in decode_segment(blobs.get(s.blob_key)).events]
        assert len(held) == sum(len(events) for events in sent.values())
        # `stored_bytes` counts each compacted segment once, at its size in the replay store.
        segment_bytes = sum(len(blobs.get(s.blob_key)) for s in segments)
        assert [s.stored_bytes for s in segments] == [len(blobs.get(s.blob_key)) for s in segments]
        assert sessions.stored_bytes(app.id) == segment_bytes
        # Nothing half-written is visible: every blob listed reads whole.
        for key in blobs.keys(""):
            assert not key.endswith(".tmp")
            if "/seg-" in key:
                decode_segment(blobs.get(key))
    finally:
        sessions.close()
