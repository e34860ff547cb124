"""In Chromium: the player reads the API's error answers in one place (web/src/player/apierror.ts) for
the page's requests and the events worker's alike: the server's message is shown, and a proxy's 502 page
counts as a network failure that may be retried."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from live import LiveReel, live_reel, open_logged_in, post_events
from reel.demo.browser import chromium_browser
from support import T0, make_events

pytestmark = pytest.mark.browser


def recorded_session(live: LiveReel) -> str:
    app = live.api("/api/v1/applications")["applications"][0]
    post_events(live, app, "rec-err", make_events(T0, 5, full=True), session_id="s-err")
    for _ in range(60):
        sessions = live.api("/api/v1/sessions")["sessions"]
        if sessions:
            return str(sessions[0]["id"])
        time.sleep(0.25)
    raise AssertionError("the session did not appear")


def player_error(page: Any) -> str:
    page.wait_for_function("() => window.reelPlayer && window.reelPlayer.error()", timeout=20_000)
    return str(page.evaluate("() => window.reelPlayer.error()"))


def json_error(status: int, message: str) -> dict[str, Any]:
    body = orjson.dumps({"error": {"code": "test", "message": message}}).decode()
    return {"status": status, "content_type": "application/json", "body": body}


def test_the_page_and_the_events_worker_show_the_servers_reason(tmp_path: Path) -> None:
    with live_reel(tmp_path / "data") as live, chromium_browser() as browser:
        session_id = recorded_session(live)
        player = f"{live.reel_url}/sessions/{session_id}"
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        open_logged_in(page, f"{live.reel_url}/sessions")

        # The page's own request (the description comes with the page: its first segment, preloaded by
        # the page and read by the player): the reason in the JSON error body is what the operator reads.
        first = f"**/api/v1/sessions/{session_id}/segments/*"
        page.route(first, lambda r: r.fulfill(**json_error(409, "held for a test")))
        page.goto(player)
        assert player_error(page) == "This session cannot be played: held for a test"

        # A proxy's HTML page for 502: no JSON to read, and a failure that may pass.
        page.unroute(first)
        page.route(
            first, lambda r: r.fulfill(status=502, content_type="text/html", body="<h1>Bad Gateway</h1>")
        )
        page.goto(player)
        assert player_error(page).startswith("Could not reach the Reel server: The server answered 502")

        # Refused for the whole context (the page's preload and the events workers' requests alike).
        page.unroute(first)
        page.context.route(
            "**/segments/**", lambda r: r.fulfill(**json_error(403, "segment refused for a test"))
        )
        page.goto(player)
        assert player_error(page) == "This session cannot be played: segment refused for a test"
