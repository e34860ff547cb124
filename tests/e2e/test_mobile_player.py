"""The mobile player in Chromium: a session recorded from the demo Qt app over real HTTP plays on a
canvas that shows, at each moment, what the app showed (outside the masks), with the masking note."""

from __future__ import annotations

import base64
import io
import os
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from live import live_reel, open_logged_in
from mobile_support import DeviceClock, corrupt_session_events, expected_at, similarity
from qt_script import record_shop_session
from reel.capture.mobile.queue import HttpTransport
from reel.capture.mobile.wire import CONTENT_TYPE, Envelope, encode_body
from reel.demo.browser import chromium_browser
from support import T0

pytestmark = pytest.mark.browser

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def test_the_mobile_player_shows_each_moment_as_the_app_did(tmp_path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    QApplication.setCursorFlashTime(0)
    with live_reel(tmp_path / "data") as live:
        created = httpx.post(
            f"{live.reel_url}/api/v1/applications",
            json={"name": "Shop app", "mobile": True},
            headers=live.auth,
        )
        assert created.status_code == 201, created.text
        transport = HttpTransport(live.reel_url, created.json()["app_key"])
        script, _ = record_shop_session(
            tmp_path, None, None, transport=transport, clock=DeviceClock(int(time.time() * 1000))
        )
        [session] = live.api("/api/v1/sessions", platform="mobile")["sessions"]
        start = session["start"]  # the device clock is right, so event times are as recorded
        with chromium_browser() as browser:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            open_logged_in(page, f"{live.reel_url}/sessions/{session['id']}?t=0")
            page.wait_for_function("() => window.reelPlayer !== undefined && window.reelPlayer.loaded()")
            page.evaluate("() => window.reelPlayer.ready")
            assert "cannot be re-applied" in page.inner_text(".mobile-note")
            for moment in script.moments:
                page.evaluate("ms => window.reelPlayer.seek(ms)", moment.ts - start)
                assert page.evaluate("() => window.reelPlayer.state()") in ("paused", "ended")
                data_url = page.evaluate("() => document.querySelector('canvas.mobile-screen').toDataURL()")
                shown = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGB")
                boxes = [m.pixel_box(1.0) for m in moment.masks]
                assert similarity(shown, moment.screenshot, exclude=boxes) >= 0.98, moment.label
            assert page.evaluate("() => window.reelPlayer.currentUrl()") == "Catalogue"
            page.evaluate("() => window.reelPlayer.seek(0)")
            page.keyboard.press("Space")
            page.wait_for_function("() => window.reelPlayer.state() === 'playing'")


def test_the_player_skips_and_marks_images_that_do_not_decode(tmp_path: Path) -> None:
    """A full frame and a partial frame whose images do not decode: every other moment plays as sent,
    the broken full frame shows grey, and the player says what was skipped (never "no screen yet")."""
    with live_reel(tmp_path / "data") as live:
        created = httpx.post(
            f"{live.reel_url}/api/v1/applications",
            json={"name": "Shop app", "mobile": True},
            headers=live.auth,
        )
        key = created.json()["app_key"]
        events, images = corrupt_session_events()
        halves = ((0, 3), (3, 7))
        for seq, (low, high) in enumerate(halves):
            part = [{**e, "image": e["image"] - min(3, low)} if "image" in e else e for e in events[low:high]]
            body = encode_body(Envelope("m-rec-bad", "s", seq, T0), part, images[low : low + 3])
            answer = httpx.post(
                f"{live.reel_url}/v1/mobile/beacons",
                params={"k": key},
                content=body,
                headers={"Content-Type": CONTENT_TYPE},
            )
            assert answer.status_code == 200, answer.text
        [session] = live.api("/api/v1/sessions", platform="mobile")["sessions"]
        with chromium_browser() as browser:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            open_logged_in(page, f"{live.reel_url}/sessions/{session['id']}?t=0")
            page.wait_for_function("() => window.reelPlayer !== undefined && window.reelPlayer.loaded()")
            page.evaluate("() => window.reelPlayer.ready")
            for t in range(0, 6000, 500):
                page.evaluate("ms => window.reelPlayer.seek(ms)", t)
                assert page.evaluate("() => window.reelPlayer.state()") in ("paused", "ended"), t
                data_url = page.evaluate("() => document.querySelector('canvas.mobile-screen').toDataURL()")
                shown = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGB")
                top, bottom, _ = expected_at(t)
                assert (shown.getpixel((18, 10)), shown.getpixel((18, 50))) == (top, bottom), t
                assert page.is_hidden(".overlay-card") or "first full frame" not in page.inner_text("body")
            assert page.evaluate("() => window.reelPlayer.skippedFrames()") == 2
            banner = page.inner_text(".skipped-frames")
            assert "2 frame images could not be decoded" in banner, banner
