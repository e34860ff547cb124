"""What Reel drops or cannot do is counted and logged once with the session id, never passed over in silence:
events left out by replay masking, problems the DOM mirror meets, a processing state that is gone, and a
first frame that could not be made (issue 17, item 3)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from conftest import BeaconMaker
from reel.domain.records import Application, ProcessingProgress
from reel.domain.splits import SplitPolicy
from reel.errors import StorageUnavailable
from reel.processing.keyframes import KeyframePolicy
from reel.processing.rounds import resume_processor
from reel.processing.worker import process_pending
from support import T0, ctx_of, make_events, post_beacon


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def recorded(client: TestClient, app: Application, beacon: BeaconMaker, *later: list[dict[str, Any]]) -> str:
    """Record beacon 0 (a page) and then `later` beacons; process them; the server's session id."""
    assert post_beacon(client, app, beacon(0)).status_code == 200
    for seq, events in enumerate(later, start=1):
        assert post_beacon(client, app, beacon(seq, events)).status_code == 200
    ctx = ctx_of(client)
    process_pending(ctx)
    return ctx.sessions.beacons("rec-1")[0].session_id


def logged(caplog: pytest.LogCaptureFixture, *words: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if all(w in r.getMessage() for w in words)]


def test_events_masking_leaves_out_are_counted_and_logged_with_the_session(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, caplog: pytest.LogCaptureFixture
) -> None:
    unreadable = [{"type": 3, "timestamp": T0 + 5000, "data": {"source": 99}} for _ in range(3)]
    session_id = recorded(client, demo_app, beacon, unreadable)
    before = sample("reel_replay_events_dropped_total", reason="dropped")
    caplog.set_level(logging.INFO, logger="reel.replay")
    answer = client.get(f"/api/v1/sessions/{session_id}/events")
    assert answer.status_code == 200
    assert sample("reel_replay_events_dropped_total", reason="dropped") - before == 3
    assert len(logged(caplog, session_id, "left out 3 of")) == 1


def test_problems_the_dom_mirror_meets_are_counted_and_logged_with_the_session(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, caplog: pytest.LogCaptureFixture
) -> None:
    # Two mutations about nodes the page never had: nothing the mirror can apply as sent.
    orphans = [
        {
            "type": 3,
            "timestamp": T0 + 5000 + i,
            "data": {
                "source": 0,
                "adds": [],
                "removes": [{"parentId": 900 + i, "id": 901 + i}],
                "texts": [],
                "attributes": [{"id": 950 + i, "attributes": {"class": "x"}}],
            },
        }
        for i in range(2)
    ]
    before = sample("reel_mirror_problems_total")
    caplog.set_level(logging.WARNING, logger="reel.processing")
    session_id = recorded(client, demo_app, beacon, orphans)
    assert sample("reel_mirror_problems_total") - before >= 2
    lines = logged(caplog, "rec-1", session_id, "could not be applied")
    assert len(lines) == 1


def test_a_processing_state_that_is_gone_is_counted_and_logged_before_starting_afresh(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    ctx = ctx_of(client)
    policy, keyframes = SplitPolicy(1000, 8 * 3600_000), KeyframePolicy()
    caplog.set_level(logging.WARNING, logger="reel.processing")
    before = sample("reel_processing_state_missing_total", what="state")
    gone = ProcessingProgress("rec-gone", processed_seq=4, state="", updated_at=T0)
    resume_processor(ctx, gone, "web", policy, keyframes, session_id="ses-gone")
    assert sample("reel_processing_state_missing_total", what="state") - before == 1
    assert len(logged(caplog, "rec-gone", "ses-gone", "state missing")) == 1

    before = sample("reel_processing_state_missing_total", what="blob")
    old = ProcessingProgress("rec-old", processed_seq=4, state="", updated_at=T0, state_key="state/rec-old")
    resume_processor(ctx, old, "web", policy, keyframes, session_id="ses-old")
    assert sample("reel_processing_state_missing_total", what="blob") - before == 1
    assert len(logged(caplog, "rec-old", "ses-old", "blob state/rec-old is missing")) == 1


def test_a_fresh_recording_has_no_state_to_miss(client: TestClient) -> None:
    ctx = ctx_of(client)
    before = sample("reel_processing_state_missing_total", what="state")
    fresh = ProcessingProgress("rec-new", processed_seq=-1, state="", updated_at=T0)
    resume_processor(ctx, fresh, "web", SplitPolicy(1000, 8 * 3600_000), KeyframePolicy())
    assert sample("reel_processing_state_missing_total", what="state") == before


@pytest.mark.parametrize(
    ("failure", "reason"),
    [(StorageUnavailable("the blob store is down"), "storage"), (RuntimeError("a bug"), "error")],
)
def test_a_first_frame_that_cannot_be_made_is_counted_and_logged_and_the_page_still_loads(
    client: TestClient,
    demo_app: Application,
    beacon: BeaconMaker,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    reason: str,
) -> None:
    session_id = recorded(client, demo_app, beacon, make_events(T0 + 1000, 2))
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200 and "reel-first-frame" in page.text  # the frame is there when it can be

    def fail(*_args: object) -> list[dict[str, Any]]:
        raise failure

    monkeypatch.setattr("reel.player.frame.frame_events", fail)
    ctx_of(client).replay_cache.clear()  # the frame made above is kept: this page makes it again
    before = sample("reel_first_frame_failures_total", reason=reason)
    caplog.set_level(logging.WARNING, logger="reel.player")
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert sample("reel_first_frame_failures_total", reason=reason) - before == 1
    assert len(logged(caplog, "no first frame for session", session_id)) == 1
