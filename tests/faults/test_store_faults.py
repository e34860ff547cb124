"""Brief §8, faults: stores that fail. Database locked or down → 503, nothing stored half; object store
errors → 503 on reads, never an empty replay, and compaction that cannot write keeps everything in the
buffer; no code path answers 2xx after a storage exception — checked by failing each store call of the
ingest path in turn."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Settings
from reel.errors import StorageUnavailable
from reel.processing.worker import QUIET_MS, process_pending
from reel.server.app import create_app
from reel.storage.factory import memory_session_store, sqlite_session_store
from reel.storage.file_blobs import FileReplayStore
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.stream import beacon_events
from support import ORIGIN, T0, admin_headers, post_beacon


def client_for(settings: Settings, clock: FixedClock, sessions: Any, blobs: Any) -> TestClient:
    """A client that turns unexpected exceptions into the 500 a real server sends (not a test error)."""
    app = create_app(settings, sessions=sessions, blobs=blobs, clock=clock, operators=MemoryOperatorStore())
    headers = admin_headers(app.state.reel.operators, now_ms=T0)
    return TestClient(app, headers=headers, raise_server_exceptions=False)


def listed(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/api/v1/sessions").json()["sessions"]  # type: ignore[no-any-return]


# Database locked or down


@contextmanager
def database_locked(path: Path) -> Iterator[None]:
    """Another connection holds SQLite's write lock (as a long migration or a backup tool would)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_locked_database_answers_503_and_nothing_is_stored_half(
    tmp_path: Path, settings: Settings, clock: FixedClock, beacon: BeaconMaker
) -> None:
    path = tmp_path / "reel.sqlite3"
    sessions = sqlite_session_store(path, busy_timeout_ms=200)
    blobs = MemoryReplayStore()
    client = client_for(settings, clock, sessions, blobs)
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    assert post_beacon(client, app, beacon(0)).status_code == 200
    with database_locked(path):
        # A new recording must be claimed (a write) first: refused with nothing stored.
        fresh = post_beacon(client, app, beacon(0, recording_id="rec-2"))
        assert fresh.status_code == 503 and int(fresh.headers["retry-after"]) >= 1
        assert "locked" in fresh.json()["error"]["message"]
        # A known recording's beacon: its row and its events are one transaction, refused whole.
        known = post_beacon(client, app, beacon(1))
        assert known.status_code == 503
        assert [s["beacons"] for s in listed(client)] == [1]  # reads go on (WAL)
    assert [r.seq for r in sessions.beacons("rec-1")] == [0] and sessions.buffered_seqs("rec-1") == [0]
    assert list(blobs.keys()) == []  # web beacons never write to the object store at ingest
    assert post_beacon(client, app, beacon(1)).json() == {"ok": True, "seq": 1, "duplicate": False}


def test_readiness_fails_while_the_database_refuses_beacons(
    tmp_path: Path, settings: Settings, clock: FixedClock, beacon: BeaconMaker
) -> None:
    """Issue 15: `/readyz` stayed 200 while every beacon got 503; it follows the database's last answer
    to a write (any backend), until a beacon is saved again."""
    path = tmp_path / "reel.sqlite3"
    sessions = sqlite_session_store(path, busy_timeout_ms=200)
    client = client_for(settings, clock, sessions, MemoryReplayStore())
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    assert post_beacon(client, app, beacon(0)).status_code == 200
    assert client.get("/readyz").status_code == 200
    with database_locked(path):
        assert post_beacon(client, app, beacon(1)).status_code == 503
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "locked" in ready.json()["reason"]
    assert client.get("/readyz").status_code == 503  # nothing saved since: still the last answer
    assert post_beacon(client, app, beacon(1)).status_code == 200
    assert client.get("/readyz").status_code == 200
    assert post_beacon(client, app, beacon(0, recording_id="rec-2")).status_code == 200
    [session] = [s for s in listed(client) if s["recording_id"] == "rec-1"]
    served = client.get(f"/api/v1/sessions/{session['id']}/events").json()["events"]
    assert len(served) == len(beacon(0)["events"]) + len(beacon(1)["events"])
    sessions.close()


class Down:
    """A session store whose server is down: every call fails."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def fail(*_args: Any, **_kwargs: Any) -> Any:
            raise StorageUnavailable("could not connect to the session store")

        return fail


def test_a_database_that_is_down_answers_503_not_401(
    settings: Settings, clock: FixedClock, beacon: BeaconMaker
) -> None:
    client = client_for(settings, clock, Down(), MemoryReplayStore())
    response = post_beacon(client, None, beacon(0), key="rk-whatever")
    assert response.status_code == 503 and "retry-after" in response.headers
    assert client.get("/readyz").status_code == 503


# Object store errors


def test_a_segment_that_cannot_be_fsynced_is_not_compacted_and_nothing_leaves_the_buffer(
    tmp_path: Path,
    settings: Settings,
    clock: FixedClock,
    beacon: BeaconMaker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blobs = FileReplayStore(tmp_path / "blobs")
    sessions = memory_session_store()
    client = client_for(settings, clock, sessions, blobs)
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    assert post_beacon(client, app, beacon(0)).status_code == 200  # the object store is not involved

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("reel.storage.file_blobs.os.fsync", failing_fsync)
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    clock.advance(QUIET_MS)  # the recording went quiet: its segment is to be compacted
    process_pending(ctx)
    assert [p for p in blobs.root.rglob("*") if p.is_file()] == []  # no half-written segment
    assert sessions.buffered_seqs("rec-1") == [0] and not any(s.compacted for s in sessions.segments("rec-1"))
    [session] = listed(client)
    assert len(client.get(f"/api/v1/sessions/{session['id']}/events").json()["events"]) == 5
    monkeypatch.undo()
    assert process_pending(ctx).compacted == 1
    assert sessions.buffered_seqs("rec-1") == [] and len(list(blobs.keys())) == 1
    assert len(client.get(f"/api/v1/sessions/{session['id']}/events").json()["events"]) == 5


class UnreadableBlobs(MemoryReplayStore):
    """An object store that accepts writes but whose reads fail (an outage after the fact)."""

    reads_fail = False

    def get(self, key: str) -> bytes:
        if self.reads_fail:
            raise StorageUnavailable("object store read timed out")
        return super().get(key)


def test_an_object_store_read_error_answers_503_never_an_empty_replay(
    settings: Settings, clock: FixedClock, beacon: BeaconMaker
) -> None:
    sessions, blobs = memory_session_store(), UnreadableBlobs()
    client = client_for(settings, clock, sessions, blobs)
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    assert post_beacon(client, app, beacon(0)).status_code == 200
    clock.advance(QUIET_MS)
    assert process_pending(client.app.state.reel).compacted == 1  # type: ignore[attr-defined]
    blobs.reads_fail = True
    [session] = listed(client)
    for path in ("events", "segments/0"):
        response = client.get(f"/api/v1/sessions/{session['id']}/{path}")
        assert response.status_code == 503 and "retry-after" in response.headers


# Every store call of the ingest path, failing in turn

INGEST_CALLS = (
    "sessions.application_by_key",
    "sessions.save_beacons",
)
"""The store calls that accepting a new beacon of a new recording makes, in order (checked by the first
test below): the group commit claims the recording. Later beacons make only the last: the application is
kept in memory."""

ERRORS: dict[str, Callable[[], Exception]] = {
    "storage_unavailable": lambda: StorageUnavailable("injected outage"),
    "raw_sqlite_error": lambda: sqlite3.OperationalError("disk I/O error"),
    "raw_os_error": lambda: OSError(errno.ENOSPC, "No space left on device"),
    "bug": lambda: RuntimeError("injected bug"),
}


@dataclass
class Plan:
    """Counts store calls once armed; call number `fail_at` raises, before or after doing its work."""

    fail_at: int = -1
    when: str = "before"
    error: Callable[[], Exception] = lambda: StorageUnavailable("x")
    armed: bool = False
    calls: list[str] = field(default_factory=list)

    def step(self, name: str) -> bool:
        if not self.armed:
            return False
        self.calls.append(name)
        return len(self.calls) - 1 == self.fail_at


class Faulty:
    """Wraps a store so that `plan` decides which call fails."""

    def __init__(self, inner: Any, name: str, plan: Plan) -> None:
        self._inner, self._name, self._plan = inner, name, plan

    def __getattr__(self, attr: str) -> Any:
        target = getattr(self._inner, attr)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            fail = self._plan.step(f"{self._name}.{attr}")
            if fail and self._plan.when == "before":
                raise self._plan.error()
            result = target(*args, **kwargs)
            if fail:  # the work was done, but the caller hears an error (a lost commit acknowledgement)
                raise self._plan.error()
            return result

        return call


def faulty_client(settings: Settings, clock: FixedClock, plan: Plan) -> tuple[TestClient, Any, Any]:
    sessions, blobs = memory_session_store(), MemoryReplayStore()
    client = client_for(settings, clock, Faulty(sessions, "sessions", plan), Faulty(blobs, "blobs", plan))
    return client, sessions, blobs


def test_the_ingest_path_makes_the_store_calls_listed_here(
    settings: Settings, clock: FixedClock, beacon: BeaconMaker
) -> None:
    plan = Plan()
    client, sessions, _blobs = faulty_client(settings, clock, plan)
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    plan.armed = True
    assert post_beacon(client, app, beacon(0)).status_code == 200
    assert tuple(plan.calls) == INGEST_CALLS


@pytest.mark.parametrize("error", sorted(ERRORS))
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("call", range(len(INGEST_CALLS)), ids=INGEST_CALLS)
def test_no_store_failure_is_answered_2xx_and_the_retry_stores_once(
    settings: Settings, clock: FixedClock, beacon: BeaconMaker, call: int, when: str, error: str
) -> None:
    plan = Plan(fail_at=call, when=when, error=ERRORS[error])
    client, sessions, blobs = faulty_client(settings, clock, plan)
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    plan.armed = True
    response = post_beacon(client, app, beacon(0))
    plan.armed = False
    assert plan.calls[-1] == INGEST_CALLS[call]  # the injected failure ended the request there
    if error == "storage_unavailable":
        assert response.status_code == 503 and int(response.headers["retry-after"]) >= 1
    else:
        assert response.status_code == 500  # a store that leaks raw errors is a bug: never a 2xx
    retry = post_beacon(client, app, beacon(0))
    assert retry.status_code == 200
    rows = sessions.beacons("rec-1")
    assert [events for events, _ in beacon_events(sessions, blobs, rows).values()] == [beacon(0)["events"]]
    assert listed(client)[0]["beacons"] == 1


def test_a_duplicate_is_not_acknowledged_when_its_lookup_fails(
    settings: Settings, clock: FixedClock, beacon: BeaconMaker
) -> None:
    plan = Plan()
    client, sessions, _blobs = faulty_client(settings, clock, plan)
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=T0)
    assert post_beacon(client, app, beacon(0)).status_code == 200
    plan.fail_at, plan.armed = 0, True  # the group commit, where a retry is recognised, fails
    assert post_beacon(client, app, beacon(0)).status_code == 503
    assert plan.calls == ["sessions.save_beacons"]
