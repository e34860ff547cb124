"""The session model on generated recordings: splits, closing, actions and search — no real waiting."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.clock import FixedClock
from reel.domain.records import Application, ProcessingBatch
from reel.processing.worker import process_pending
from support import (
    HOUR,
    MINUTE,
    T0,
    add_element,
    click,
    ctx_of,
    custom,
    dashboard_snapshot,
    post_beacon,
    tick,
)


def send(
    client: TestClient, app: Application, beacon: BeaconMaker, batches: list[list[dict[str, Any]]], **kw: Any
) -> None:
    for seq, events in enumerate(batches):
        response = post_beacon(client, app, beacon(seq, events, **kw))
        assert response.status_code == 200, response.text


def show_text(client: TestClient, app: Application) -> None:
    """Rules that show recorded text (default rules mask it): these tests read the clock's text."""
    response = client.put(f"/api/v1/applications/{app.id}/masking-rules", json={"preset": "mask_inputs"})
    assert response.status_code == 200, response.text


def listed(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    return client.get("/api/v1/sessions", params={"sort": "start", **params}).json()["sessions"]  # type: ignore[no-any-return]


def dashboard_recording(hours: int) -> list[list[dict[str, Any]]]:
    """A dashboard ticking each minute for `hours`, a beacon per hour; #early added at 1 h, #late at 25 h."""
    batches: list[list[dict[str, Any]]] = []
    for h in range(hours):
        events = dashboard_snapshot(T0) if h == 0 else []
        for m in range(60):
            ts = T0 + h * HOUR + m * MINUTE + 1
            events.append(tick(ts, f"{h}:{m:02d}"))
        if h == 1:
            events.append(add_element(T0 + HOUR + 30 * MINUTE + 7, 100, "early"))
        if h == 25:
            events.append(add_element(T0 + 25 * HOUR + 5, 101, "late"))
        batches.append(events)
    return batches


def test_a_24_hour_recording_splits_into_3_sessions_at_8_hours(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    send(client, demo_app, beacon, dashboard_recording(24))
    result = process_pending(ctx_of(client))
    assert result.splits == 2
    parts = listed(client)
    assert [p["part"] for p in parts] == [1, 2, 3]
    assert [p["start"] - T0 for p in parts] == [0, 8 * HOUR, 16 * HOUR]
    assert [p["close_reason"] for p in parts[:2]] == ["split", "split"]
    assert parts[0]["end"] == parts[1]["start"] and parts[1]["end"] == parts[2]["start"]
    assert parts[2]["closed"] is False
    detail = client.get(f"/api/v1/sessions/{parts[1]['id']}").json()
    assert [p["part"] for p in detail["parts"]] == [1, 2, 3]
    assert detail["segments"][0]["start"] == T0 + 8 * HOUR


def test_splits_are_the_same_when_processing_runs_after_every_beacon(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    """Live servers process while beacons still arrive: later beacons land in parts made meanwhile."""
    show_text(client, demo_app)
    for seq, events in enumerate(dashboard_recording(24)):
        assert post_beacon(client, demo_app, beacon(seq, events)).status_code == 200
        process_pending(ctx_of(client))
    parts = listed(client)
    assert [(p["part"], p["start"] - T0, p["end"] - T0) for p in parts] == [
        (1, 0, 8 * HOUR),
        (2, 8 * HOUR, 16 * HOUR),
        (3, 16 * HOUR, 23 * HOUR + 59 * MINUTE + 1),
    ]
    third = client.get(f"/api/v1/sessions/{parts[2]['id']}/events").json()["events"]
    assert third[0]["timestamp"] == T0 + 16 * HOUR and "15:59" in str(third[1]["data"]["node"])


def test_part_3_starts_from_the_dom_built_in_part_1_and_stops_at_its_end(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    show_text(client, demo_app)
    send(client, demo_app, beacon, dashboard_recording(30))
    process_pending(ctx_of(client))
    parts = listed(client)
    assert len(parts) == 4
    third = parts[2]
    events = client.get(f"/api/v1/sessions/{third['id']}/events").json()["events"]
    assert events[0]["type"] == 4 and events[1]["type"] == 2  # Meta, then the full snapshot at the start
    assert events[0]["timestamp"] == events[1]["timestamp"] == T0 + 16 * HOUR
    first_frame = str(events[1]["data"]["node"])
    assert "'early'" in first_frame  # created at 1 h 30 min, in part 1, still in the DOM
    assert "15:59" in first_frame  # the clock as it stood at 16 h, not as at the start of the recording
    assert all(T0 + 16 * HOUR <= e["timestamp"] < T0 + 24 * HOUR for e in events)
    assert "'late'" not in str(events)  # added at 25 h, after part 3's end
    # The 4th part has the element added at 25 h; the 1st part has neither the clock of 16 h nor #late.
    fourth = client.get(f"/api/v1/sessions/{parts[3]['id']}/events").json()["events"]
    assert "'late'" in str(fourth)
    first = client.get(f"/api/v1/sessions/{parts[0]['id']}/events").json()["events"]
    assert max(e["timestamp"] for e in first) < T0 + 8 * HOUR


def test_a_recording_ending_exactly_at_the_split_lists_no_empty_part(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    """Issue 15: after an 8-hour recording whose last event is exactly at the split, a part with 0 events
    was listed (and stayed open though the tab had closed)."""
    batches = dashboard_recording(8)
    batches.append([tick(T0 + 8 * HOUR, "8:00")])  # the last event, exactly at the split
    for seq, events in enumerate(batches):
        response = post_beacon(client, demo_app, beacon(seq, events, final=seq == len(batches) - 1))
        assert response.status_code == 200, response.text
    process_pending(ctx_of(client))
    parts = listed(client)
    total = sum(len(events) for events in batches)
    assert [(p["part"], p["start"] - T0, p["events"]) for p in parts] == [(1, 0, total - 1), (2, 8 * HOUR, 1)]
    for p in parts:
        played = client.get(f"/api/v1/sessions/{p['id']}/events").json()["events"]
        assert [e for e in played if e["type"] == 3], p  # each part plays something of its own
    assert [(p["closed"], p["close_reason"]) for p in parts] == [(True, "split"), (True, "tab_closed")]


def test_a_session_splits_after_200_actions(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    batches = []
    ts = T0
    for b in range(9):
        events = dashboard_snapshot(ts) if b == 0 else []
        for _ in range(50):
            ts += 2000
            events.append(click(ts, x=10 + (ts // 2000) % 7 * 100))
            events.append(tick(ts + 100, str(ts)))  # each click changes something: no dead clicks
        batches.append(events)
    send(client, demo_app, beacon, batches)
    process_pending(ctx_of(client))
    parts = listed(client)
    # 1 page load + 450 clicks = 451 actions: 200, 200 and 51.
    assert [p["actions"] for p in parts] == [200, 200, 51]
    assert [p["part"] for p in parts] == [1, 2, 3]
    actions = client.get(f"/api/v1/sessions/{parts[1]['id']}/actions").json()["actions"]
    assert len([a for a in actions if a["kind"] == "click"]) == 200
    assert actions[0]["ts"] == parts[1]["start"]
    # Each part counts the beacons and events it plays, right after the split (ingest had counted
    # them all in part 1, which was the only part when they arrived).
    assert [(p["beacons"], p["events"]) for p in parts] == played_counts(batches, parts)


def played_counts(batches: list[list[dict[str, Any]]], parts: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(beacons, events) each part plays: events from its start (part 1: all) to the split after it."""
    out = []
    for i, part in enumerate(parts):
        low = part["start"] if i else None
        high = parts[i + 1]["start"] if i + 1 < len(parts) else None

        def held(e: dict[str, Any], low: int | None = low, high: int | None = high) -> bool:
            return (low is None or e["timestamp"] >= low) and (high is None or e["timestamp"] < high)

        out.append(
            (sum(1 for b in batches if any(held(e) for e in b)), sum(held(e) for b in batches for e in b))
        )
    return out


def test_processing_twice_changes_nothing(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    send(client, demo_app, beacon, dashboard_recording(10))
    ctx = ctx_of(client)
    process_pending(ctx)
    before = listed(client)
    assert process_pending(ctx).beacons == 0  # nothing new to read
    # Forget the progress, as after a crash before the round's commit: the whole recording is read again.
    lease = ctx.sessions.take_lease("rec-1", "test", T0, 60_000)
    assert lease is not None
    ctx.sessions.save_processing(ProcessingBatch("rec-1", -1, "", (), (), T0, lease))
    ctx.sessions.release_lease(lease)
    again = process_pending(ctx)
    assert again.beacons == 10 and again.splits == 1
    assert listed(client) == before


def test_a_new_recorder_session_after_the_idle_timeout_closes_the_old_one(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    post_beacon(client, demo_app, beacon(0, dashboard_snapshot(T0), session_id="first"))
    post_beacon(client, demo_app, beacon(1, dashboard_snapshot(T0 + 40 * MINUTE), session_id="second"))
    old, new = listed(client)
    assert (old["closed"], old["close_reason"]) == (True, "idle")
    assert new["closed"] is False and new["has_replay"] is True


def test_the_final_beacon_closes_the_session(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    post_beacon(client, demo_app, beacon(0, dashboard_snapshot(T0)))
    post_beacon(client, demo_app, beacon(1, [tick(T0 + 1000, "x")], final=True))
    [s] = listed(client)
    assert (s["closed"], s["close_reason"]) == (True, "tab_closed")


def test_a_silent_recorder_is_closed_by_the_server(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, clock: FixedClock
) -> None:
    post_beacon(client, demo_app, beacon(0, dashboard_snapshot(T0)))
    clock.advance(30 * MINUTE)
    assert process_pending(ctx_of(client)).closed_silent == 0  # idle timeout reached, grace not yet over
    clock.advance(6 * MINUTE)
    assert process_pending(ctx_of(client)).closed_silent == 1
    [s] = listed(client)
    assert (s["closed"], s["close_reason"]) == (True, "silent")


def test_actions_and_search(client: TestClient, demo_app: Application, beacon: BeaconMaker) -> None:
    events = dashboard_snapshot(T0)
    events += [
        custom(T0 + 1000, "reel.identify", {"userId": "user-42", "traits": {}}),
        click(T0 + 2000, x=50, y=50),
        click(T0 + 2200, x=55, y=52),
        click(T0 + 2400, x=52, y=49),  # third within 1 s and 30 px: a rage click
        custom(T0 + 5000, "reel.event", {"name": "checkout-started", "props": {}}),
        custom(T0 + 6000, "reel.error", {"message": "TypeError: x is undefined"}),
        tick(T0 + 9000, "later"),
    ]
    post_beacon(client, demo_app, beacon(0, events))
    post_beacon(
        client, demo_app, beacon(0, dashboard_snapshot(T0 + 5), recording_id="rec-2", session_id="other")
    )
    process_pending(ctx_of(client))
    found = listed(client, user_id="user-42")
    assert len(found) == 1
    s = found[0]
    assert (s["user_id"], s["errors"], s["rage_clicks"]) == ("user-42", 1, 1)
    assert s["dead_clicks"] == 3  # nothing changed within 1 s of any of the three clicks
    kinds = [
        (a["kind"], a["ts"] - T0) for a in client.get(f"/api/v1/sessions/{s['id']}/actions").json()["actions"]
    ]
    assert ("identify", 1000) in kinds and ("custom", 5000) in kinds and ("error", 6000) in kinds
    assert ("rage_click", 2000) in kinds and ("load", 0) in kinds
    assert [x["id"] for x in listed(client, has_errors="true")] == [s["id"]]
    assert len(listed(client, has_errors="false")) == 1
    assert [x["id"] for x in listed(client, has_rage_clicks="1")] == [s["id"]]
    assert len(listed(client, url="/dashboard")) == 2
    assert listed(client, url="/nowhere") == []
    assert len(listed(client, min_actions=5)) == 1
    assert client.get("/api/v1/sessions", params={"has_errors": "maybe"}).status_code == 400
    assert client.get("/api/v1/sessions", params={"sort": "drop table"}).status_code == 400
