"""End to end in Chromium: an admin edits an application's masking rules as rows, sees each error at its
field, previews a recorded session under the draft before saving, saves, and browses and restores
versions; the API agrees at every step."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from live import OPERATOR, LiveReel, live_reel, open_logged_in
from reel.demo.browser import chromium_browser

pytestmark = pytest.mark.browser

NAME = "Ada Lovelace"


def el(node_id: int, tag: str, attrs: dict[str, str], *kids: dict[str, Any]) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": list(kids)}


def text(node_id: int, value: str) -> dict[str, Any]:
    return {"type": 3, "id": node_id, "textContent": value}


def record_account_page(live: LiveReel, app: dict[str, Any]) -> str:
    """A one-page session (sent as the recorder sends beacons): a nav and an account box with a name."""
    now = int(time.time() * 1000) - 5000
    nav = el(
        10,
        "nav",
        {},
        text(11, "Catalogue"),
        el(12, "div", {"class": "account"}, text(13, f"Signed in as {NAME}")),
    )
    doc = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, el(3, "head", {}), el(4, "body", {}, nav))]}
    events = [
        {
            "type": 4,
            "timestamp": now,
            "data": {"href": f"{live.shop_url}/account", "width": 800, "height": 500},
        },
        {"type": 2, "timestamp": now, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
        {
            "type": 3,
            "timestamp": now + 1500,
            "data": {"source": 1, "positions": [{"x": 5, "y": 5, "id": 4, "timeOffset": 0}]},
        },
    ]
    beacon = {
        "v": 1,
        "recording_id": "rec-rules",
        "session_id": "tab-rules",
        "seq": 0,
        "sent_at": now + 2000,
        "events": events,
    }
    sent = httpx.post(
        f"{live.reel_url}/v1/web/beacons",
        params={"k": app["app_key"]},
        json=beacon,
        headers={"Origin": live.shop_url, "Content-Type": "text/plain;charset=UTF-8"},
    )
    assert sent.status_code == 200, sent.text
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sessions = live.api("/api/v1/sessions")["sessions"]
        if sessions and sessions[0]["has_replay"]:
            return str(sessions[0]["id"])
        time.sleep(0.3)
    raise AssertionError("the session was not stored")


def preview_text(page: Any, renders: int) -> str:
    """The preview's replayed document text once it has been drawn more than `renders` times."""
    page.wait_for_function(
        "n => { const s = document.getElementById('rules-preview');"
        " return s && s.dataset.state === 'ready' && Number(s.dataset.renders) > n; }",
        arg=renders,
    )
    return str(
        page.evaluate(
            "() => document.querySelector('#rules-preview iframe').contentDocument.body.textContent"
        )
    )


def renders(page: Any) -> int:
    return int(page.evaluate("() => Number(document.getElementById('rules-preview').dataset.renders || 0)"))


def test_an_admin_edits_rules_as_rows_previews_saves_and_restores(tmp_path: Any) -> None:
    with live_reel(tmp_path / "data") as live, chromium_browser() as browser:
        [app] = live.api("/api/v1/applications")["applications"]
        rules_url = f"/api/v1/applications/{app['id']}/masking-rules"
        record_account_page(live, app)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        open_logged_in(page, f"{live.reel_url}/applications")
        page.click(f"button[data-rules='{app['id']}']")
        page.wait_for_function(
            "() => document.getElementById('rules-status').textContent.includes('Version 0')"
        )
        # Presets are explained; the defaults are chosen.
        assert page.is_checked("#preset-mask_all")
        assert "only what people type" in page.inner_text("#rules-presets")

        # The preview shows the session under the draft: masked by default, the name once text is shown.
        first = preview_text(page, 0)
        assert NAME not in first and "Catalogue" not in first
        seen = renders(page)
        page.click("label[for='preset-mask_inputs']")
        shown = preview_text(page, seen)
        assert NAME in shown and "Catalogue" in shown
        assert live.api(rules_url)["version"] == 0  # a preview saves nothing

        # A rule is a row; a selector the server refuses is explained at its input, and blocks saving.
        page.select_option("#rules-add", "mask")
        selector = page.locator(".rule-row[data-row='0'] input.rule-selector")
        selector.fill("a:hover")
        page.wait_for_function("() => document.querySelector('[data-error=\"0\"]').textContent.length > 0")
        assert "rules[0].selector" not in page.inner_text("[data-error='0']")  # said in words, at the field
        assert selector.get_attribute("aria-invalid") == "true"
        assert page.is_disabled("#rules-save")
        seen = renders(page)
        selector.fill(".account")
        masked = preview_text(page, seen)
        assert NAME not in masked and "Catalogue" in masked  # changed before saving
        assert page.inner_text("[data-error='0']") == "" and selector.get_attribute("aria-invalid") is None
        assert live.api(rules_url)["version"] == 0

        page.click("#rules-save")
        page.wait_for_function(
            "() => document.getElementById('rules-status').textContent.includes('Version 1')"
        )
        saved = live.api(rules_url)
        assert (saved["preset"], saved["rules"]) == (
            "mask_inputs",
            [{"type": "mask", "selector": ".account"}],
        )

        # A second version, then the history: who and when for each, newest first.
        page.click("label[for='preset-allow_list']")
        page.wait_for_function(
            "() => document.getElementById('rules-status').textContent.startsWith('Draft')"
        )
        page.click("#rules-save")
        page.wait_for_function(
            "() => document.getElementById('rules-status').textContent.includes('Version 2')"
        )
        page.wait_for_function("() => document.querySelectorAll('#rules-history li').length === 3")
        items = page.locator("#rules-history li").all_inner_texts()
        assert [re.match(r"Version (\d+)", i)[1] for i in items] == ["2", "1", "0"]  # type: ignore[index]
        for item in items[:2]:
            assert f"saved by {OPERATOR}" in item and str(time.gmtime().tm_year) in item
        assert "in force" in items[0]

        # View version 1 and restore it: a new version with its rules, naming the one it restores.
        page.click("#rules-history button[data-version='1']")
        page.wait_for_selector("#rules-restore")
        assert "Mask: .account" in page.inner_text("#rules-history-detail")
        page.click("#rules-restore")
        page.wait_for_function(
            "() => document.getElementById('rules-status').textContent.includes('Version 3')"
        )
        current = live.api(rules_url)
        assert (current["version"], current["preset"], current["rules"]) == (3, "mask_inputs", saved["rules"])
        assert page.is_checked("#preset-mask_inputs")  # the form shows what is in force again
        assert page.input_value(".rule-row[data-row='0'] input.rule-selector") == ".account"
        page.wait_for_function("() => document.querySelectorAll('#rules-history li').length === 4")
        assert "restores version 1" in page.locator("#rules-history li").first.inner_text()
        assert live.api(f"{rules_url}/versions")["versions"][0]["restored_from"] == 1
