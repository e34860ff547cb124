"""In Chromium: `/api/docs` renders Reel's operations from Reel's own files, under Reel's CSP, and no
request leaves Reel; `/redoc` leads there."""

from __future__ import annotations

from pathlib import Path

import pytest

from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.demo.serving import serve_in_thread
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore

pytestmark = pytest.mark.browser


def test_the_api_docs_render_with_no_request_leaving_reel(tmp_path: Path) -> None:
    app = create_app(
        Settings(data_dir=tmp_path),
        sessions=memory_session_store(),
        blobs=MemoryReplayStore(),
        operators=MemoryOperatorStore(),
    )
    with serve_in_thread(app) as url, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        problems: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{url}/redoc")
        assert page.url == f"{url}/api/docs"
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/v1/sessions" in paths and "/v1/web/beacons" in paths
        assert page.locator(".info .title").inner_text().startswith("Reel")
        # An operation opens with its parameters.
        page.locator('.opblock-summary-path[data-path="/api/v1/sessions"]').first.click()
        page.wait_for_selector(".parameters-container")
        page.screenshot(path=str(tmp_path / "api-docs.png"))
    assert requests and all(r.startswith(f"{url}/") or r.startswith("data:") for r in requests), requests
    assert f"{url}/openapi.json" in requests
    assert problems == []
