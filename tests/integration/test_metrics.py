"""`/metrics` over HTTP: it parses as Prometheus text, its counters move as beacons are accepted and
refused, sessions purged and deleted, events dropped by replay masking and stores fail; it can be closed
by a bearer token or turned off."""

from __future__ import annotations

from pathlib import Path

import orjson
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.clock import FixedClock
from reel.config import Settings
from reel.domain.records import Application
from reel.errors import StorageUnavailable
from reel.processing.worker import QUIET_MS, process_pending
from reel.retention.purge import purge
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.retention_store import DAY_MS
from reel.storage.sql_sessions import SqlSessionStore
from reel.storage.sqlite_db import MEMORY, SqliteDatabase
from support import ORIGIN, T0, admin_headers, dashboard_snapshot, post_beacon, tick

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> Samples:
    """Every sample of `/metrics`, parsed by prometheus_client's own text parser."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_beacons_accepted_and_refused_by_reason(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    before = scrape(client)
    assert post_beacon(client, demo_app, beacon(0, [tick(T0, "a")])).status_code == 200
    assert post_beacon(client, demo_app, beacon(0, [tick(T0, "a")])).status_code == 200  # a retry
    assert post_beacon(client, demo_app, beacon(1, [tick(T0, "b")]), key="rk-unknown").status_code == 401
    assert (
        post_beacon(client, demo_app, beacon(1, [tick(T0, "b")]), origin="https://evil.example").status_code
        == 403
    )
    assert post_beacon(client, demo_app, None, raw=b"{not json").status_code == 400
    big = b"x" * (client.app.state.reel.settings.limits.max_body_bytes + 1)  # type: ignore[attr-defined]
    assert post_beacon(client, demo_app, None, raw=big).status_code == 413
    after = scrape(client)
    assert moved(before, after, "reel_beacons_accepted_total", platform="web") == 2
    for reason in ("unauthorized", "forbidden", "bad_request", "payload_too_large"):
        assert moved(before, after, "reel_beacons_refused_total", platform="web", reason=reason) == 1, reason
    assert moved(before, after, "reel_ingest_duration_seconds_count", platform="web") == 6
    assert moved(before, after, "reel_ingest_duration_seconds_bucket", platform="web", le="+Inf") == 6
    # A page of the UI is no beacon.
    client.get("/healthz")
    assert moved(after, scrape(client), "reel_ingest_duration_seconds_count", platform="web") == 0


def test_purges_and_deletions_are_counted_by_cause(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    for rec in ("rec-old", "rec-asked"):
        events = [*dashboard_snapshot(T0), tick(T0 + 1000, "1")]
        doc = beacon(0, events, recording_id=rec, session_id=f"c-{rec}")
        assert post_beacon(client, demo_app, doc).status_code == 200
    clock.advance(QUIET_MS)  # the visits are over: each is compacted into a segment blob
    process_pending(ctx)
    before = scrape(client)
    asked = ctx.sessions.beacon_session("rec-asked", 0)
    assert client.delete(f"/api/v1/sessions/{asked}").status_code == 200
    middle = scrape(client)
    assert moved(before, middle, "reel_recordings_deleted_total", cause="request") == 1
    assert moved(before, middle, "reel_sessions_deleted_total", cause="request") == 1
    assert moved(before, middle, "reel_blobs_deleted_total") >= 1
    clock.advance(31 * DAY_MS)
    assert purge(ctx.sessions, ctx.blobs, clock.now_ms()).recordings == 1
    after = scrape(client)
    assert moved(middle, after, "reel_recordings_deleted_total", cause="retention") == 1
    assert moved(middle, after, "reel_sessions_deleted_total", cause="retention") == 1
    assert moved(middle, after, "reel_recordings_deleted_total", cause="request") == 0


def test_events_dropped_by_replay_masking_are_counted(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    # An incremental event of a source Reel does not know cannot be masked, so it is never sent.
    unknown = {"type": 3, "timestamp": T0 + 500, "data": {"source": 99, "secret": "x"}}
    events = [*dashboard_snapshot(T0), unknown, tick(T0 + 1000, "1")]
    assert post_beacon(client, demo_app, beacon(0, events)).status_code == 200
    process_pending(client.app.state.reel)  # type: ignore[attr-defined]
    session_id = client.app.state.reel.sessions.beacon_session("rec-1", 0)  # type: ignore[attr-defined]
    before = scrape(client)
    sent = client.get(f"/api/v1/sessions/{session_id}/events")
    assert sent.status_code == 200
    assert all(e.get("data", {}).get("source") != 99 for e in sent.json()["events"])
    assert moved(before, scrape(client), "reel_replay_events_dropped_total", reason="dropped") >= 1


class FailingSessions(SqlSessionStore):
    """A session store that is down for beacons: every app-key lookup fails."""

    def __init__(self) -> None:
        super().__init__(SqliteDatabase(MEMORY))

    def application_by_key(self, app_key: str) -> Application | None:
        raise StorageUnavailable("injected outage")


def test_store_errors_are_counted_and_answered_503(tmp_path: Path, clock: FixedClock) -> None:
    sessions = FailingSessions()
    app = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    reel = create_app(
        Settings(data_dir=tmp_path),
        sessions=sessions,
        blobs=MemoryReplayStore(),
        operators=MemoryOperatorStore(),
    )
    with TestClient(reel) as client:
        before = scrape(client)
        doc = {"v": 1, "recording_id": "r", "session_id": "s", "seq": 0, "sent_at": T0, "events": []}
        assert post_beacon(client, app, orjson.loads(orjson.dumps(doc))).status_code == 503
        after = scrape(client)
    assert moved(before, after, "reel_store_errors_total", where="http") == 1
    assert (
        moved(before, after, "reel_beacons_refused_total", platform="web", reason="storage_unavailable") == 1
    )


def test_the_lag_gauges_exist_for_processing_and_compaction(client: TestClient) -> None:
    samples = scrape(client)
    assert ("reel_processing_lag_seconds", frozenset()) in samples
    assert ("reel_compaction_lag_seconds", frozenset()) in samples


def test_metrics_can_need_a_token_or_be_turned_off(tmp_path: Path) -> None:
    stores = {
        "sessions": memory_session_store(),
        "blobs": MemoryReplayStore(),
        "operators": MemoryOperatorStore(),
    }
    closed = create_app(Settings(data_dir=tmp_path, metrics_token="s3cret-metrics"), **stores)  # type: ignore[arg-type]
    with TestClient(closed) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"}).status_code == 200
    off = create_app(Settings(data_dir=tmp_path, metrics=False), **stores)  # type: ignore[arg-type]
    with TestClient(off, headers=admin_headers(stores["operators"])) as client:  # type: ignore[arg-type]
        assert client.get("/metrics").status_code == 404


def test_every_answer_carries_a_request_id_and_echoes_a_plain_one(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 16 and generated != client.get("/healthz").headers["x-request-id"]
    assert (
        client.get("/healthz", headers={"X-Request-Id": "proxy-42.a"}).headers["x-request-id"] == "proxy-42.a"
    )
    forged = client.get("/healthz", headers={"X-Request-Id": "a b\tc"}).headers["x-request-id"]
    assert forged != "a b\tc" and len(forged) == 16
    assert client.get("/api/v1/sessions/nope").headers["x-request-id"]
