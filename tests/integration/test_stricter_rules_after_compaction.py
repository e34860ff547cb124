"""A masking rule made stricter after a recording was compacted hides the newly masked text in every
segment at once: windows read from compacted segments (and cached, masked under the old rules) are masked
again with the rules current at replay, never served from the old cache."""

from __future__ import annotations

from typing import Any, cast

from fastapi.testclient import TestClient

from conftest import BeaconMaker
from reel.clock import FixedClock
from reel.domain.records import Application
from reel.processing.keyframes import KeyframePolicy
from reel.processing.worker import QUIET_MS, Worker, process_pending
from reel.runtime.context import ReelContext
from support import MINUTE, T0, dashboard_snapshot, post_beacon, tick

MINUTES = 40


def ctx_of(client: TestClient) -> ReelContext:
    return client.app.state.reel  # type: ignore[attr-defined, no-any-return]


def clock_texts(doc: dict[str, Any]) -> set[str]:
    """Every text the clock shows in a segment answer: in its head's snapshot and in its text mutations."""
    found: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        if node.get("type") == 3:
            found.add(str(node.get("textContent", "")))
        for child in node.get("childNodes", []):
            walk(child)

    for event in [*doc["head"], *doc["events"]]:
        data = event.get("data", {})
        if event.get("type") == 2:
            walk(data["node"])
        for text in data.get("texts", []) if isinstance(data, dict) else []:
            found.add(str(text.get("value")))
    return found


def set_rules(client: TestClient, app: Application, body: dict[str, Any]) -> None:
    response = client.put(f"/api/v1/applications/{app.id}/masking-rules", json=body)
    assert response.status_code == 200, response.text


def segments_texts(client: TestClient, session_id: str) -> list[set[str]]:
    detail = client.get(f"/api/v1/sessions/{session_id}").json()
    answers = []
    for segment in detail["segments"]:
        response = client.get(f"/api/v1/sessions/{session_id}/segments/{segment['n']}")
        assert response.status_code == 200, response.text
        answers.append(clock_texts(response.json()))
    return answers


def test_a_stricter_rule_after_compaction_masks_every_segment_at_once(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    set_rules(client, demo_app, {"preset": "mask_inputs"})  # text shown
    for minute in range(MINUTES):
        events = dashboard_snapshot(T0) if minute == 0 else []
        events += [
            tick(T0 + minute * MINUTE + s * 1000 + 1, f"reading {minute}:{s:02d}") for s in range(0, 60, 5)
        ]
        assert post_beacon(client, demo_app, beacon(minute, events)).status_code == 200
    ctx = ctx_of(client)
    process_pending(ctx, worker=Worker(ctx, keyframes=KeyframePolicy(max_events=60)))
    cast(FixedClock, ctx.clock).advance(QUIET_MS)
    for _ in range(5):  # the recording went quiet: its last segment is closed and compacted too
        if not process_pending(ctx).compacted:
            break
    segments = ctx.sessions.segments("rec-1")
    assert len(segments) >= 5 and all(s.compacted for s in segments)
    session_id = ctx.sessions.beacon_session("rec-1", 0)
    assert session_id is not None

    before = segments_texts(client, session_id)  # read, masked under the old rules, and cached
    assert all(any(t.startswith("reading ") for t in texts) for texts in before), before

    set_rules(client, demo_app, {"preset": "mask_inputs", "rules": [{"type": "mask", "selector": "#clock"}]})
    after = segments_texts(client, session_id)
    assert len(after) == len(before)
    leaked = [sorted(t for t in texts if "reading" in t)[:3] for texts in after]
    assert not any(leaked), leaked
    # Masked, not dropped: every segment still has the clock's text, as the mask's placeholder characters.
    assert all(any(t and set(t) <= {"*", " "} for t in texts) for texts in after), after
