"""Brief §8, faults: disk full → 503 with Retry-After, no truncated blob, recovery when space returns.

Beacons are stored in the session store's database (their events wait in its buffer), so a full disk
under the database refuses beacons with 503, and a full disk under the replay store stops only
compaction: nothing leaves the buffer until its segment is written whole. Two ways: a write that fails
with ENOSPC half-way (simulated, always runs), and a real 2 MiB tmpfs that fills up (needs root to
mount; skipped otherwise).
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Settings
from reel.domain.records import Application
from reel.processing.worker import QUIET_MS, process_pending
from reel.server.app import create_app
from reel.storage.chunks import content_digest
from reel.storage.factory import memory_session_store
from reel.storage.file_blobs import FileReplayStore
from reel.storage.stream import beacon_events
from support import ORIGIN, T0, admin_headers, make_events, post_beacon


def test_a_segment_write_cut_short_by_enospc_leaves_no_blob_and_recovers(
    tmp_path: Path,
    settings: Settings,
    clock: FixedClock,
    beacon: BeaconMaker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blobs = FileReplayStore(tmp_path / "blobs")
    sessions = memory_session_store()
    app = create_app(settings, sessions=sessions, blobs=blobs, clock=clock)
    shop = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    real_write = os.write

    def half_then_full(fd: int, data: Any) -> int:
        if len(data) > 1:
            return real_write(fd, bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    with TestClient(app) as client:
        monkeypatch.setattr("reel.storage.file_blobs.os.write", half_then_full)
        assert post_beacon(client, shop, beacon(0)).json()["duplicate"] is False  # into the buffer
        clock.advance(QUIET_MS)
        ctx = client.app.state.reel  # type: ignore[attr-defined]
        assert process_pending(ctx).compacted == 0
        assert [p for p in blobs.root.rglob("*") if p.is_file()] == []  # not even a temp file
        assert sessions.buffered_seqs("rec-1") == [0]
        monkeypatch.undo()
        assert process_pending(ctx).compacted == 1
    assert sessions.buffered_seqs("rec-1") == []
    assert [s.compacted for s in sessions.segments("rec-1")] == [True]
    stored = beacon_events(sessions, blobs, sessions.beacons("rec-1"), compacted=True)
    assert [events for events, _ in stored.values()] == [beacon(0)["events"]]
    check_no_truncated_blob(blobs)


# A real full disk


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the file system is full; returns it (delete it to free the space)."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return filler


def big_events(seq: int) -> list[dict[str, Any]]:
    """Events whose stored blob needs ~300 KiB (random text does not compress)."""
    noise = os.urandom(150 * 1024).hex()
    events = make_events(T0 + seq * 1000, 2, full=seq == 0)
    events.append({"type": 5, "timestamp": T0 + seq * 1000 + 500, "data": {"tag": "t", "payload": noise}})
    return events


def check_no_truncated_blob(blobs: FileReplayStore) -> None:
    for key in list(blobs.keys()):
        assert not key.endswith(".tmp")
        digest = key.rsplit("-", 1)[-1]
        assert content_digest(blobs.get(key)) == digest, f"{key} is truncated"


def embedded_client(settings: Settings, clock: FixedClock) -> tuple[TestClient, Application]:
    app = create_app(settings, clock=clock)
    shop = create_application(app.state.reel.sessions, "Shop", [ORIGIN], now_ms=T0)
    return TestClient(app, headers=admin_headers(app.state.reel.operators, now_ms=T0)), shop


def test_a_full_disk_under_the_replay_store_holds_compaction_back_until_space_returns(
    tiny_disk: Path, tmp_path: Path, clock: FixedClock, beacon: BeaconMaker
) -> None:
    settings = Settings(data_dir=tmp_path / "db", blob_url=f"file://{tiny_disk / 'blobs'}")
    client, shop = embedded_client(settings, clock)
    with client:
        ctx = client.app.state.reel  # type: ignore[attr-defined]
        blobs = ctx.blobs
        docs = [beacon(seq, events=big_events(seq)) for seq in range(3)]
        filler = fill(tiny_disk)
        for doc in docs:  # accepted: the database is on another disk
            assert post_beacon(client, shop, doc).json()["duplicate"] is False
        clock.advance(QUIET_MS)
        assert process_pending(ctx).compacted == 0
        check_no_truncated_blob(blobs)
        assert [p.name for p in blobs.root.rglob(".*.tmp")] == []
        assert ctx.sessions.buffered_seqs("rec-1") == [0, 1, 2]
        assert client.get("/readyz").status_code == 200  # beacons are still accepted: ready

        filler.unlink()
        assert process_pending(ctx).compacted == 1
        assert ctx.sessions.buffered_seqs("rec-1") == []
        rows = ctx.sessions.beacons("rec-1")
        stored = beacon_events(ctx.sessions, blobs, rows, compacted=True)
        assert [stored[r.seq][0] for r in rows] == [d["events"] for d in docs]
        check_no_truncated_blob(blobs)


def test_a_full_disk_under_the_database_answers_503_until_space_returns(
    tiny_disk: Path, tmp_path: Path, clock: FixedClock, beacon: BeaconMaker
) -> None:
    settings = Settings(data_dir=tiny_disk / "data", blob_url=f"file://{tmp_path / 'blobs'}")
    client, shop = embedded_client(settings, clock)
    with client:
        assert post_beacon(client, shop, beacon(0)).status_code == 200
        filler = fill(tiny_disk)
        statuses: dict[int, int] = {}
        # SQLite may still reuse room in its WAL file: go on until it needs new pages and fails.
        for seq in range(1, 400):
            doc = beacon(seq, recording_id=f"disk-{seq}", events=make_events(T0, 30, full=True))
            doc["events"].append({"type": 5, "timestamp": T0, "data": {"tag": "t", "payload": "x" * 4000}})
            response = post_beacon(client, shop, doc)
            statuses[seq] = response.status_code
            if response.status_code == 503:
                assert int(response.headers["retry-after"]) >= 1
                assert "full" in orjson.loads(response.content)["error"]["message"]
                break
        assert set(statuses.values()) <= {200, 503}
        assert 503 in statuses.values(), "the database never ran out of space"

        filler.unlink()
        failed = [seq for seq, status in statuses.items() if status == 503]
        for seq in failed:
            doc = beacon(seq, recording_id=f"disk-{seq}", events=make_events(T0, 30, full=True))
            doc["events"].append({"type": 5, "timestamp": T0, "data": {"tag": "t", "payload": "x" * 4000}})
            assert post_beacon(client, shop, doc).status_code == 200
        ctx = client.app.state.reel  # type: ignore[attr-defined]
        for seq in statuses:
            assert [r.seq for r in ctx.sessions.beacons(f"disk-{seq}")] == [seq]
        assert client.get("/readyz").status_code == 200


def test_readiness_fails_while_the_database_disk_is_full_and_recovers(
    tiny_disk: Path, tmp_path: Path, clock: FixedClock, beacon: BeaconMaker
) -> None:
    """Issue 15: `/readyz` answered 200 while every beacon got 503 on a full disk."""
    settings = Settings(data_dir=tiny_disk / "data", blob_url=f"file://{tmp_path / 'blobs'}")
    client, shop = embedded_client(settings, clock)
    with client:
        assert post_beacon(client, shop, beacon(0)).status_code == 200
        assert client.get("/readyz").status_code == 200
        filler = fill(tiny_disk)
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "full" in ready.json()["reason"]
        for seq in range(1, 400):  # until SQLite has used up the room left in its files
            doc = beacon(seq, recording_id=f"disk-{seq}", events=make_events(T0, 30, full=True))
            doc["events"].append({"type": 5, "timestamp": T0, "data": {"tag": "t", "payload": "x" * 4000}})
            if post_beacon(client, shop, doc).status_code == 503:
                break
        assert client.get("/readyz").status_code == 503
        filler.unlink()
        assert post_beacon(client, shop, beacon(1)).status_code == 200
        assert client.get("/readyz").status_code == 200
