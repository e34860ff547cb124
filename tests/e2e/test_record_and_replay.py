"""End to end: record a scripted visit to the demo shop in real Chromium, then play it back and compare."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from live import LiveReel, live_reel, open_logged_in
from reel.demo.browser import chromium_browser
from reel.demo.visit import VisitLog, run_visit_in_chromium
from reel.storage.chunks import decode_doc, decode_events
from reel.storage.segments import decode_segment

pytestmark = pytest.mark.browser

# What identifies each page of the shop in a DOM (the replay's or the live one).
PAGE_MARKERS = {
    "/": ".product-card",
    "/products/enamel-mug": "#add-to-cart",
    "/cart": "#checkout-link",
    "/checkout": "#checkout-form",
    "/thanks": "#thanks",
}


@dataclass(frozen=True)
class Recorded:
    live: LiveReel
    log: VisitLog
    session: dict[str, Any]

    @property
    def reel_url(self) -> str:
        return self.live.reel_url


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    """One scripted visit recorded by a real Reel on embedded storage (SQLite + files)."""
    with live_reel(tmp_path_factory.mktemp("reel") / "data") as live:
        log = run_visit_in_chromium(live.shop_url)
        yield Recorded(live, log, wait_for_session(live.reel_url, log, live.auth))


def wait_for_session(
    reel_url: str, log: VisitLog, auth: dict[str, str], timeout_s: float = 20.0
) -> dict[str, Any]:
    """The visit's session once its last beacons have arrived (nothing new for a second)."""
    deadline = time.monotonic() + timeout_s
    last: tuple[int, int] | None = None
    while time.monotonic() < deadline:
        sessions = httpx.get(f"{reel_url}/api/v1/sessions", headers=auth).json()["sessions"]
        if len(sessions) == 1:
            s = sessions[0]
            now = (s["beacons"], s["events"])
            if now == last and s["closed"] and "/thanks" in s["last_url"]:
                detail = httpx.get(f"{reel_url}/api/v1/sessions/{s['id']}", headers=auth)
                return detail.json()  # type: ignore[no-any-return]
            last = now
        time.sleep(1.0)
    listing = httpx.get(f"{reel_url}/api/v1/sessions", headers=auth).text
    raise AssertionError(f"the visit's session did not settle: {listing}")


def test_the_visit_is_one_complete_playable_session(recorded: Recorded) -> None:
    s = recorded.session
    assert s["has_replay"] is True
    assert s["missing_beacons"] == 0 and s["gaps"] == []
    assert s["pages"] >= 5
    assert s["first_url"].endswith("/") and "/thanks" in s["last_url"]
    assert s["start"] <= recorded.log.moment("catalogue").wall_ms
    assert s["end"] >= recorded.log.moment("checkout-filled").wall_ms
    assert s["closed"] and s["close_reason"] == "tab_closed"


def replay_state(page: Any) -> dict[str, Any]:
    return page.evaluate(  # type: ignore[no-any-return]
        """(markersBySelector) => {
          const frame = window.reelPlayer.iframe();
          const doc = frame && frame.contentDocument;
          if (!doc) return null;
          const modal = doc.getElementById("modal");
          const markers = {};
          for (const [path, selector] of Object.entries(markersBySelector)) {
            markers[path] = doc.querySelector(selector) !== null;
          }
          return {
            url: window.reelPlayer.currentUrl(),
            modal: modal !== null && !modal.hasAttribute("hidden"),
            markers,
            scrollY: frame.contentWindow ? Math.round(frame.contentWindow.scrollY) : -1,
            html: doc.documentElement ? doc.documentElement.outerHTML : "",
          };
        }""",
        PAGE_MARKERS,
    )


def test_seeking_shows_the_page_and_state_the_user_saw(recorded: Recorded) -> None:
    s = recorded.session
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_logged_in(page, f"{recorded.reel_url}/sessions/{s['id']}")
        page.wait_for_function("() => window.reelPlayer !== undefined")
        page.evaluate("() => window.reelPlayer.ready")
        sandbox = page.evaluate("() => window.reelPlayer.iframe().getAttribute('sandbox')")
        assert sandbox == "allow-same-origin"
        seen_html: list[str] = []
        for moment in recorded.log.moments:
            page.evaluate("ms => window.reelPlayer.seek(ms)", moment.wall_ms - s["start"])
            state = replay_state(page)
            assert state is not None, moment.step
            seen_html.append(state["html"])
            # The default URL rule masks every query value (`/thanks?order=***`).
            assert state["url"] == re.sub(r"=[^&]+", "=***", moment.url), moment.step
            shown = [path for path, present in state["markers"].items() if present]
            assert shown == [moment.path], (moment.step, shown)
            assert state["modal"] == moment.modal_open, moment.step
            if moment.step == "product-scrolled":
                assert abs(state["scrollY"] - moment.scroll_y) <= 80, (state["scrollY"], moment.scroll_y)
        for typed in recorded.log.typed_strings:
            assert not any(typed in html for html in seen_html), typed


def decode_stored(path: Path) -> object:
    """A blob's content: a segment, a mobile image, a JSON document (keyframes, checkpoints), or a
    captured resource as fetched."""
    if path.parent.name == "resources" or path.name.startswith("img-"):
        return path.read_bytes().decode("utf-8", errors="replace")
    if path.name.startswith("seg-"):
        return decode_segment(path.read_bytes())
    return decode_doc(path.read_bytes())


def buffered_texts(db_path: Path) -> list[str]:
    """The beacons waiting in the session store's buffer, decompressed."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return [str(decode_events(row[0])) for row in db.execute("SELECT payload FROM beacon_buffer")]
    finally:
        db.close()


def test_typed_text_is_in_no_stored_byte_and_no_player_response(recorded: Recorded) -> None:
    typed = recorded.log.typed_strings
    # Every stored blob, decompressed, and the SQLite files as raw bytes.
    blob_root = recorded.live.data_dir / "blobs"
    blob_texts = [str(decode_stored(p)) for p in blob_root.rglob("*") if p.is_file()]
    blob_texts += buffered_texts(recorded.live.data_dir / "reel.sqlite3")
    assert blob_texts, "no events were stored"
    db_bytes = b"".join(p.read_bytes() for p in recorded.live.data_dir.glob("reel.sqlite3*"))
    events_url = f"{recorded.reel_url}/api/v1/sessions/{recorded.session['id']}/events"
    events = httpx.get(events_url, headers=recorded.live.auth).text
    for text in typed:
        assert not any(text in blob for blob in blob_texts), text
        assert text.encode() not in db_bytes, text
        assert text not in events, text
    # The canary prefix itself must not survive either (no partial leaks such as the first letters).
    assert recorded.log.typed[0][1].split("-")[0] not in events
