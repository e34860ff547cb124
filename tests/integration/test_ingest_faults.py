"""A store that fails must never be answered with 2xx, and must leave nothing half-visible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Settings
from reel.domain.records import SessionKey, StoredBeacon
from reel.errors import StorageUnavailable
from reel.server.app import create_app
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_sessions import MemorySessionStore
from reel.storage.session_store import SaveResult, SessionFold
from support import ORIGIN, admin_headers, post_beacon


class FailingBlobs(MemoryReplayStore):
    """A replay store whose writes fail, like a full disk."""

    def put(self, key: str, data: bytes) -> None:
        raise StorageUnavailable("disk full", retry_after=30)


class FailingRows(MemorySessionStore):
    """A session store whose beacon writes fail, like a locked database."""

    def save_beacon(self, key: SessionKey, beacon: StoredBeacon, fold: SessionFold) -> SaveResult:
        raise StorageUnavailable("database is locked")


@pytest.fixture
def make_client(settings: Settings, clock: FixedClock) -> Iterator[object]:
    clients: list[TestClient] = []

    def build(sessions: MemorySessionStore, blobs: MemoryReplayStore) -> TestClient:
        app = create_app(settings, sessions=sessions, blobs=blobs, clock=clock)
        c = TestClient(app, headers=admin_headers(app.state.reel.operators, now_ms=clock.now_ms()))
        clients.append(c)
        return c

    yield build
    for c in clients:
        c.close()


def test_blob_write_failure_answers_503_and_stores_no_row(
    make_client: object, beacon: BeaconMaker, clock: FixedClock
) -> None:
    sessions = MemorySessionStore()
    client = make_client(sessions, FailingBlobs())  # type: ignore[operator]
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    response = post_beacon(client, app, beacon(0))
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert sessions.beacon_session("rec-1", 0) is None
    assert client.get("/api/v1/sessions").json()["total"] == 0


def test_row_write_failure_answers_503(make_client: object, beacon: BeaconMaker, clock: FixedClock) -> None:
    sessions = FailingRows()
    blobs = MemoryReplayStore()
    client = make_client(sessions, blobs)  # type: ignore[operator]
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    response = post_beacon(client, app, beacon(0))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
    # The orphan blob is harmless: no row points at it, so no reader ever sees it.
    assert sessions.beacon_session("rec-1", 0) is None


def test_sqlite_disk_errors_become_503(
    tmp_path: Path, settings: Settings, beacon: BeaconMaker, clock: FixedClock
) -> None:
    from reel.storage.sqlite_sessions import SqliteSessionStore

    sessions = SqliteSessionStore(tmp_path / "db.sqlite3")
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    with TestClient(
        create_app(settings, sessions=sessions, blobs=MemoryReplayStore(), clock=clock)
    ) as client:
        sessions._writer.execute("PRAGMA query_only=ON")  # every write now fails inside SQLite
        response = post_beacon(client, app, beacon(0))
        assert response.status_code == 503
        sessions._writer.execute("PRAGMA query_only=OFF")
        assert post_beacon(client, app, beacon(0)).status_code == 200
