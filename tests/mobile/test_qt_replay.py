"""The demo Qt app, recorded through the SDK and played back by the server: at every moment of a
scripted session the composited frame matches what the app showed, except where masks hide input."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
from fastapi.testclient import TestClient
from PIL import Image

from mobile_support import region_is_flat, similarity
from qt_script import TYPED, record_shop_session
from reel.capture.mobile.masking import MASK_COLOR, MASK_EDGE
from reel.domain.records import Application
from reel.processing.worker import process_pending
from support import stored_events


def test_composited_frames_match_the_app_outside_masks(
    qapp: object, tmp_path: Path, client: TestClient, mobile_app: Application
) -> None:
    script, transport = record_shop_session(tmp_path, client, mobile_app)
    assert transport.sent and set(transport.sent) == {200}
    [session] = client.get("/api/v1/sessions", params={"platform": "mobile"}).json()["sessions"]
    assert session["platform"] == "mobile" and session["has_replay"] is True
    assert session["first_url"] == "Catalogue"
    masked_moments = 0
    for moment in script.moments:
        response = client.get(
            f"/api/v1/sessions/{session['id']}/frame", params={"t": moment.ts - session["start"]}
        )
        assert response.status_code == 200, (moment.label, response.text)
        assert response.headers["content-type"] == "image/png"
        composite = Image.open(io.BytesIO(response.content)).convert("RGB")
        boxes = [m.pixel_box(1.0) for m in moment.masks]
        score = similarity(composite, moment.screenshot, exclude=boxes)
        assert score >= 0.98, (moment.label, score)
        for box in boxes:
            assert region_is_flat(composite, box, [MASK_COLOR, MASK_EDGE]), (moment.label, box)
            assert not region_is_flat(moment.screenshot, box, [MASK_COLOR, MASK_EDGE])
        masked_moments += bool(boxes)
    assert masked_moments >= 4  # the form's fields and the order number were on screen and masked


def test_the_session_lists_views_taps_and_typing_but_never_the_text(
    qapp: object, tmp_path: Path, client: TestClient, mobile_app: Application
) -> None:
    record_shop_session(tmp_path, client, mobile_app)
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    process_pending(ctx)
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    actions = client.get(f"/api/v1/sessions/{session['id']}/actions").json()["actions"]
    loads = [a["url"] for a in actions if a["kind"] == "load"]
    assert loads == ["Catalogue", "Product", "Checkout", "Thanks", "Catalogue"]
    taps = [a["target"] for a in actions if a["kind"] == "tap"]
    assert "QPushButton#buy" in taps and "QPushButton#pay" in taps
    inputs = [a["target"] for a in actions if a["kind"] == "input"]
    assert inputs == ["QLineEdit#name", "QLineEdit#email", "QLineEdit#coupon"]
    events = stored_events(ctx.sessions, ctx.blobs, session["recording_id"])
    stored = orjson.dumps(events)
    keys = [e for e in events if e["type"] == "keys"]
    assert sum(e["count"] for e in keys) == sum(len(t) for t in TYPED) + len("SPRING24")
    for text in TYPED:
        assert text.encode() not in stored
