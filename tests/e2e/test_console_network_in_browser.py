"""End to end in Chromium: a page logs to the console, makes a failing fetch and XHR, throws; the player's
console and network panels list each at its moment, masked per the rules (a canary in the messages and the URL
never reaches the API or the player page; the stack's function names do). A masked image replays as a
plain grey box of its size, and the viewport `<meta>` keeps its settings."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from live import OPERATOR, PASSWORD, free_port, open_logged_in
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.demo.runner import snippet
from reel.demo.serving import serve_in_thread
from reel.server.app import create_app

pytestmark = pytest.mark.browser

CANARY = "QzCanary9"
VIEWPORT = "width=device-width, initial-scale=1"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="{viewport}">
<title>Shop</title>{snippet}
<script>
function loadCart() {{
  return fetch("/api/cart?token={canary}-query").then((r) => r.status);
}}
function sendOrder() {{
  return new Promise((done) => {{
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/cart?token={canary}-xhr");
    xhr.onloadend = () => done(xhr.status);
    xhr.send("{canary}-body");
  }});
}}
function explodeCheckout() {{
  // A message line that looks like a stack frame must not pass for one (frame names are kept).
  throw new TypeError("{canary}-thrown\\n    at {canary}Fn (https://shop.test/{canary}.js:1:2)");
}}
</script>
</head><body>
<h1>Checkout</h1>
<img id="pic" src="/pic.svg" alt="{canary}-alt" width="120" height="80">
<button id="pay" onclick="explodeCheckout()">Pay</button>
</body></html>"""
PICTURE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">'
    '<rect width="120" height="80" fill="red"/></svg>'
)
RULES = {
    "preset": "mask_all",
    "consent": {"required": False, "honor_gpc": False},
    "capture": {"console": ["log", "warn", "error"], "network": True, "slow_ms": 3000},
}


def shop() -> Starlette:
    async def page(request: Request) -> Response:
        html = PAGE.format(viewport=VIEWPORT, snippet=request.app.state.snippet, canary=CANARY)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def cart(request: Request) -> Response:
        return JSONResponse({"error": "no cart"}, status_code=404)

    async def picture(request: Request) -> Response:
        return Response(PICTURE, media_type="image/svg+xml")

    return Starlette(routes=[Route("/shop", page), Route("/api/cart", cart), Route("/pic.svg", picture)])


@dataclass(frozen=True)
class Live:
    reel_url: str
    site_url: str
    auth: dict[str, str]

    def get(self, path: str) -> httpx.Response:
        response = httpx.get(f"{self.reel_url}{path}", headers=self.auth, timeout=30)
        assert response.status_code == 200, (path, response.status_code)
        return response


@contextmanager
def live(data_dir: Path) -> Iterator[Live]:
    app = create_app(Settings(data_dir=data_dir), background=True)
    port = free_port()
    now_ms = int(time.time() * 1000)
    ctx = app.state.reel
    application = create_application(ctx.sessions, "Shop", [f"http://127.0.0.1:{port}"], now_ms=now_ms)
    operator = create_operator(ctx.operators, OPERATOR, "admin", PASSWORD, now_ms=now_ms)
    _token, secret = issue_token(ctx.operators, operator, "e2e", now_ms=now_ms)
    site = shop()
    with serve_in_thread(app, lifespan="on") as reel_url:
        site.state.snippet = snippet(reel_url, application.app_key)
        auth = {"Authorization": f"Bearer {secret}"}
        # The capture levels travel in the rules document, as the recorder gets it from /v1/web/config.
        saved = httpx.put(
            f"{reel_url}/api/v1/applications/{application.id}/masking-rules", json=RULES, headers=auth
        )
        assert saved.status_code == 200, saved.text
        with serve_in_thread(site, port=port) as site_url:
            yield Live(reel_url, site_url, auth)


def record_visit(site: Live) -> None:
    """Log, wait, fetch (404), wait, throw; then the tab closes."""
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        page.goto(f"{site.site_url}/shop")
        page.wait_for_function("() => window.reel.status().recording")
        page.wait_for_timeout(800)
        page.evaluate(f"() => console.log('{CANARY}-log the cart is', {{ items: 3 }})")
        page.wait_for_timeout(1500)
        assert page.evaluate("() => loadCart()") == 404
        page.wait_for_timeout(1000)
        assert page.evaluate("() => sendOrder()") == 405  # the cart takes no POST
        page.wait_for_timeout(1000)
        page.click("#pay")
        page.wait_for_timeout(800)
        page.evaluate("() => window.reel.flush()")
        page.close()
        time.sleep(1.0)


def settled_session(site: Live, timeout_s: float = 40.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sessions = site.get("/api/v1/sessions").json()["sessions"]
        # Settled once every action is processed; not waiting for the close, whose final beacon the
        # browser may drop at page close (the session then closes after its silent timeout).
        if len(sessions) == 1:
            actions = site.get(f"/api/v1/sessions/{sessions[0]['id']}/actions").json()["actions"]
            kinds = [a["kind"] for a in actions]
            if kinds.count("error") == 1 and kinds.count("network_error") == 2:  # every one processed
                return site.get(f"/api/v1/sessions/{sessions[0]['id']}").json()  # type: ignore[no-any-return]
        time.sleep(1.0)
    raise AssertionError(site.get("/api/v1/sessions").text)


def custom_events(events: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == 5 and e["data"]["tag"] == tag]


PANELS_JS = """() => Object.fromEntries(["console", "network"].map((tab) => [tab,
  [...document.querySelectorAll(`.dt-list[data-tab=${tab}] .dt-row`)].filter((r) => !r.hidden)
    .map((r) => ({ level: r.dataset.level, text: r.innerText }))]))"""


def test_console_network_and_errors_are_listed_at_their_moment_masked(tmp_path: Path) -> None:
    with live(tmp_path / "data") as site:
        record_visit(site)
        session = settled_session(site)
        sid, start = session["id"], session["start"]
        responses = {
            p: site.get(p).text
            for p in (
                f"/sessions/{sid}",
                f"/api/v1/sessions/{sid}",
                f"/api/v1/sessions/{sid}/events",
                f"/api/v1/sessions/{sid}/actions",
                "/api/v1/sessions",
            )
        }
        for path, body in responses.items():
            assert CANARY not in body, path
        events = site.get(f"/api/v1/sessions/{sid}/events").json()["events"]
        [log] = [e for e in custom_events(events, "reel.console") if e["data"]["payload"]["level"] == "log"]
        [request, posted] = custom_events(events, "reel.network")
        [thrown] = custom_events(events, "reel.error")
        assert request["data"]["payload"]["status"] == 404 and request["data"]["payload"]["method"] == "GET"
        assert request["data"]["payload"]["url"].endswith("/api/cart?token=***")
        assert posted["data"]["payload"] | {"duration": 0, "url": ""} == {
            "method": "POST",
            "url": "",
            "status": 405,
            "duration": 0,
            "req": len(f"{CANARY}-body"),
            "res": posted["data"]["payload"].get("res"),
            "via": "xhr",
        }
        assert posted["data"]["payload"]["url"].endswith("/api/cart?token=***")
        error = thrown["data"]["payload"]
        assert error["message"].startswith("TypeError: *")
        assert [f.get("fn") for f in error["frames"]][:2] == ["explodeCheckout", "HTMLButtonElement.onclick"]
        assert error["frames"][0]["line"] > 0 and error["frames"][0]["file"].endswith("/shop")
        actions = site.get(f"/api/v1/sessions/{sid}/actions").json()["actions"]
        failed = [a for a in actions if a["kind"] == "network_error"]
        assert [a["label"] for a in failed] == ["GET 404", "POST 405"]
        assert all(a["data"]["source"].endswith("token=***") for a in failed)
        assert session["errors"] == 3
        # The list's "has errors" filter finds the session by its failed request and its error.
        assert [s["id"] for s in site.get("/api/v1/sessions?has_errors=true").json()["sessions"]] == [sid]

        with chromium_browser() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_logged_in(page, f"{site.reel_url}/sessions/{sid}?t=0")
            page.wait_for_function("() => window.reelPlayer !== undefined")
            page.evaluate("() => window.reelPlayer.ready")
            page.wait_for_function("() => window.reelPlayer.loaded()")

            def panels_at(ts: int) -> dict[str, list[dict[str, str]]]:
                page.evaluate("(ms) => window.reelPlayer.seek(ms)", ts - start)
                return page.evaluate(PANELS_JS)  # type: ignore[no-any-return]

            before = panels_at(log["timestamp"] - 300)
            assert before == {"console": [], "network": []}
            at_log = panels_at(log["timestamp"])
            assert [r["level"] for r in at_log["console"]] == ["log"] and at_log["network"] == []
            assert "****" in at_log["console"][0]["text"]
            assert panels_at(request["timestamp"] - 300)["network"] == []
            at_request = panels_at(request["timestamp"])
            [row] = at_request["network"]
            assert row["level"] == "failed" and "GET 404" in row["text"] and "token=***" in row["text"]
            assert len(at_request["console"]) == 1
            assert len(panels_at(posted["timestamp"])["network"]) == 2
            at_error = panels_at(thrown["timestamp"])
            assert [r["level"] for r in at_error["console"]] == ["log", "error"]
            assert "Uncaught TypeError: *" in at_error["console"][1]["text"]
            assert "at explodeCheckout (" in at_error["console"][1]["text"]
            page_text = page.evaluate("() => document.documentElement.outerHTML")
            frame_text = page.evaluate(
                "() => window.reelPlayer.iframe().contentDocument.documentElement.outerHTML"
            )
            assert CANARY not in page_text and CANARY not in frame_text
            assert re.search(r"at explodeCheckout \(", page_text)

            # The masked image: no source, no caption, its recorded size, drawn as a plain grey box.
            box = page.evaluate(
                """() => {
                  const doc = window.reelPlayer.iframe().contentDocument;
                  const img = doc.getElementById("pic");
                  const r = img.getBoundingClientRect();
                  const meta = doc.querySelector('meta[name="viewport"]');
                  return { src: img.getAttribute("src"), alt: img.getAttribute("alt"),
                    w: r.width, h: r.height,
                    bg: doc.defaultView.getComputedStyle(img).backgroundColor,
                    viewport: meta && meta.getAttribute("content") };
                }"""
            )
            assert box == {
                "src": None,
                "alt": "",
                "w": 120,
                "h": 80,
                "bg": "rgb(223, 227, 234)",
                "viewport": VIEWPORT,
            }
            clip = page.evaluate(
                """() => {
                  const frame = window.reelPlayer.iframe();
                  const outer = frame.getBoundingClientRect();
                  const scale = outer.width / frame.offsetWidth;
                  const r = frame.contentDocument.getElementById("pic").getBoundingClientRect();
                  return { x: outer.x + r.x * scale, y: outer.y + r.y * scale, width: r.width * scale,
                    height: r.height * scale };
                }"""
            )
            shot = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
            w, h = shot.size
            inner = shot.crop((2, 2, w - 2, h - 2))  # scaled edges blend with the page around
            colours = {c for _n, c in inner.getcolors(maxcolors=1_000_000) or []}
            # One flat colour: no broken-image icon, no caption, no picture.
            assert colours == {(223, 227, 234)}, colours
