"""A store that fails must never be answered with 2xx, and must leave nothing half-visible."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Settings
from reel.errors import ReelError, StorageUnavailable
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.session_store import BeaconWrite, SaveResult, SessionStore
from reel.storage.sql_sessions import SqlSessionStore
from reel.storage.sqlite_db import MEMORY, SqliteDatabase
from support import ORIGIN, admin_headers, post_beacon


class FailingBlobs(MemoryReplayStore):
    """A replay store whose writes fail, like a full disk."""

    def put(self, key: str, data: bytes) -> None:
        raise StorageUnavailable("disk full", retry_after=30)


class FailingRows(SqlSessionStore):
    """A session store whose beacon writes fail, like a locked database."""

    def __init__(self) -> None:
        super().__init__(SqliteDatabase(MEMORY))

    def save_beacons(self, writes: Sequence[BeaconWrite]) -> list[SaveResult | ReelError]:
        raise StorageUnavailable("database is locked")


@pytest.fixture
def make_client(settings: Settings, clock: FixedClock) -> Iterator[object]:
    clients: list[TestClient] = []

    def build(sessions: SessionStore, blobs: MemoryReplayStore) -> TestClient:
        app = create_app(settings, sessions=sessions, blobs=blobs, clock=clock)
        c = TestClient(app, headers=admin_headers(app.state.reel.operators, now_ms=clock.now_ms()))
        clients.append(c)
        return c

    yield build
    for c in clients:
        c.close()


def test_a_full_replay_store_does_not_stop_web_beacons_they_wait_in_the_buffer(
    make_client: object, beacon: BeaconMaker, clock: FixedClock
) -> None:
    sessions = memory_session_store()
    client = make_client(sessions, FailingBlobs())  # type: ignore[operator]
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    response = post_beacon(client, app, beacon(0))
    assert response.status_code == 200
    assert sessions.beacon_session("rec-1", 0) is not None and sessions.buffered_seqs("rec-1") == [0]
    assert client.get("/api/v1/sessions").json()["total"] == 1


def test_row_write_failure_answers_503(make_client: object, beacon: BeaconMaker, clock: FixedClock) -> None:
    sessions = FailingRows()
    blobs = MemoryReplayStore()
    client = make_client(sessions, blobs)  # type: ignore[operator]
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    response = post_beacon(client, app, beacon(0))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
    assert sessions.beacon_session("rec-1", 0) is None and list(blobs.keys()) == []


def test_sqlite_disk_errors_become_503(
    tmp_path: Path, settings: Settings, beacon: BeaconMaker, clock: FixedClock
) -> None:
    from reel.storage.factory import sqlite_session_store

    sessions = sqlite_session_store(tmp_path / "db.sqlite3")
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    with TestClient(
        create_app(settings, sessions=sessions, blobs=MemoryReplayStore(), clock=clock)
    ) as client:
        sessions.db._writer.execute("PRAGMA query_only=ON")  # every write now fails inside SQLite
        response = post_beacon(client, app, beacon(0))
        assert response.status_code == 503
        sessions.db._writer.execute("PRAGMA query_only=OFF")
        assert post_beacon(client, app, beacon(0)).status_code == 200
