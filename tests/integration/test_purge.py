"""The purge job: a crash at any step leaves a state the next run completes; shared resources still used
by a live session survive; `reel serve` runs it in the background."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Settings
from reel.domain.records import Application
from reel.errors import StorageUnavailable
from reel.processing.keyframes import KeyframePolicy
from reel.processing.worker import QUIET_MS, Worker, process_pending
from reel.retention.purge import purge
from reel.server.app import create_app
from reel.storage import sql_retention
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.replay_store import ReplayStore
from reel.storage.resource_refs import MemoryResourceRefs, ResourceRefs
from reel.storage.retention_store import DAY_MS
from reel.storage.session_store import SessionStore
from support import ORIGIN, T0, admin_headers, ctx_of, dashboard_snapshot, post_beacon, tick


def record(client: TestClient, app: Application, beacon: BeaconMaker, rec: str) -> str:
    """One short visit on recording `rec`, processed and compacted into two segments; its session id."""
    batches = [dashboard_snapshot(T0), [tick(T0 + 1000, "1")]]
    for seq, events in enumerate(batches):
        response = post_beacon(client, app, beacon(seq, events, recording_id=rec, session_id=f"c-{rec}"))
        assert response.status_code == 200
    ctx = ctx_of(client)
    process_pending(ctx, worker=Worker(ctx, keyframes=KeyframePolicy(max_events=1)))
    cast(FixedClock, ctx.clock).advance(QUIET_MS)  # the visit is over: its last segment is compacted too
    process_pending(ctx)
    session_id = ctx_of(client).sessions.beacon_session(rec, 0)
    assert session_id is not None
    return session_id


class Crash(StorageUnavailable):
    """The injected failure: what a crash or a store outage at that point looks like to the purge."""

    def __init__(self) -> None:
        super().__init__("injected failure")


class FailingBlobs:
    """A replay store whose `fail_at`-th delete fails (1-based)."""

    def __init__(self, inner: ReplayStore, fail_at: int) -> None:
        self.inner, self.fail_at, self.deletes = inner, fail_at, 0

    def delete(self, key: str) -> None:
        self.deletes += 1
        if self.deletes == self.fail_at:
            raise Crash()
        self.inner.delete(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class FailingCall:
    """Wraps an object so that one named method fails."""

    def __init__(self, inner: object, method: str) -> None:
        self.inner, self.method = inner, method

    def __getattr__(self, name: str) -> Any:
        if name == self.method:
            raise Crash()
        return getattr(self.inner, name)


@pytest.mark.parametrize("step", ["first-blob", "second-blob", "release-resources", "finish"])
def test_a_purge_cut_off_at_any_step_is_completed_by_the_next_run(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock, step: str
) -> None:
    ctx = ctx_of(client)
    session_id = record(client, demo_app, beacon, "rec-old")
    refs = MemoryResourceRefs()
    refs.add("rec-old", "resources/font")
    ctx.blobs.put("resources/font", b"woff2")
    assert len(list(ctx.blobs.keys("r30d/"))) >= 2
    clock.advance(30 * DAY_MS)
    blobs: ReplayStore = ctx.blobs
    sessions: SessionStore = ctx.sessions
    resources: ResourceRefs = refs
    if step in ("first-blob", "second-blob"):
        blobs = cast(ReplayStore, FailingBlobs(ctx.blobs, 1 if step == "first-blob" else 2))
    elif step == "release-resources":
        resources = cast(ResourceRefs, FailingCall(refs, "release"))
    else:
        sessions = cast(SessionStore, FailingCall(ctx.sessions, "finish_deletion"))
    with pytest.raises(Crash):
        purge(sessions, blobs, clock.now_ms(), resources=resources)
    # Consistent in between: the session is gone and says why, nothing points at a missing blob.
    assert client.get(f"/api/v1/sessions/{session_id}").status_code == 410
    assert ctx.sessions.beacons("rec-old") == [] and client.get("/api/v1/sessions").json()["total"] == 0
    assert [d.recording_id for d in ctx.sessions.pending_deletions(10)] == ["rec-old"]
    if step == "first-blob":
        assert len(list(ctx.blobs.keys("r30d/"))) >= 2  # nothing deleted yet
    report = purge(ctx.sessions, ctx.blobs, clock.now_ms(), resources=refs)
    assert (report.resumed, report.recordings, report.resources) == (1, 0, 1)
    assert list(ctx.blobs.keys()) == []
    assert ctx.sessions.pending_deletions(10) == [] and refs.keys() == []
    assert (
        "30-day retention policy" in client.get(f"/api/v1/sessions/{session_id}").json()["error"]["message"]
    )


def test_a_crash_inside_the_tombstone_transaction_changes_nothing(
    settings: Settings, clock: FixedClock, beacon: BeaconMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings, clock=clock)  # SQLite and files: a real transaction to cut off
    headers = admin_headers(app.state.reel.operators, now_ms=clock.now_ms())
    with TestClient(app, headers=headers) as client:
        shop = create_application(ctx_of(client).sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
        session_id = record(client, shop, beacon, "rec-old")
        clock.advance(31 * DAY_MS)

        def crash(*_args: object) -> None:
            raise sqlite3.OperationalError("disk I/O error")  # after the deletes, before the commit

        monkeypatch.setattr(sql_retention, "_queue", crash)
        ctx = ctx_of(client)
        with pytest.raises(StorageUnavailable):
            purge(ctx.sessions, ctx.blobs, clock.now_ms())
        assert client.get(f"/api/v1/sessions/{session_id}").status_code == 200
        assert ctx.sessions.tombstone(session_id) is None and ctx.sessions.pending_deletions(10) == []
        assert client.get(f"/api/v1/sessions/{session_id}/events").json()["events"]
        monkeypatch.undo()
        assert purge(ctx.sessions, ctx.blobs, clock.now_ms()).recordings == 1
        assert client.get(f"/api/v1/sessions/{session_id}").status_code == 410


def test_a_resource_still_used_by_a_live_session_survives_the_purge(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    ctx = ctx_of(client)
    refs = MemoryResourceRefs()
    old = record(client, demo_app, beacon, "rec-old")
    clock.advance(10 * DAY_MS)
    live = record(client, demo_app, beacon, "rec-live")
    for rec, key in (
        ("rec-old", "resources/shared"),
        ("rec-old", "resources/old-only"),
        ("rec-live", "resources/shared"),
    ):
        refs.add(rec, key)
        ctx.blobs.put(key, b"css")
    clock.advance(20 * DAY_MS)  # rec-old is 30 days old, rec-live 20
    report = purge(ctx.sessions, ctx.blobs, clock.now_ms(), resources=refs)
    assert (report.recordings, report.resources) == (1, 1)
    assert list(ctx.blobs.keys("resources/")) == ["resources/shared"]
    assert refs.keys() == ["resources/shared"]
    assert client.get(f"/api/v1/sessions/{old}").status_code == 410
    assert client.get(f"/api/v1/sessions/{live}").status_code == 200


@pytest.fixture
def stores() -> Iterator[tuple[SessionStore, MemoryReplayStore, MemoryOperatorStore]]:
    yield memory_session_store(), MemoryReplayStore(), MemoryOperatorStore()


def test_reel_serve_runs_the_purge_in_the_background(
    settings: Settings,
    clock: FixedClock,
    beacon: BeaconMaker,
    stores: tuple[SessionStore, MemoryReplayStore, MemoryOperatorStore],
) -> None:
    sessions, blobs, operators = stores
    kw: dict[str, Any] = {"sessions": sessions, "blobs": blobs, "clock": clock, "operators": operators}
    recorder = create_app(settings, **kw)
    with TestClient(recorder, headers=admin_headers(operators)) as client:
        shop = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
        session_id = record(client, shop, beacon, "rec-old")
    clock.advance(30 * DAY_MS)
    with TestClient(create_app(settings, background=True, **kw)):
        deadline = time.monotonic() + 10
        while sessions.tombstone(session_id) is None and time.monotonic() < deadline:
            time.sleep(0.02)
    tombstone = sessions.tombstone(session_id)
    assert tombstone is not None and tombstone.cause == "retention"
    assert list(blobs.keys()) == []
