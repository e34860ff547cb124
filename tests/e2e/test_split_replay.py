"""End to end: playing part 3 of a split recording shows the DOM built in part 1, and nothing later."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from live import live_reel, open_logged_in
from reel.demo.browser import chromium_browser
from support import HOUR, MINUTE, T0, add_element, dashboard_snapshot, tick

pytestmark = pytest.mark.browser


def dashboard(hours: int) -> list[list[dict[str, Any]]]:
    """A ticking dashboard, a beacon per hour; #early appears at 1 h 30 min, #late at 25 h."""
    batches = []
    for h in range(hours):
        events = dashboard_snapshot(T0) if h == 0 else []
        events += [tick(T0 + h * HOUR + m * MINUTE + 30_000, f"{h}:{m:02d}") for m in range(0, 60, 5)]
        if h == 1:
            events.append(add_element(T0 + HOUR + 30 * MINUTE, 100, "early"))
        if h == 25:
            events.append(add_element(T0 + 25 * HOUR + 5, 101, "late"))
        batches.append(events)
    return batches


def test_part_3_plays_from_the_state_built_in_part_1(tmp_path: Path) -> None:
    with live_reel(tmp_path / "data") as live, chromium_browser() as browser:
        app = live.api("/api/v1/applications")["applications"][0]
        origin = app["origins"][0]
        # The clock's text is what this test reads: show all text (the default masks it at replay).
        rules = {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "*"}]}
        url = f"{live.reel_url}/api/v1/applications/{app['id']}/masking-rules"
        assert httpx.put(url, json=rules, headers=live.auth).status_code == 200
        for seq, events in enumerate(dashboard(30)):
            body = {"v": 1, "recording_id": "rec-split", "session_id": "s-1", "seq": seq, "events": events}
            response = httpx.post(
                f"{live.reel_url}/v1/web/beacons",
                params={"k": app["app_key"]},
                content=orjson.dumps(body),
                headers={"Origin": origin, "Content-Type": "text/plain"},
            )
            assert response.status_code == 200, response.text
        parts: list[dict[str, Any]] = []
        for _ in range(60):  # background processing splits within a second or two
            parts = live.api("/api/v1/sessions", sort="start")["sessions"]
            if len(parts) == 4:
                break
            time.sleep(0.5)
        assert [p["part"] for p in parts] == [1, 2, 3, 4]
        third = parts[2]
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_logged_in(page, f"{live.reel_url}/sessions/{third['id']}")
        page.evaluate("() => window.reelPlayer.ready")
        page.evaluate("() => window.reelPlayer.seek(1)")
        first = page.evaluate(
            """() => {
              const doc = window.reelPlayer.iframe().contentDocument;
              return { early: !!doc.getElementById('early'), late: !!doc.getElementById('late'),
                       clock: doc.getElementById('clock') ? doc.getElementById('clock').textContent : null };
            }"""
        )
        assert first == {"early": True, "late": False, "clock": "15:55"}
        page.evaluate(f"() => window.reelPlayer.seek({8 * HOUR - 1000})")  # the very end of part 3
        last = page.evaluate("() => !!window.reelPlayer.iframe().contentDocument.getElementById('late')")
        assert last is False
