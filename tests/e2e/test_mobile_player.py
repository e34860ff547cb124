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
from mobile_support import DeviceClock, similarity
from qt_script import record_shop_session
from reel.capture.mobile.queue import HttpTransport
from reel.demo.browser import chromium_browser

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
