"""End to end: identify, a rage click, a dead click, a JS error and a custom event become actions."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from live import LiveReel, live_reel
from reel.demo.browser import chromium_browser

pytestmark = pytest.mark.browser

USER = "user-e2e-7"
# Page clock vs event times: both come from the same browser clock; 400 ms covers batching and paint.
TOLERANCE_MS = 400


def wait_for_actions(
    live: LiveReel, kinds: set[str], timeout_s: float = 30.0
) -> tuple[dict[str, Any], list[Any]]:
    """The identified user's session and its actions, once every kind in `kinds` has been extracted."""
    deadline = time.monotonic() + timeout_s
    found: list[Any] = []
    while time.monotonic() < deadline:
        sessions = live.api("/api/v1/sessions", user_id=USER)["sessions"]
        if sessions:
            found = live.api(f"/api/v1/sessions/{sessions[0]['id']}/actions")["actions"]
            if kinds <= {a["kind"] for a in found}:
                return sessions[0], found
        time.sleep(0.5)
    raise AssertionError(f"actions never complete: {[a['kind'] for a in found]}")


def near(
    actions: list[Any], kind: str, at_ms: int, label: str | None = None, until_ms: int | None = None
) -> dict[str, Any]:
    """The action of `kind` closest to `at_ms`, asserted to be within the tolerance of the moments
    `at_ms`..`until_ms` (a Playwright click lands a while after it is asked for, longer on a busy machine)."""
    until = at_ms if until_ms is None else until_ms
    candidates = [a for a in actions if a["kind"] == kind and (label is None or a["label"] == label)]
    assert candidates, (kind, [a["kind"] for a in actions])
    best = min(candidates, key=lambda a: abs(a["ts"] - at_ms))
    within = at_ms - TOLERANCE_MS <= best["ts"] <= until + TOLERANCE_MS
    assert within, (kind, best["ts"] - at_ms, until - at_ms)
    return best


def test_actions_are_extracted_at_the_right_times(tmp_path: Path) -> None:
    with live_reel(tmp_path / "data") as live, chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{live.shop_url}/products/enamel-mug")
        if page.locator("#consent-accept").is_visible():
            page.click("#consent-accept")
        page.wait_for_function("() => window.reel && window.reel.status && window.reel.status().recording")
        page.wait_for_timeout(500)
        now = "() => Date.now()"

        t_identify = page.evaluate(
            f"() => {{ window.reel.identify({USER!r}, {{plan: 'pro'}}); return Date.now(); }}"
        )
        page.wait_for_timeout(600)

        # A dead click: the product title does nothing when clicked.
        t_dead = page.evaluate(now)
        page.click("h1")
        t_dead_done = page.evaluate(now)
        page.wait_for_timeout(1500)

        # A rage click: three fast clicks on the same spot of the picture.
        box = page.locator("#product-image").bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        t_rage = page.evaluate(now)
        for _ in range(3):
            page.mouse.click(x, y)
            page.wait_for_timeout(120)
        t_rage_done = page.evaluate(now)
        page.wait_for_timeout(1500)

        t_error = page.evaluate(
            "() => { setTimeout(() => { throw new Error('boom-e2e'); }, 0); return Date.now(); }"
        )
        page.wait_for_timeout(600)
        t_custom = page.evaluate("() => { window.reel.event('promo-viewed', {slot: 2}); return Date.now(); }")
        page.wait_for_timeout(600)
        page.evaluate("() => window.reel.flush()")
        page.close()

        session, actions = wait_for_actions(live, {"identify", "dead_click", "rage_click", "error", "custom"})
        near(actions, "identify", t_identify, USER)
        dead = near(actions, "dead_click", t_dead, until_ms=t_dead_done)
        assert dead["target"].startswith("h1")
        rage = near(actions, "rage_click", t_rage, until_ms=t_rage_done)
        assert rage["data"]["clicks"] >= 3
        error = near(actions, "error", t_error)
        # Under the default rules the message is masked but for the error's name (masking-rules contract).
        assert error["label"].startswith("Error: *") and "boom-e2e" not in error["label"]
        near(actions, "custom", t_custom, "promo-viewed")
        loads = [a for a in actions if a["kind"] == "load"]
        assert loads and loads[0]["url"].endswith("/products/enamel-mug") and loads[0]["ts"] < t_identify

        assert (session["user_id"], session["errors"] >= 1, session["rage_clicks"]) == (USER, True, 1)
        with_errors = live.api("/api/v1/sessions", has_errors="true")["sessions"]
        assert [s["id"] for s in with_errors] == [session["id"]]
        assert live.api("/api/v1/sessions", user_id="someone-else")["sessions"] == []
