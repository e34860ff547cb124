"""End to end: consent and Global Privacy Control, in Chromium against a live Reel and the demo shop.

Before consent nothing is recorded, sent or stored (the page keeps only the choice, under
`reel.consent` in localStorage); `consent(false)` stops recording and nothing more leaves the page;
GPC counts as a refusal unless the application opts out, and only the user's own click on the page's
banner overrides it. The rules document (`GET /v1/web/config`) is answered by Playwright where a test
needs other consent settings than the defaults.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Request, Route

from live import LiveReel, live_reel
from reel.demo.browser import chromium_browser
from reel.demo.visit import flush_reel, run_scripted_visit

pytestmark = pytest.mark.browser

GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });"
# The shop remembers a choice made on an earlier visit and calls reel.consent(true) on load, unprompted.
SHOP_REMEMBERS_YES = "try { localStorage.setItem('shop-consent', 'yes'); } catch (e) {}"
RECORDING = "() => window.reel && window.reel.status && window.reel.status().recording"
STORAGE = """() => ({
  local: Object.keys(localStorage).filter((k) => k.startsWith('reel')),
  session: Object.keys(sessionStorage).filter((k) => k.startsWith('reel')),
  consent: localStorage.getItem('reel.consent'),
})"""


class Watch:
    """A browser context on the shop that counts the recorder's beacon requests."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.beacons = 0
        context.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        if "/v1/web/beacons" in request.url:
            self.beacons += 1

    def serve_rules(self, doc: dict[str, Any]) -> None:
        """Answer the recorder's rules request with `doc` (other consent settings than the defaults)."""

        def fulfil(route: Route) -> None:
            route.fulfill(
                status=200,
                body=json.dumps(doc),
                headers={"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
            )

        self.context.route("**/v1/web/config?*", fulfil)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveReel]:
    with live_reel(tmp_path / "data") as running:
        yield running


@pytest.fixture
def watch() -> Iterator[Watch]:
    with chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        yield Watch(context)
        context.close()


def browse(live: LiveReel, watch: Watch, pages: int = 3) -> Any:
    """Open the shop, click and type a little, move between pages; returns the last page, still open."""
    page = watch.context.new_page()
    page.goto(live.shop_url)
    page.click("#card-enamel-mug")
    page.wait_for_url("**/products/enamel-mug")
    page.fill("#quantity", "3")
    page.click("#add-to-cart")
    page.click("#modal-continue")
    if pages > 2:
        page.click("#nav-cart")
        page.wait_for_url("**/cart")
    page.wait_for_timeout(700)  # past the shop's consent polling and any rules request
    return page


def nothing_stored(live: LiveReel) -> bool:
    blobs = [p for p in (live.data_dir / "blobs").rglob("*") if p.is_file()]
    return live.api("/api/v1/sessions")["sessions"] == [] and blobs == []


def wait_for_sessions(live: LiveReel, timeout_ms: int, page: Any) -> list[dict[str, Any]]:
    for _ in range(timeout_ms // 250):
        sessions: list[dict[str, Any]] = live.api("/api/v1/sessions")["sessions"]
        if sessions:
            return sessions
        page.wait_for_timeout(250)
    return []


def test_without_consent_nothing_is_sent_or_stored(live: LiveReel, watch: Watch) -> None:
    """No choice made: the visit sends no beacon, stores nothing, and keeps nothing in the browser."""
    page = browse(live, watch)
    assert page.locator("#consent-banner").is_visible()
    status = page.evaluate("() => window.reel.status()")
    assert status["recording"] is False and status["buffered"] == 0 and status["pending"] == 0
    storage = page.evaluate(STORAGE)
    assert storage["session"] == [] and "reel.consent" not in storage["local"]
    page.close()
    time.sleep(0.5)  # a beacon from pagehide would have left by now
    assert watch.beacons == 0
    assert nothing_stored(live)


def test_a_declined_scripted_visit_sends_nothing(live: LiveReel, watch: Watch) -> None:
    """The scripted visit with "No thanks": zero beacons, nothing stored; only the refusal is kept."""
    page = watch.context.new_page()
    run_scripted_visit(page, live.shop_url, consent=False, pace=0.3)
    storage = page.evaluate(STORAGE)
    assert storage["consent"] == "0" and storage["session"] == []
    page.close()
    assert watch.beacons == 0
    assert nothing_stored(live)


def test_consent_starts_recording_and_withdrawal_stops_it(live: LiveReel, watch: Watch) -> None:
    """consent(true) starts recording; consent(false) stops it, drops what is unsent, and sticks."""
    page = watch.context.new_page()
    page.goto(live.shop_url)
    page.wait_for_timeout(300)
    assert watch.beacons == 0
    page.click("#consent-accept")
    page.wait_for_function(RECORDING)
    page.click("#card-enamel-mug")
    page.wait_for_url("**/products/enamel-mug")
    page.wait_for_function(RECORDING)  # the stored choice carries over to the next page
    flush_reel(page)
    sent = watch.beacons
    assert sent > 0
    sessions = wait_for_sessions(live, 10_000, page)
    assert len(sessions) == 1
    events_before = sessions[0]["events"]

    # The shop has no "withdraw" button; one would forget the shop's own stored choice and tell Reel.
    page.evaluate("""() => {
      window.reel.event('before-withdrawal');
      localStorage.setItem('shop-consent', 'no');
      window.reel.consent(false);
    }""")
    status = page.evaluate("() => window.reel.status()")
    assert status["recording"] is False and status["buffered"] == 0 and status["pending"] == 0
    page.fill("#quantity", "4")
    page.click("#add-to-cart")
    page.click("#modal-continue")
    page.click("#nav-cart")  # a new page: the refusal holds
    page.wait_for_url("**/cart")
    page.wait_for_timeout(800)
    assert page.evaluate("() => window.reel.status().recording") is False
    assert page.evaluate(STORAGE)["session"] == []
    page.close()
    assert watch.beacons == sent
    after = live.api("/api/v1/sessions")["sessions"]
    assert len(after) == 1 and after[0]["events"] == events_before
    actions = live.api(f"/api/v1/sessions/{after[0]['id']}/actions")["actions"]
    assert "before-withdrawal" not in {a["label"] for a in actions}


def test_gpc_counts_as_a_refusal(live: LiveReel, watch: Watch) -> None:
    """With Global Privacy Control on, the page's own consent(true) on load records nothing."""
    watch.context.add_init_script(GPC_ON)
    watch.context.add_init_script(SHOP_REMEMBERS_YES)
    page = browse(live, watch)
    assert page.evaluate("() => navigator.globalPrivacyControl") is True
    assert page.evaluate("() => window.reel.status().recording") is False
    page.close()
    assert watch.beacons == 0
    assert nothing_stored(live)


def test_gpc_yields_to_the_users_own_click(live: LiveReel, watch: Watch) -> None:
    """The user clicking "Allow" on the page's banner is an explicit choice: it overrides GPC."""
    watch.context.add_init_script(GPC_ON)
    page = watch.context.new_page()
    page.goto(live.shop_url)
    page.click("#consent-accept")
    page.wait_for_function(RECORDING)
    page.click("#card-enamel-mug")  # and the choice holds on the next page
    page.wait_for_url("**/products/enamel-mug")
    page.wait_for_function(RECORDING)
    flush_reel(page)
    assert watch.beacons > 0
    assert len(wait_for_sessions(live, 10_000, page)) == 1
    page.close()


def test_gpc_ignored_when_the_application_opts_out(live: LiveReel, watch: Watch) -> None:
    """honor_gpc false: the shop's remembered consent records despite GPC."""
    watch.context.add_init_script(GPC_ON)
    watch.context.add_init_script(SHOP_REMEMBERS_YES)
    watch.serve_rules({"version": 2, "consent": {"required": True, "honor_gpc": False}})
    page = watch.context.new_page()
    page.goto(live.shop_url)
    page.wait_for_function(RECORDING)
    assert page.evaluate("() => window.reel.status().rulesVersion") == 2
    flush_reel(page)
    assert watch.beacons > 0
    page.close()


def test_consent_not_required_records_until_refused(live: LiveReel, watch: Watch) -> None:
    """required false: recording starts with no consent call; consent(false) still stops it."""
    watch.serve_rules({"version": 5, "consent": {"required": False}})
    page = watch.context.new_page()
    page.goto(f"{live.shop_url}/cart")  # no banner click, no consent call by the page
    page.wait_for_function(RECORDING)
    flush_reel(page)
    sent = watch.beacons
    assert sent > 0
    page.evaluate("() => window.reel.consent(false)")
    page.reload()
    page.wait_for_timeout(800)
    assert page.evaluate("() => window.reel.status().recording") is False
    flush_reel(page)
    assert watch.beacons == sent
    page.close()
