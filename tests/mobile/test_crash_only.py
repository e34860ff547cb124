"""Crash-only mode: nothing leaves the app until it crashes; then only the last N seconds do, starting
with the screen exactly as it was N seconds before the crash."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image

from mobile_support import ClientTransport, DeviceClock, similarity
from qt_script import Script
from reel.capture.mobile.qt import QtCapture
from reel.capture.mobile.queue import UploadQueue
from reel.capture.mobile.recorder import Recorder, RecorderConfig
from reel.demo.mobile_app import MobileShop
from reel.domain.records import Application
from reel.processing.worker import process_pending

WINDOW_MS = 10_000


def test_a_crash_uploads_only_the_last_seconds(
    qapp: object, tmp_path: Path, client: TestClient, mobile_app: Application
) -> None:
    clock = DeviceClock()
    transport = ClientTransport(client, mobile_app.app_key)
    queue = UploadQueue(tmp_path / "queue", transport, clock=clock)
    shop = MobileShop()
    shop.show()
    config = RecorderConfig(crash_only=True, crash_window_ms=WINDOW_MS)
    capture = QtCapture(shop, Recorder(config, queue, clock=clock))
    capture.start(auto=False)
    capture.install_crash_handler()
    started = clock.now
    script = Script(shop, capture, clock)
    script.step("catalogue")
    script.step("product", shop.tap_product, 1)
    script.idle(8_000)
    script.step("checkout", shop.tap, shop.buy_button)
    script.step("typed name", shop.type_into, shop.name_field, "Grace Hopper")
    script.idle(6_000)
    script.step("typed coupon", shop.type_into, shop.coupon_field, "WELCOME")
    script.step("back", shop.tap, shop.back)
    script.idle(3_000)
    script.step("list again", shop.tap, shop.back)
    assert clock.now - started > 2 * WINDOW_MS
    capture.recorder.tick()
    capture.recorder.flush()
    assert queue.pending() == [] and transport.sent == []  # nothing at all before the crash

    try:
        raise RuntimeError("card number 4111 1111 1111 1111 rejected")  # a message is never sent
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    crashed_at = clock.now
    capture.stop()
    assert queue.send_pending().pending == 0
    assert transport.sent and set(transport.sent) == {200}

    [session] = client.get("/api/v1/sessions", params={"platform": "mobile"}).json()["sessions"]
    cutoff = crashed_at - WINDOW_MS
    assert session["start"] == cutoff and session["end"] == crashed_at
    events = client.get(f"/api/v1/sessions/{session['id']}/mobile-events").json()["events"]
    assert all(cutoff <= e["timestamp"] <= crashed_at for e in events)
    assert events[0]["timestamp"] == cutoff and any(e["type"] == "frame" and e["full"] for e in events[:3])
    [crash] = [e for e in events if e["type"] == "crash"]
    assert crash["kind"] == "RuntimeError" and "4111" not in str(crash)

    # The screen at the window's start is the last one shown before it, rebuilt from older frames.
    before = [m for m in script.moments if m.ts <= cutoff][-1]
    response = client.get(f"/api/v1/sessions/{session['id']}/frame", params={"t": 0})
    picture = Image.open(io.BytesIO(response.content)).convert("RGB")
    boxes = [m.pixel_box(1.0) for m in before.masks]
    assert before.label == "typed name"
    assert similarity(picture, before.screenshot, exclude=boxes) >= 0.98
    last = client.get(f"/api/v1/sessions/{session['id']}/frame", params={"t": crashed_at - cutoff})
    final = Image.open(io.BytesIO(last.content)).convert("RGB")
    assert similarity(final, script.moments[-1].screenshot) >= 0.98

    process_pending(client.app.state.reel)  # type: ignore[attr-defined]
    actions = client.get(f"/api/v1/sessions/{session['id']}/actions").json()["actions"]
    assert next(a for a in actions if a["kind"] == "error")["data"]["crash"] is True
    assert client.get("/api/v1/sessions", params={"has_errors": "true"}).json()["total"] == 1
    shop.close()
