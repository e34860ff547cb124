"""In Chromium: an admin creates an application on the Applications page, reads its key and snippet and
changes its origins and retention; a viewer sees them read-only and cannot create."""

from __future__ import annotations

from pathlib import Path

import pytest

from live import OPERATOR, PASSWORD, open_logged_in
from reel.admin.operators import create_operator
from reel.clock import FixedClock
from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.demo.serving import serve_in_thread
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from support import T0

pytestmark = pytest.mark.browser


def test_admins_create_and_edit_applications_and_viewers_only_read(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    sessions, operators = memory_session_store(), MemoryOperatorStore()
    app = create_app(
        Settings(data_dir=tmp_path / "data"),
        sessions=sessions,
        blobs=MemoryReplayStore(),
        clock=clock,
        operators=operators,
    )
    create_operator(operators, OPERATOR, "admin", PASSWORD, now_ms=clock.now_ms())
    create_operator(operators, "vic", "viewer", "viewer-password", now_ms=clock.now_ms())
    with serve_in_thread(app) as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        open_logged_in(page, f"{url}/applications")
        page.click("#new-app")
        page.fill("#new-app-name", "My shop")
        page.fill("#new-app-origins", "https://shop.example\nhttps://www.shop.example")
        page.click("#new-app-create")
        page.wait_for_selector("#app-key")
        (created,) = sessions.applications()
        assert created.origins == ("https://shop.example", "https://www.shop.example")
        assert page.locator("#app-key").inner_text() == created.app_key
        snippet = page.locator("#app-snippet").inner_text()
        assert snippet.startswith("<script>window.reel=window.reel||{q:[]};")
        tag = f'<script src="{url}/capture/reel.js" data-app-key="{created.app_key}" async></script>'
        assert snippet.endswith(tag)
        row = page.locator(f'tr[data-app-id="{created.id}"]')
        assert "https://shop.example https://www.shop.example" in row.locator("td.origins").inner_text()

        page.fill("#app-origins", "https://shop.example")
        page.fill("#app-retention", "90")
        page.click("#app-save")
        page.wait_for_function("() => document.getElementById('app-status').textContent === 'Saved.'")
        changed = sessions.application(created.id)
        assert changed is not None and changed.origins == ("https://shop.example",)
        assert changed.retention_days == 90
        assert row.locator("td.retention").inner_text() == "90 days"
        page.fill("#app-origins", "not an origin")
        page.click("#app-save")
        page.wait_for_function("() => document.getElementById('app-status').textContent.includes('origin')")
        assert "(origins)" in page.locator("#app-status").inner_text()
        page.screenshot(path=str(tmp_path / "applications-admin.png"))

        viewer = browser.new_page()
        viewer.goto(f"{url}/applications")
        viewer.fill("#login-name", "vic")
        viewer.fill("#login-password", "viewer-password")
        viewer.click("button[type=submit]")
        viewer.locator(f'tr[data-app-id="{created.id}"] [data-details]').click()
        viewer.wait_for_selector("#app-snippet")
        assert viewer.locator("#new-app").count() == 0 and viewer.locator("#app-save").count() == 0
        assert viewer.locator("#app-origins").get_attribute("readonly") is not None
