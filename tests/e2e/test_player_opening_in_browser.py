"""End to end: a deep link opens from what the player page carries. The session's description comes inline
(the API is not asked for it), the first segment and the actions are fetched once each (the page's
preloads are what the player reads) and the replayer shows that moment; opened at the start, the page's
first frame is drawn before the player takes over in the same stage; a markup payload in a session
field never runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from live import live_reel, open_logged_in
from reel.demo.browser import chromium_browser
from reel.processing.worker import process_pending
from support import T0, custom, dashboard_snapshot, tick
from test_windowed_seek import label, parts, record

pytestmark = pytest.mark.browser

PAYLOAD = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
MINUTES = 12
# Notes the first frame's clock the moment its mark is made (the replayer may take over right after).
FIRST_FRAME_JS = """new PerformanceObserver((list) => {
  if (!list.getEntries().some((e) => e.name === 'reel:first-frame')) return;
  const frame = document.querySelector('iframe.first-frame');
  const clock = frame && frame.contentDocument && frame.contentDocument.getElementById('clock');
  window.firstFrameClock = clock ? clock.textContent : null;
}).observe({ entryTypes: ['mark'] });"""
CLOCK_JS = """(selector) => {
  const frame = document.querySelector(selector);
  const clock = frame && frame.contentDocument && frame.contentDocument.getElementById('clock');
  return clock ? clock.textContent : null;
}"""


def beacons() -> list[list[dict[str, Any]]]:
    """A clock ticking each 10 s for MINUTES minutes, identified by a user whose id is a markup payload."""
    batches: list[list[dict[str, Any]]] = []
    for minute in range(MINUTES):
        start = T0 + minute * 60_000
        batch = (
            [*dashboard_snapshot(T0), custom(T0 + 50, "reel.identify", {"userId": PAYLOAD})]
            if minute == 0
            else []
        )
        batch += [tick(start + s * 10_000 + 500, label(start + s * 10_000 + 500)) for s in range(6)]
        batches.append(batch)
    return batches


def test_a_deep_link_opens_from_the_page_without_asking_twice(tmp_path: Path) -> None:
    with live_reel(tmp_path / "data", background=False) as live, chromium_browser() as browser:
        record(live, "rec-open", beacons())
        while process_pending(live.ctx).beacons:
            pass
        (part,) = parts(live)
        assert live.api(f"/api/v1/sessions/{part.id}")["user_id"] == PAYLOAD
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(FIRST_FRAME_JS)
        page = context.new_page()
        open_logged_in(page, f"{live.reel_url}/sessions")
        asked: list[str] = []
        context.on(
            "request", lambda r: asked.append(r.url.removeprefix(live.reel_url)) if "/api/" in r.url else None
        )
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        at = part.start + 7 * 60_000 + 5_000  # 7:05 into the session
        want = label(T0 + 7 * 60_000 + 500)  # the last tick before it
        page.goto(f"{live.reel_url}/sessions/{part.id}?t={at - part.start}")
        page.evaluate("() => window.reelPlayer.ready")
        assert page.evaluate(CLOCK_JS, ".replayer-wrapper iframe") == want
        assert page.evaluate("() => window.reelPlayer.currentTime()") == at - part.start
        page.wait_for_timeout(500)  # anything asked for after the frame counts too
        shown = max((s for s in part.segments if s["start"] <= at), key=lambda s: int(s["start"]))["n"]
        api = f"/api/v1/sessions/{part.id}"
        assert api not in asked  # the description came with the page
        assert asked.count(f"{api}/segments/{shown}?head=true") == 1, asked  # the preload, read by the player
        assert asked.count(f"{api}/actions") == 1, asked
        assert page.evaluate("() => window.pwned") is None and dialogs == []

        # At the start: the opening script draws the first frame, and the player adopts its stage.
        page.goto(f"{live.reel_url}/sessions/{part.id}")
        page.wait_for_function("() => window.firstFrameClock !== undefined")
        assert page.evaluate("() => window.firstFrameClock") == "0"  # the snapshot's clock
        page.evaluate("() => window.reelPlayer.ready")
        assert page.evaluate("() => document.querySelectorAll('.stage').length") == 1
        assert page.evaluate("() => window.pwned") is None and dialogs == []
        context.close()
