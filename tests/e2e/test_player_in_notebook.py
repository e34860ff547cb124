"""End to end: the player a notebook shows (`Session._repr_html_`) plays inside the notebook's page.

A page on another port stands for Jupyter: it holds exactly the HTML the client renders. Reel allows that
origin to frame the player (REEL_FRAME_ANCESTORS) and nothing else, so the session list refuses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from client_reel import ADMIN, PASSWORD, client_reel
from live import free_port
from reel.client import Reel
from reel.demo.browser import chromium_browser
from reel.demo.serving import serve_in_thread

pytestmark = pytest.mark.browser


def test_the_notebook_player_plays_framed_only_where_allowed(tmp_path: Path) -> None:
    port = free_port()
    notebook_origin = f"http://127.0.0.1:{port}"
    with client_reel(tmp_path / "data", frame_ancestors=(notebook_origin,)) as live:
        with Reel(live.url, live.admin_token) as reel:
            (alice,) = reel.sessions(user_id="alice")
        cell_output = alice.at(1500)._repr_html_()
        refused = f'<iframe id="listing" src="{live.url}/sessions"></iframe>'

        async def notebook(_request: Request) -> HTMLResponse:
            return HTMLResponse(f"<!doctype html><html><body>{cell_output}{refused}</body></html>")

        with (
            serve_in_thread(Starlette(routes=[Route("/", notebook)]), port=port) as notebook_url,
            chromium_browser() as browser,
        ):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # The operator is logged in to Reel in this browser (same site: the cookie goes with the frame).
            page.goto(f"{live.url}/login")
            page.fill("#login-name", ADMIN)
            page.fill("#login-password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live.url}/sessions")

            page.goto(notebook_url)
            page.wait_for_selector("iframe[title^='Reel session']")
            player = next((f for f in page.frames if "?t=1500" in f.url), None)
            assert player is not None, [f.url for f in page.frames]  # Reel refused to be framed
            player.wait_for_selector(f"main#player[data-session-id='{alice.id}']", timeout=15_000)
            # Opened paused at 1.5 s, drawn by the replayer: the player works inside the notebook's page.
            player.wait_for_function(
                "() => document.querySelector('main#player').dataset.state === 'paused'", timeout=15_000
            )
            listing = next(
                f for f in page.frames if f.url.startswith("chrome-error:") or f.url.endswith("/sessions")
            )
            assert listing.url.startswith("chrome-error:"), listing.url  # framing refused
