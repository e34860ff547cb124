"""A masking rule made stricter after a recording was compacted hides the newly masked text in every
segment at once: windows read from compacted segments (and cached, masked under the old rules, in memory
and as masked copies kept in the replay store since compaction) are masked again with the rules current
at replay, never served from an old copy."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from compacted import compact_to_end, kept_copies, record_clock
from conftest import BeaconMaker
from reel.domain.records import Application
from support import set_rules

MINUTES = 40


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
    ctx, worker = record_clock(client, demo_app, beacon, MINUTES)
    compact_to_end(ctx, worker)  # the recording went quiet: its last segment is closed and compacted too
    segments = ctx.sessions.segments("rec-1")
    assert len(segments) >= 5 and all(s.compacted for s in segments)
    session_id = ctx.sessions.beacon_session("rec-1", 0)
    assert session_id is not None
    # Compaction kept every segment masked under the rules of the time (one copy each).
    assert len(kept_copies(ctx)) == len(segments), kept_copies(ctx)

    before = segments_texts(client, session_id)  # read from the kept copies, and cached in memory
    assert all(any(t.startswith("reading ") for t in texts) for texts in before), before

    set_rules(client, demo_app, {"preset": "mask_inputs", "rules": [{"type": "mask", "selector": "#clock"}]})
    after = segments_texts(client, session_id)
    assert len(after) == len(before)
    leaked = [sorted(t for t in texts if "reading" in t)[:3] for texts in after]
    assert not any(leaked), leaked
    # Masked, not dropped: every segment still has the clock's text, as the mask's placeholder characters.
    assert all(any(t and set(t) <= {"*", " "} for t in texts) for texts in after), after
    # Read again, each segment is kept under the new rules version, replacing the older copy.
    copies = kept_copies(ctx)
    version = ctx.rules.current(demo_app.id).rules.version
    assert len(copies) == len(segments) and all(f"-r{version}-" in k for k in copies), copies
    ctx.replay_cache.clear()  # as after a restart: only the kept copies are left
    assert not any(t for texts in segments_texts(client, session_id) for t in texts if "reading" in t)


def test_a_kept_copy_made_under_the_old_rules_is_never_read_after_a_rule_change(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    """Masked copies kept at compaction, then rules made stricter with no read in between: after a
    restart (nothing in memory) the first read masks with the new rules."""
    set_rules(client, demo_app, {"preset": "mask_inputs"})
    ctx, _worker = record_clock(client, demo_app, beacon, 10)
    old = kept_copies(ctx)
    assert old
    set_rules(client, demo_app, {"preset": "mask_inputs", "rules": [{"type": "mask", "selector": "#clock"}]})
    ctx.replay_cache.clear()
    session_id = ctx.sessions.beacon_session("rec-1", 0)
    assert session_id is not None
    texts = segments_texts(client, session_id)
    assert not any(t for found in texts for t in found if "reading" in t), texts
    assert not set(old) & set(kept_copies(ctx))  # the old copies were replaced as their segments were read
