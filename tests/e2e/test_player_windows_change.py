"""End to end: a session opened in the player before processing has cut it into segments still plays.

The player page describes the session as it is when the page is made: unprocessed, its events form
window -1 (read from the beacons). If processing cuts the recording into segments before the player asks
for that window, the window is gone (404, "no such segment"): the player reads the session's description
again and plays, instead of saying the session was not found.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from live import live_reel, open_logged_in, post_events
from reel.demo.browser import chromium_browser
from reel.processing.worker import process_pending

pytestmark = pytest.mark.browser

SEGMENTS = re.compile(r"/api/v1/sessions/[^/]+/segments/")


def opening(ts: int, href: str) -> list[dict[str, Any]]:
    """Meta and a full snapshot of a page saying hello."""
    text = {"type": 3, "id": 6, "textContent": "hello"}
    body = {
        "type": 2,
        "id": 4,
        "tagName": "body",
        "attributes": {},
        "childNodes": [
            {"type": 2, "id": 5, "tagName": "p", "attributes": {"id": "probe"}, "childNodes": [text]}
        ],
    }
    head = {"type": 2, "id": 3, "tagName": "head", "attributes": {}, "childNodes": []}
    html = {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [head, body]}
    return [
        {"type": 4, "timestamp": ts, "data": {"href": href, "width": 800, "height": 600}},
        {
            "type": 2,
            "timestamp": ts,
            "data": {
                "node": {"type": 0, "id": 1, "childNodes": [html]},
                "initialOffset": {"top": 0, "left": 0},
            },
        },
    ]


def test_a_player_opened_before_processing_plays_once_processing_cut_the_session(tmp_path: Path) -> None:
    with live_reel(tmp_path / "data", background=False) as live, chromium_browser() as browser:
        app = live.api("/api/v1/applications")["applications"][0]
        now = int(time.time() * 1000) - 10_000
        post_events(live, app, "rec-w", opening(now, f"{live.shop_url}/"))
        [session] = live.api("/api/v1/sessions")["sessions"]
        detail = f"/api/v1/sessions/{session['id']}"
        assert [s["n"] for s in live.api(detail)["segments"]] == [-1]  # not processed: window -1

        context = browser.new_context()
        held: list[Any] = []
        released = [False]
        context.route(SEGMENTS, lambda route: route.continue_() if released[0] else held.append(route))
        tab = context.new_page()
        open_logged_in(tab, f"{live.reel_url}/sessions/{session['id']}")
        for _ in range(200):  # the page's request for window -1, held
            if held:
                break
            tab.wait_for_timeout(50)
        assert [r.request.url.split("/segments/")[1] for r in held] == ["-1?head=true"]

        process_pending(live.ctx)  # processing cuts the recording: window -1 is gone
        assert -1 not in [s["n"] for s in live.api(detail)["segments"]]
        released[0] = True
        for route in held:
            route.continue_()
        tab.evaluate("() => window.reelPlayer.ready")
        state = tab.evaluate("() => window.reelPlayer.state()")
        shown = tab.evaluate(
            "() => window.reelPlayer.iframe()?.contentDocument?.getElementById('probe')?.textContent"
        )
        context.close()
    assert state != "error" and shown is not None  # the page, its text masked by the default rules
