"""End to end (issue 15, item 4): an operator limited to application A never sees application B's
captured style sheet, whatever A's recordings say.

The first frame inlined a captured sheet named by `/resources/<digest>` without the visibility check
`GET /resources/{sha}` makes: A's operator posted a recording to A whose page URL cannot be resolved
(`about:blank`) with a link to B's sheet, and read B's CSS in the first frame. Played here in Chromium,
with the Content-Security-Policy bypassed: B's rules never apply and B's CSS is in no response.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from asset_server import Route, asset_server
from live import live_reel, post_events
from reel.admin.operators import create_operator
from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.storage.factory import open_operator_store

pytestmark = pytest.mark.browser

T0 = int(time.time() * 1000) - 60_000
B_CSS = b".b-only{color:rgb(1, 2, 3) !important} /* B-SECRET-RULE */"
DIGEST = hashlib.sha256(B_CSS).hexdigest()
NAME, PASSWORD = "a-viewer", "a-viewer-password"


def page(href: str, stylesheet: str) -> list[dict[str, Any]]:
    def el(node_id: int, tag: str, attrs: dict[str, Any], *children: Any) -> dict[str, Any]:
        return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": list(children)}

    text = {"type": 3, "id": 7, "textContent": "which colour?"}
    head = el(3, "head", {}, el(5, "link", {"rel": "stylesheet", "href": stylesheet}))
    body = el(4, "body", {}, el(6, "p", {"class": "b-only", "id": "probe"}, text))
    node = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, head, body)]}
    return [
        {"type": 4, "timestamp": T0, "data": {"href": href, "width": 800, "height": 600}},
        {"type": 2, "timestamp": T0, "data": {"node": node, "initialOffset": {"top": 0, "left": 0}}},
    ]


def log_in(page_: Any, url: str) -> None:
    page_.goto(url)
    page_.wait_for_url(lambda current: "/login?next=" in current)
    page_.fill("#login-name", NAME)
    page_.fill("#login-password", PASSWORD)
    page_.click("button[type=submit]")
    page_.wait_for_url(url)


def test_another_applications_style_sheet_never_reaches_the_player(tmp_path: Path) -> None:
    with (
        asset_server({"/b.css": Route(body=B_CSS)}) as site,
        live_reel(tmp_path / "data") as live,
        chromium_browser() as browser,
    ):
        app_a = live.api("/api/v1/applications")["applications"][0]
        created = httpx.post(
            f"{live.reel_url}/api/v1/applications",
            json={"name": "B", "origins": [site.url]},
            headers=live.auth,
        )
        assert created.status_code in (200, 201), created.text
        app_b = created.json()
        settings = httpx.put(
            f"{live.reel_url}/api/v1/applications/{app_b['id']}/resource-settings",
            json={"origins": [site.url], "allow_private": True},
            headers=live.auth,
        )
        assert settings.status_code == 200, settings.text
        post_events(live, app_b, "rec-b", page(f"{site.url}/", f"{site.url}/b.css"))
        for _ in range(120):  # captured in the background
            if httpx.get(f"{live.reel_url}/resources/{DIGEST}", headers=live.auth).status_code == 200:
                break
            time.sleep(0.25)
        else:
            raise AssertionError("B's sheet was not captured")

        operators = open_operator_store(Settings(data_dir=live.data_dir).resolved_database_url)
        try:
            create_operator(operators, NAME, "viewer", PASSWORD, now_ms=T0, app_ids=(app_a["id"],))
        finally:
            operators.close()
        post_events(live, app_a, "rec-a", page("about:blank", f"/resources/{DIGEST}"))
        [session] = [s for s in live.api("/api/v1/sessions")["sessions"] if s["recording_id"] == "rec-a"]

        context = browser.new_context(bypass_csp=True, viewport={"width": 1200, "height": 900})
        # The replayer's data waits until the first frame has been looked at, then goes through.
        segments = re.compile(r"/api/v1/sessions/[^/]+/segments/")
        held: list[Any] = []
        released = [False]

        def hold(route: Any) -> None:
            # Once released, a request goes through at once: the player's own request may come after the
            # held ones were let go (its bundle starts after the first frame's paint).
            if released[0]:
                route.continue_()
            else:
                held.append(route)

        context.route(segments, hold)
        tab = context.new_page()
        responses: list[Any] = []
        tab.on("response", lambda response: responses.append(response))
        log_in(tab, f"{live.reel_url}/sessions/{session['id']}")
        colour = "(d) => getComputedStyle(d.getElementById('probe')).color"
        first = tab.wait_for_function(
            f"""() => {{
              const d = document.querySelector('iframe.first-frame')?.contentDocument;
              return d?.getElementById('probe') ? ({colour})(d) : null;
            }}"""
        ).json_value()
        released[0] = True
        for route in held:
            route.continue_()
        tab.evaluate("() => window.reelPlayer.ready")
        tab.wait_for_timeout(1000)
        replayed = tab.evaluate(f"() => ({colour})(window.reelPlayer.iframe().contentDocument)")
        # Everything Reel answered the player page with (the login form's pages are gone by now).
        ours = tuple(f"{live.reel_url}{p}" for p in ("/sessions/", "/resources/", "/api/"))
        bodies = [r.text() for r in responses if r.ok and r.url.startswith(ours)]
        assert any(b.startswith("<!doctype html>") for b in bodies)  # the player page, first frame inside
        context.close()
    assert first != "rgb(1, 2, 3)" and replayed != "rgb(1, 2, 3)"
    assert [b for b in bodies if "B-SECRET-RULE" in b] == []
