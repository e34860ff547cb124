"""Retention and deletion over HTTP, with an injected clock: the purge boundary, tombstones that answer
410, deletion by session and by user across splits, the audit log and storage used."""

from __future__ import annotations

import re
from typing import Any

import orjson
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.admin.operators import create_operator, issue_token
from reel.clock import FixedClock
from reel.domain.records import Application
from reel.processing.worker import process_pending
from reel.retention.purge import purge
from reel.storage.retention_store import DAY_MS
from support import HOUR, MINUTE, T0, ctx_of, custom, dashboard_snapshot, post_beacon, tick

# T0 is 2025-11-27 (UTC).
RECORDED = "2025-11-27"


def record(
    client: TestClient, app: Application, beacon: BeaconMaker, rec: str = "rec-1", user: str = ""
) -> str:
    """One short visit (identified as `user` if given), processed; its session id."""
    events = [*dashboard_snapshot(T0), tick(T0 + 1000, "1")]
    if user:
        events.append(custom(T0 + 2000, "reel.identify", {"userId": user, "traits": {}}))
    response = post_beacon(client, app, beacon(0, events, recording_id=rec, session_id=f"c-{rec}"))
    assert response.status_code == 200, response.text
    process_pending(ctx_of(client))
    session_id = ctx_of(client).sessions.beacon_session(rec, 0)
    assert session_id is not None
    return session_id


def blob_keys(client: TestClient, rec: str) -> list[str]:
    return [k for k in ctx_of(client).blobs.keys("") if f"/{rec}/" in k]


def stored(client: TestClient, rec: str) -> list[str]:
    """Everything a recording holds: its blobs, and its beacons waiting in the buffer."""
    buffered = [f"buffer/{seq}" for seq in ctx_of(client).sessions.buffered_seqs(rec)]
    return blob_keys(client, rec) + buffered


def gone_message(client: TestClient, session_id: str) -> str:
    """The 410 message of every session route, checked to be the same."""
    messages: set[str] = set()
    for suffix in ("", "/events", "/actions"):
        response = client.get(f"/api/v1/sessions/{session_id}{suffix}")
        assert response.status_code == 410, (suffix, response.text)
        assert response.json()["error"]["code"] == "gone"
        messages.add(response.json()["error"]["message"])
    [message] = messages
    return message


def viewer_headers(client: TestClient, clock: FixedClock) -> dict[str, str]:
    operators = ctx_of(client).operators
    viewer = create_operator(operators, "vic", "viewer", None, now_ms=clock.now_ms())
    _token, secret = issue_token(operators, viewer, "tests", now_ms=clock.now_ms())
    return {"Authorization": f"Bearer {secret}"}


def test_a_session_is_purged_exactly_30_days_after_its_last_beacon_reached_the_server(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = record(client, demo_app, beacon)
    ctx = ctx_of(client)
    assert stored(client, "rec-1")
    clock.advance(30 * DAY_MS - 1)
    assert purge(ctx.sessions, ctx.blobs, clock.now_ms()).recordings == 0
    assert client.get(f"/api/v1/sessions/{session_id}").status_code == 200
    clock.advance(1)
    report = purge(ctx.sessions, ctx.blobs, clock.now_ms())
    assert (report.recordings, report.sessions) == (1, 1)
    assert stored(client, "rec-1") == []
    message = gone_message(client, session_id)
    assert message == (
        f"This session was recorded on {RECORDED} and deleted on 2025-12-27 "
        "under the 30-day retention policy."
    )
    body = client.get(f"/api/v1/sessions/{session_id}").json()["error"]["deleted"]
    assert body == {
        "session_id": session_id,
        "app_id": demo_app.id,
        "recorded_at": T0,
        "deleted_at": T0 + 30 * DAY_MS,
        "cause": "retention",
        "retention_days": 30,
    }
    assert client.get("/api/v1/sessions").json()["total"] == 0
    [entry] = client.get("/api/v1/audit").json()["entries"]
    assert (entry["action"], entry["count"], entry["app_id"]) == ("retention.purge", 1, demo_app.id)


def test_a_shorter_retention_set_by_an_admin_applies_at_the_next_purge(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = record(client, demo_app, beacon)
    apps = client.get("/api/v1/applications").json()["applications"]
    assert apps[0]["stored_bytes"] > 0
    changed = client.patch(f"/api/v1/applications/{demo_app.id}", json={"retention_days": 7})
    assert changed.status_code == 200, changed.text
    assert changed.json()["retention_days"] == 7
    for bad in ({"retention_days": 0}, {"retention_days": 3651}, {"retention_days": "x"}, {}):
        response = client.patch(f"/api/v1/applications/{demo_app.id}", json=bad)
        assert response.status_code == 400, bad
    refused = client.patch(f"/api/v1/applications/{demo_app.id}", json={"retention_days": 9, "name": "x"})
    assert refused.status_code == 400
    assert client.patch("/api/v1/applications/app_nope", json={"retention_days": 9}).status_code == 404
    clock.advance(7 * DAY_MS)
    ctx = ctx_of(client)
    assert purge(ctx.sessions, ctx.blobs, clock.now_ms()).recordings == 1
    assert "under the 7-day retention policy" in gone_message(client, session_id)
    assert client.get("/api/v1/applications").json()["applications"][0]["stored_bytes"] == 0
    actions = [e["action"] for e in client.get("/api/v1/audit").json()["entries"]]
    assert actions == ["retention.purge", "application.retention"]
    assert client.get("/api/v1/audit").json()["entries"][1]["detail"] == "retention 30 -> 7 days"


def test_deleting_a_session_answers_410_on_request_and_is_idempotent(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = record(client, demo_app, beacon)
    other = record(client, demo_app, beacon, rec="rec-2")
    clock.advance(6 * DAY_MS)
    first = client.delete(f"/api/v1/sessions/{session_id}")
    assert first.status_code == 200, first.text
    assert first.json()["sessions"] == [session_id] and first.json()["recordings"] == 1
    assert stored(client, "rec-1") == [] and stored(client, "rec-2")
    assert gone_message(client, session_id) == (
        f"This session was recorded on {RECORDED} and deleted on request on 2025-12-03."
    )
    again = client.delete(f"/api/v1/sessions/{session_id}")
    assert again.status_code == 200
    assert again.json()["sessions"] == [] and again.json()["already_deleted"]["cause"] == "request"
    assert client.get(f"/api/v1/sessions/{other}").status_code == 200
    assert client.delete("/api/v1/sessions/ses_unknown").status_code == 404
    assert client.delete("/api/v1/sessions/not..an-id").status_code == 400
    entries = client.get("/api/v1/audit").json()["entries"]
    assert [(e["action"], e["count"], e["target"]) for e in entries] == [
        ("session.delete", 0, f"session {session_id}"),
        ("session.delete", 1, f"session {session_id}"),
    ]
    assert entries[0]["actor"] == "test-admin" and entries[0]["at"] == T0 + 6 * DAY_MS


def test_the_player_page_of_a_deleted_session_answers_410_with_the_explanation(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    """Issue 15: the page answered 200 and only its script showed the message."""
    session_id = record(client, demo_app, beacon)
    assert client.get(f"/sessions/{session_id}").status_code == 200
    clock.advance(DAY_MS)
    assert client.delete(f"/api/v1/sessions/{session_id}").status_code == 200
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 410
    assert page.headers["content-type"].startswith("text/html")
    assert "This session was deleted" in page.text
    assert gone_message(client, session_id) in page.text
    assert 'id="reel-first-frame"' not in page.text
    # Another tenant learns nothing: the same page as for an id that never existed.
    other = create_operator(
        ctx_of(client).operators, "other", "viewer", None, now_ms=clock.now_ms(), app_ids=("app_other",)
    )
    _token, secret = issue_token(ctx_of(client).operators, other, "t", now_ms=clock.now_ms())
    outsider = client.get(f"/sessions/{session_id}", headers={"Authorization": f"Bearer {secret}"})
    unknown = client.get("/sessions/ses_neverexisted", headers={"Authorization": f"Bearer {secret}"})
    assert outsider.status_code == unknown.status_code == 200
    assert "deleted" not in outsider.text


def test_viewers_may_neither_delete_nor_read_the_audit_log(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = record(client, demo_app, beacon)
    headers = viewer_headers(client, clock)
    assert client.delete(f"/api/v1/sessions/{session_id}", headers=headers).status_code == 403
    assert client.post("/api/v1/deletions", json={"user_id": "u"}, headers=headers).status_code == 403
    assert client.get("/api/v1/audit", headers=headers).status_code == 403
    assert (
        client.patch(
            f"/api/v1/applications/{demo_app.id}", json={"retention_days": 5}, headers=headers
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/sessions/{session_id}").status_code == 200


def hourly_batches(hours: int, identify_at_hour: int, user: str) -> list[list[dict[str, Any]]]:
    """A dashboard ticking each minute, a beacon per hour; the user identifies at `identify_at_hour`."""
    batches: list[list[dict[str, Any]]] = []
    for h in range(hours):
        events = dashboard_snapshot(T0) if h == 0 else []
        events += [tick(T0 + h * HOUR + m * MINUTE + 1, f"{h}:{m:02d}") for m in range(60)]
        if h == identify_at_hour:
            events.append(
                custom(T0 + h * HOUR + 30 * MINUTE, "reel.identify", {"userId": user, "traits": {}})
            )
        batches.append(events)
    return batches


def test_deleting_a_user_removes_every_part_of_a_split_recording(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    # 24 hours split into 3 parts at 8 h and 16 h; only the third part knows who the user is.
    for seq, events in enumerate(hourly_batches(24, 20, "user-42@example.com")):
        assert post_beacon(client, demo_app, beacon(seq, events)).status_code == 200
    kept = record(client, demo_app, beacon, rec="rec-other", user="someone-else")
    process_pending(ctx_of(client))
    parts = client.get("/api/v1/sessions", params={"sort": "start", "app_id": demo_app.id}).json()["sessions"]
    parts = [p for p in parts if p["recording_id"] == "rec-1"]
    assert [p["part"] for p in parts] == [1, 2, 3]
    assert [p["user_id"] for p in parts] == ["", "", "user-42@example.com"]
    assert any("/cp-" in k for k in blob_keys(client, "rec-1"))  # the split checkpoints
    clock.advance(DAY_MS)
    response = client.post("/api/v1/deletions", json={"user_id": "user-42@example.com"})
    assert response.status_code == 200, response.text
    assert sorted(response.json()["sessions"]) == sorted(p["id"] for p in parts)
    for p in parts:
        assert "deleted on request on 2025-11-28" in gone_message(client, p["id"])
    assert blob_keys(client, "rec-1") == []
    assert client.get(f"/api/v1/sessions/{kept}").status_code == 200
    again = client.post("/api/v1/deletions", json={"user_id": "user-42@example.com"})
    assert again.status_code == 200 and again.json()["sessions"] == []
    audit = client.get("/api/v1/audit")
    entries = audit.json()["entries"]
    assert [(e["action"], e["count"]) for e in entries] == [("user.delete", 0), ("user.delete", 3)]
    assert entries[1]["target"].startswith("user sha256:")
    assert b"user-42" not in audit.content  # the audit log proves the deletion without keeping the id


def test_a_user_deletion_in_one_application_leaves_the_others(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    session_id = record(client, demo_app, beacon, user="u-1")
    response = client.post("/api/v1/deletions", json={"user_id": "u-1", "app_id": "app_elsewhere"})
    assert response.status_code == 404
    assert client.post("/api/v1/deletions", json={"user_id": ""}).status_code == 400
    assert client.post("/api/v1/deletions", json={"user": "u-1"}).status_code == 400
    assert client.get(f"/api/v1/sessions/{session_id}").status_code == 200
    scoped = client.post("/api/v1/deletions", json={"user_id": "u-1", "app_id": demo_app.id})
    assert scoped.json()["sessions"] == [session_id]


def test_a_beacon_of_a_deleted_recording_is_refused_and_stores_nothing(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = record(client, demo_app, beacon)
    assert client.delete(f"/api/v1/sessions/{session_id}").status_code == 200
    late = post_beacon(client, demo_app, beacon(1, [tick(T0 + 5000, "late")], session_id="c-rec-1"))
    assert late.status_code == 410  # the recorder drops a beacon answered 4xx
    # Its events would have gone into the buffer with its row, in the transaction that refused it.
    assert stored(client, "rec-1") == []
    ctx = ctx_of(client)
    assert purge(ctx.sessions, ctx.blobs, clock.now_ms()).resumed == 1
    assert stored(client, "rec-1") == []
    assert client.get("/api/v1/sessions").json()["total"] == 0


def test_tombstones_keep_nothing_the_user_typed_or_saw(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    session_id = record(client, demo_app, beacon, user="canary-user-7")
    client.delete(f"/api/v1/sessions/{session_id}")
    body = client.get(f"/api/v1/sessions/{session_id}").content
    assert b"canary-user-7" not in body and b"shop.test" not in body and b"dashboard" not in body
    tombstone = ctx_of(client).sessions.tombstone(session_id)
    assert tombstone is not None
    assert "canary" not in orjson.dumps(tombstone.__dict__).decode()


def test_another_tenants_deleted_session_is_not_found(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = record(client, demo_app, beacon)
    client.delete(f"/api/v1/sessions/{session_id}")
    operators = ctx_of(client).operators
    limited = create_operator(operators, "lim", "admin", None, now_ms=clock.now_ms(), app_ids=("app_other",))
    _token, secret = issue_token(operators, limited, "tests", now_ms=clock.now_ms())
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/v1/sessions/{session_id}", headers=headers).status_code == 404
    assert client.delete(f"/api/v1/sessions/{session_id}", headers=headers).status_code == 404
    assert client.get("/api/v1/audit", headers=headers).json()["entries"] == []


def test_a_cookie_login_needs_the_csrf_token_to_delete(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    session_id = record(client, demo_app, beacon)
    create_operator(ctx_of(client).operators, "ada", "admin", "s3cret-pass", now_ms=clock.now_ms())
    browser = TestClient(client.app, follow_redirects=False)
    form = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"name": "ada", "password": "s3cret-pass", "csrf_token": token.group(1), "next": "/sessions"}
    assert browser.post("/login", data=data).status_code == 303
    assert browser.delete(f"/api/v1/sessions/{session_id}").status_code == 403
    assert browser.post("/api/v1/deletions", json={"user_id": "u"}).status_code == 403
    assert client.get(f"/api/v1/sessions/{session_id}").status_code == 200
    csrf = {"X-CSRF-Token": browser.cookies["reel_csrf"]}
    assert browser.delete(f"/api/v1/sessions/{session_id}", headers=csrf).status_code == 200
    assert browser.get(f"/api/v1/sessions/{session_id}").status_code == 410


def test_the_applications_page_is_a_shell_for_the_bundle(client: TestClient) -> None:
    response = client.get("/applications")
    assert response.status_code == 200
    html = response.text
    assert 'data-page="applications"' in html and 'id="applications"' in html
    assert '<a href="/applications" aria-current="page">Applications</a>' in html
    assert "<script>" not in html and " style=" not in html
