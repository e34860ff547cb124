"""End to end: an admin edits an application's masking rules in the UI and they apply at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from live import live_reel, open_logged_in
from reel.demo.browser import chromium_browser

pytestmark = pytest.mark.browser


def test_an_admin_saves_new_masking_rules_from_the_applications_page(tmp_path: Path) -> None:
    with live_reel(tmp_path / "data") as live, chromium_browser() as browser:
        [app] = live.api("/api/v1/applications")["applications"]
        page = browser.new_page()
        open_logged_in(page, f"{live.reel_url}/applications")
        page.click(f"button[data-rules='{app['id']}']")
        page.wait_for_function("() => document.getElementById('rules-text').value.includes('preset')")
        assert "Version 0" in page.inner_text("#rules-status")
        doc = json.loads(page.input_value("#rules-text"))
        assert doc["preset"] == "mask_all"
        doc["preset"] = "allow_list"
        doc["rules"] = [{"type": "unmask", "selector": ".product-title"}]
        page.fill("#rules-text", json.dumps(doc))
        page.click("#rules-save")
        page.wait_for_function(
            "() => document.getElementById('rules-status').textContent.includes('Version 1')"
        )
        saved = live.api(f"/api/v1/applications/{app['id']}/masking-rules")
        assert (saved["version"], saved["preset"]) == (1, "allow_list")
        assert {"type": "unmask", "selector": ".product-title"} in saved["rules"]

        # A rule the server refuses is explained, and nothing is saved.
        page.fill("#rules-text", json.dumps({"preset": "everything_visible"}))
        page.click("#rules-save")
        page.wait_for_function("() => document.getElementById('rules-status').textContent.includes('preset')")
        assert live.api(f"/api/v1/applications/{app['id']}/masking-rules")["version"] == 1
