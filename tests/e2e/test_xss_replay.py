"""End to end: a forged recording full of script posted straight to ingest runs nothing when played.

Brief §8 and rrweb issues 1817/1528: recorded DOM is untrusted. The payloads try every way in — script
elements (inline and external), `<img onerror>`, `<svg onload>`, a `javascript:` link the test clicks,
`srcdoc`, meta refresh, and the same again added later by mutations. Each one, if it ran, would set a
flag on the player page or make a request to a trap server; neither may happen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from live import live_reel, open_logged_in, post_events
from reel.demo.browser import chromium_browser

pytestmark = pytest.mark.browser

T0 = int(time.time() * 1000) - 60_000


class Trap:
    """A loopback HTTP server that counts every request it gets."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"window.parent.__xss = 'external';")

            def log_message(self, *args: Any) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def trap() -> Iterator[Trap]:
    t = Trap()
    yield t
    t.server.shutdown()


def el(node_id: int, tag: str, attrs: dict[str, Any], children: list[Any] | None = None) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": children or []}


def text(node_id: int, value: str) -> dict[str, Any]:
    return {"type": 3, "id": node_id, "textContent": value}


def forged_events(trap: str) -> list[dict[str, Any]]:
    flag = "window.parent.__xss='{0}';window.top.__xss='{0}';fetch('" + trap + "/{0}')"
    body = [
        el(10, "script", {}, [text(11, flag.format("inline-script"))]),
        el(12, "script", {"src": f"{trap}/external.js"}),
        el(13, "img", {"src": f"{trap}/missing.png", "onerror": flag.format("img-onerror")}),
        el(14, "svg", {"onload": flag.format("svg-onload")}),
        el(15, "a", {"id": "jslink", "href": "javascript:" + flag.format("js-link")}, [text(16, "click me")]),
        el(17, "iframe", {"srcdoc": "<script>" + flag.format("srcdoc") + "</script>"}),
        el(18, "div", {"id": "target", "onclick": flag.format("onclick")}, [text(19, "target")]),
        el(
            20,
            "form",
            {"action": "javascript:" + flag.format("form")},
            [el(21, "button", {"id": "go"}, [text(22, "go")])],
        ),
    ]
    head = [el(5, "meta", {"http-equiv": "refresh", "content": f"0;url={trap}/refresh"})]
    node = {
        "type": 0,
        "id": 1,
        "childNodes": [el(2, "html", {}, [el(3, "head", {}, head), el(4, "body", {}, body)])],
    }
    later = [
        {
            "parentId": 4,
            "nextId": None,
            "node": el(30, "img", {"src": "x:", "onerror": flag.format("late-img")}),
        },
        {"parentId": 4, "nextId": None, "node": el(31, "script", {}, [text(32, flag.format("late-script"))])},
    ]
    return [
        {"type": 4, "timestamp": T0, "data": {"href": "http://shop.invalid/", "width": 1000, "height": 700}},
        {"type": 2, "timestamp": T0, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}},
        {
            "type": 3,
            "timestamp": T0 + 1000,
            "data": {
                "source": 0,
                "adds": later,
                "removes": [],
                "texts": [],
                "attributes": [{"id": 18, "attributes": {"onmouseover": flag.format("late-attr")}}],
            },
        },
        {"type": 3, "timestamp": T0 + 2000, "data": {"source": 2, "type": 2, "id": 15, "x": 5, "y": 5}},
    ]


def test_a_forged_recording_runs_nothing_and_requests_nothing(tmp_path: Path, trap: Trap) -> None:
    with live_reel(tmp_path / "data") as live, chromium_browser() as browser:
        app = live.api("/api/v1/applications")["applications"][0]
        post_events(live, app, "forged-1", forged_events(trap.url), session_id="forged", final=True)
        [session] = live.api("/api/v1/sessions")["sessions"]

        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        open_logged_in(page, f"{live.reel_url}/sessions/{session['id']}")
        page.evaluate("() => window.reelPlayer.ready")
        page.evaluate("() => window.reelPlayer.seek(2500)")
        frame = page.evaluate_handle("() => window.reelPlayer.iframe()").as_element().content_frame()
        assert frame is not None
        assert (
            page.evaluate("() => window.reelPlayer.iframe().getAttribute('sandbox')") == "allow-same-origin"
        )
        # Click everything that could run something; in a sandbox without allow-scripts nothing may.
        for selector in ("#jslink", "#target", "#go"):
            if frame.locator(selector).count():
                frame.locator(selector).first.click(force=True, no_wait_after=True)
        page.mouse.move(10, 10)
        page.wait_for_timeout(1500)

        assert page.evaluate("() => window.__xss") is None
        assert frame.evaluate("() => window.__xss === undefined")
        assert trap.hits == []
        assert [u for u in requests if u.startswith(trap.url)] == []
        assert dialogs == []
        # What the player was sent holds none of it either.
        events = httpx.get(f"{live.reel_url}/api/v1/sessions/{session['id']}/events", headers=live.auth).text
        for needle in ("onerror", "onload", "onclick", "onmouseover", "javascript:", "srcdoc", "http-equiv"):
            assert needle not in events, needle
        # The page still shows the harmless content (the link text and the target box).
        assert frame.locator("#target").count() == 1
