"""In Chromium: a deleted session's player page says why and when (both causes), never an endless
spinner; the applications page shows how much replay data each application stores."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest

from live import OPERATOR, PASSWORD, open_logged_in
from reel.admin.applications import create_application
from reel.admin.operators import create_operator
from reel.clock import FixedClock
from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.demo.serving import serve_in_thread
from reel.processing.worker import process_pending
from reel.retention.deletion import Actor, delete_session
from reel.retention.purge import purge
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.retention_store import DAY_MS
from support import ORIGIN, T0, dashboard_snapshot, tick

pytestmark = pytest.mark.browser


def test_deleted_sessions_explain_themselves_in_the_player(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    sessions, blobs, operators = memory_session_store(), MemoryReplayStore(), MemoryOperatorStore()
    app = create_app(
        Settings(data_dir=tmp_path / "data"), sessions=sessions, blobs=blobs, clock=clock, operators=operators
    )
    shop = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    create_operator(operators, OPERATOR, "admin", PASSWORD, now_ms=clock.now_ms())

    with serve_in_thread(app) as url:

        def visit(rec: str) -> str:
            start = clock.now_ms()
            events = [*dashboard_snapshot(start), tick(start + 1000, "1")]
            doc = {
                "v": 1,
                "recording_id": rec,
                "session_id": f"c-{rec}",
                "seq": 0,
                "sent_at": start,
                "events": events,
            }
            response = httpx.post(
                f"{url}/v1/web/beacons",
                params={"k": shop.app_key},
                content=orjson.dumps(doc),
                headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": ORIGIN},
            )
            assert response.status_code == 200, response.text
            process_pending(app.state.reel)
            session_id = sessions.beacon_session(rec, 0)
            assert session_id is not None
            return session_id

        by_request = visit("rec-asked")
        by_retention = visit("rec-old")
        clock.advance(DAY_MS)
        delete_session(sessions, blobs, by_request, Actor("ada", "op_1"), clock.now_ms())
        clock.advance(29 * DAY_MS)
        live = visit("rec-live")
        assert purge(sessions, blobs, clock.now_ms()).recordings == 1

        with chromium_browser() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            open_logged_in(page, f"{url}/sessions/{by_request}")
            page.wait_for_selector('#player[data-state="error"]', timeout=15_000)
            assert page.locator(".overlay-title").inner_text() == "This session was deleted"
            assert page.locator(".overlay-detail").inner_text() == (
                "This session was recorded on 2025-11-27 and deleted on request on 2025-11-28."
            )
            assert page.locator(".spinner").count() == 0

            page.goto(f"{url}/sessions/{by_retention}")
            page.wait_for_selector('#player[data-state="error"]', timeout=15_000)
            assert page.locator(".overlay-detail").inner_text() == (
                "This session was recorded on 2025-11-27 and deleted on 2025-12-27 "
                "under the 30-day retention policy."
            )

            page.goto(f"{url}/sessions/{live}")
            state = "document.getElementById('player').dataset.state"
            page.wait_for_function(f"() => ['paused', 'playing', 'ended'].includes({state})", timeout=15_000)

            page.goto(f"{url}/applications")
            row = page.locator(f'tr[data-app-id="{shop.id}"]')
            row.wait_for(timeout=15_000)
            assert "Shop" in row.inner_text() and "30 days" in row.inner_text()
            stored = sessions.stored_bytes(shop.id)
            assert stored > 0
            assert row.locator("td.stored").inner_text() in (f"{stored} B", f"{stored / 1024:.1f} KiB")
            assert page.locator('.topnav a[aria-current="page"]').inner_text() == "Applications"
