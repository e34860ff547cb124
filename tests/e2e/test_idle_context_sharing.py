"""End to end in Chromium: a visit with a 40 s idle stretch (recorded under Playwright's clock) plays in
under 10 s with "skip inactivity" on — from the start, after a seek into the stretch, after a jump from
the action list, after a pause — and in real time with it off; the seek bar's activity strip marks the
stretch. The user's browser, OS, device, viewport, language, time zone, referrer and traits appear in
the API, the list and the player; the list finds new sessions without a reload; a link copied at 1:23
opens paused at 1:23 showing the same DOM. Screenshots of the list and the player go to /work/screens/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from live import LiveReel, live_reel, open_logged_in
from reel.demo.browser import chromium_browser

pytestmark = pytest.mark.browser

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
IDLE_MS = 40_000
SCREENS = Path("/work/screens")


@dataclass(frozen=True)
class Visits:
    live: LiveReel
    idle: dict[str, Any]
    """The desktop visit with a 40 s stretch without interaction (a custom event in its middle)."""
    share: dict[str, Any]
    """The phone visit of 95 s, active throughout, its page's class naming the step every 3 s."""
    browser: Any


def start_recording(page: Any, url: str, referer: str | None = None) -> None:
    page.goto(url, referer=referer) if referer else page.goto(url)
    if page.locator("#consent-accept").is_visible():
        page.click("#consent-accept")
    page.wait_for_function("() => window.reel && window.reel.status().recording")


def wiggle(page: Any, moves: int, x0: int = 100) -> None:
    """Mouse moves over about a second of real (and page) time: interaction."""
    for i in range(moves):
        page.mouse.move(x0 + i * 30, 200 + (i % 3) * 20)
        page.wait_for_timeout(120)


def record_idle_visit(browser: Any, live: LiveReel) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-GB", timezone_id="Europe/London"
    )
    page = context.new_page()
    page.clock.install()
    start_recording(page, f"{live.shop_url}/products/enamel-mug", "https://search.example/results?q=mug")
    page.evaluate("() => window.reel.identify('idle-user-1', {plan: 'pro', seats: 3})")
    wiggle(page, 8)
    page.click("h1")  # the title does nothing: a dead click
    page.wait_for_timeout(300)
    # 40 s without interaction; the application reports a custom event in the middle of it.
    page.clock.fast_forward(IDLE_MS // 2)
    page.evaluate("() => window.reel.event('idle-ping', {})")
    page.clock.fast_forward(IDLE_MS // 2)
    wiggle(page, 10, 300)
    page.evaluate("() => window.reel.flush()")
    context.close()


def record_share_visit(browser: Any, live: LiveReel) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, user_agent=IPHONE, locale="fr-FR", timezone_id="Europe/Paris"
    )
    page = context.new_page()
    page.clock.install()
    start_recording(page, f"{live.shop_url}/")
    page.evaluate("() => window.reel.identify('share-user', {})")
    for step in range(32):  # 32 steps of 3 s: past 1:23
        # Class names are kept under the default rules (data-* values are masked).
        page.evaluate("step => { document.body.className = 'step-' + step; }", step)
        page.mouse.move(40 + step * 5, 300)
        page.clock.fast_forward(3000)
    page.evaluate("() => window.reel.flush()")
    context.close()


def settled(live: LiveReel, user: str, check: Any, timeout_s: float = 40.0) -> dict[str, Any]:
    """The detail of the closed session of `user` once `check(detail)` holds."""
    deadline = time.monotonic() + timeout_s
    detail: dict[str, Any] = {}
    while time.monotonic() < deadline:
        found = live.api("/api/v1/sessions", user_prefix=user)["sessions"]
        if len(found) == 1 and found[0]["closed"]:
            detail = live.api(f"/api/v1/sessions/{found[0]['id']}")
            if check(detail):
                return detail
        time.sleep(0.5)
    raise AssertionError(f"the session of {user} did not settle: {detail}")


@pytest.fixture(scope="module")
def visits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Visits]:
    with live_reel(tmp_path_factory.mktemp("reel") / "data") as live, chromium_browser() as browser:
        record_idle_visit(browser, live)
        record_share_visit(browser, live)
        idle = settled(live, "idle-user-1", lambda d: len(d["idle"]) >= 1 and d["dead_clicks"] >= 1)
        share = settled(live, "share-user", lambda d: d["duration_ms"] >= 90_000 and d["browser"])
        yield Visits(live, idle, share, browser)


def open_player(browser: Any, live: LiveReel, session_id: str, query: str = "", **context: Any) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 900}, **context).new_page()
    open_logged_in(page, f"{live.reel_url}/sessions/{session_id}{query}")
    page.wait_for_function("() => window.reelPlayer !== undefined")
    page.evaluate("() => window.reelPlayer.ready")
    return page


def now_ms(page: Any) -> float:
    return float(page.evaluate("() => window.reelPlayer.currentTime()"))


def seconds_until_ended(page: Any, limit_s: float = 30.0) -> float:
    """Wall seconds from now until the player says it reached the end."""
    started = time.monotonic()
    page.wait_for_function("() => window.reelPlayer.state() === 'ended'", timeout=limit_s * 1000)
    took = time.monotonic() - started
    print(f"played to the end in {took:.1f} s")  # shown with -s: the figure behind the "< 10 s"
    return took


def idle_stretch(visits: Visits) -> tuple[int, int]:
    s = visits.idle
    found = [p for p in s["idle"] if p["end"] - p["start"] >= IDLE_MS - 1000]
    assert len(found) == 1, [(p["start"] - s["start"], p["end"] - s["start"]) for p in s["idle"]]
    [period] = found
    return period["start"] - s["start"], period["end"] - s["start"]


def test_the_idle_stretch_is_found_and_the_user_context_is_known(visits: Visits) -> None:
    s = visits.idle
    start, end = idle_stretch(visits)
    assert IDLE_MS - 1000 <= end - start <= IDLE_MS + 3000, (start, end)
    assert s["browser"].startswith("Chrome ") and (s["os"], s["device"]) == ("Linux", "desktop")
    assert (s["viewport_width"], s["viewport_height"]) == (1280, 800)
    assert (s["language"], s["timezone"]) == ("en-GB", "Europe/London")
    assert s["referrer"] == "https://search.example/results?q=***"
    assert s["traits"] == {"plan": "pro", "seats": 3}
    p = visits.share
    assert (p["browser"], p["os"], p["device"], p["viewport_width"]) == ("Safari 17", "iOS", "mobile", 390)
    assert (p["language"], p["timezone"], p["referrer"]) == ("fr-FR", "Europe/Paris", "")
    # Each new filter finds the right session of the two.
    live = visits.live

    def ids(**params: Any) -> list[str]:
        return [x["id"] for x in live.api("/api/v1/sessions", **params)["sessions"]]

    assert ids(user_prefix="idle-") == [s["id"]]
    assert ids(event="idle-ping") == [s["id"]]
    assert ids(page="enamel-mug") == [s["id"]]
    assert ids(has_dead_clicks="true") == [s["id"]]
    assert ids(device="mobile") == [p["id"]] and ids(os="iOS") == [p["id"]]
    assert ids(browser="Chrome") == [s["id"]] and ids(language="fr") == [p["id"]]


def test_skipping_plays_the_visit_in_under_10_s_from_the_start(visits: Visits) -> None:
    browser = visits.browser
    page = open_player(browser, visits.live, visits.idle["id"])
    # Opened without ?t=, the player plays from the start.
    took = seconds_until_ended(page)
    assert took < 10, took
    assert page.evaluate("() => window.reelPlayer.skips()") >= 1
    start, end = idle_stretch(visits)
    # The strip marks the stretch where the seek bar shows it.
    band = page.evaluate(
        """() => [...document.querySelectorAll('.tl-activity .tl-idle')].map((el) => ({
             from: Number(el.dataset.from), to: Number(el.dataset.to),
             left: el.getBoundingClientRect().left, width: el.getBoundingClientRect().width,
             strip: el.parentElement.getBoundingClientRect().width,
             stripLeft: el.parentElement.getBoundingClientRect().left }))"""
    )
    [mark] = [b for b in band if b["to"] - b["from"] >= IDLE_MS - 1000]
    assert (mark["from"], mark["to"]) == (start, end)
    total = visits.idle["end"] - visits.idle["start"]
    assert abs((mark["left"] - mark["stripLeft"]) / mark["strip"] - start / total) < 0.01
    assert abs(mark["width"] / mark["strip"] - (end - start) / total) < 0.01
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.evaluate("ms => window.reelPlayer.seek(ms)", end + 500)
    page.screenshot(path=str(SCREENS / "player-idle-strip.png"))


def test_skipping_after_a_seek_into_the_stretch(visits: Visits) -> None:
    start, _ = idle_stretch(visits)
    browser = visits.browser
    page = open_player(browser, visits.live, visits.idle["id"], f"?t={start + 5000}")
    assert page.evaluate("() => window.reelPlayer.state()") == "paused"
    page.click("button.play")
    took = seconds_until_ended(page)
    assert took < 10, took


def test_skipping_after_a_jump_from_the_action_list(visits: Visits) -> None:
    start, end = idle_stretch(visits)
    browser = visits.browser
    page = open_player(browser, visits.live, visits.idle["id"], f"?t={start - 500}")
    ping = page.locator(".action[data-kind='custom']")
    ping.click()
    # The picked action is shown first (it lies inside the stretch), then the rest of it is skipped.
    page.wait_for_function("() => window.reelPlayer.state() === 'playing'")
    at = now_ms(page)
    assert start < at < end - 5000, (start, at, end)
    took = seconds_until_ended(page)
    assert took < 10, took


def test_skipping_after_a_pause_and_real_time_with_it_off(visits: Visits) -> None:
    start, end = idle_stretch(visits)
    browser = visits.browser
    page = open_player(browser, visits.live, visits.idle["id"], f"?t={start + 2000}")
    page.click("label[for=skip-inactive]")  # off
    assert page.evaluate("() => document.getElementById('skip-inactive').checked") is False
    page.click("button.play")
    before, t0 = now_ms(page), time.monotonic()
    page.wait_for_timeout(3000)
    played, wall = now_ms(page) - before, (time.monotonic() - t0) * 1000
    # Inside the stretch, at 1x: the playhead moves with the clock and skips nothing.
    assert abs(played - wall) < 800, (played, wall)
    assert page.evaluate("() => window.reelPlayer.skips()") == 0
    page.click("button.play")  # pause, inside the stretch
    assert page.evaluate("() => window.reelPlayer.state()") == "paused"
    assert start < now_ms(page) < end - 5000
    page.click("label[for=skip-inactive]")  # on again
    page.click("button.play")
    took = seconds_until_ended(page)
    assert took < 10, took
    assert page.evaluate("() => window.reelPlayer.skips()") >= 1


def test_a_link_copied_at_1_23_opens_paused_there_with_the_same_dom(visits: Visits) -> None:
    live, s = visits.live, visits.share
    at = 83_000
    grant = {"permissions": ["clipboard-read", "clipboard-write"]}
    browser = visits.browser
    page = open_player(browser, live, s["id"], **grant)
    # The address bar follows the playhead while playing.
    page.evaluate("() => window.reelPlayer.seek(10000)")
    page.click("button.play")
    page.wait_for_timeout(2500)
    shared = int(page.evaluate("() => new URLSearchParams(location.search).get('t')"))
    assert 10_500 <= shared <= now_ms(page) + 50, (shared, now_ms(page))
    page.click("button.play")
    page.evaluate("ms => window.reelPlayer.seek(ms)", at)
    page.click("button.copy-link")
    page.wait_for_function("() => document.querySelector('.stage-notice').textContent.includes('copied')")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link.endswith(f"/sessions/{s['id']}?t={at}"), link
    html = page.evaluate("() => window.reelPlayer.iframe().contentDocument.documentElement.outerHTML")
    body = "() => [...window.reelPlayer.iframe().contentDocument.body.classList]"
    # The page as it was at 1:23: step 27 set about 81 s after the first snapshot (26 if loading was slow).
    assert {"step-26", "step-27"} & set(page.evaluate(body))
    other = page.context.new_page()
    other.goto(link)
    other.wait_for_function("() => window.reelPlayer !== undefined")
    other.evaluate("() => window.reelPlayer.ready")
    assert other.evaluate("() => window.reelPlayer.state()") == "paused"
    assert now_ms(other) == at
    assert other.locator(".controls .elapsed").text_content() == "01:23"
    same = other.evaluate("() => window.reelPlayer.iframe().contentDocument.documentElement.outerHTML")
    assert same == html
    # The shortcut help opens with "?" and closes with Escape; "f" asks for full screen.
    other.keyboard.press("?")
    assert other.locator(".shortcut-help").is_visible()
    assert "Copy a link to this moment" in (other.locator(".shortcut-help").text_content() or "")
    other.keyboard.press("Escape")
    assert not other.locator(".shortcut-help").is_visible()
    other.keyboard.press("f")
    other.wait_for_function("() => document.fullscreenElement?.classList.contains('viewer') === true")
    other.keyboard.press("f")
    other.wait_for_function("() => document.fullscreenElement === null")
    # The header says what the user browsed with.
    shown = other.locator(".player-head .user-context").text_content() or ""
    assert "Safari 17 · iOS · mobile" in shown and "390\u00d7844" in shown and "fr-FR" in shown
    SCREENS.mkdir(parents=True, exist_ok=True)
    other.screenshot(path=str(SCREENS / "player.png"))


def test_the_list_shows_browsers_and_new_sessions_without_a_reload(visits: Visits) -> None:
    live = visits.live
    browser = visits.browser
    page = browser.new_context(viewport={"width": 1500, "height": 900}).new_page()
    open_logged_in(page, f"{live.reel_url}/sessions")
    page.wait_for_selector("tr[data-session-id]")
    rows = {
        r.get_attribute("data-session-id"): r.locator(".context-cell").text_content()
        for r in page.locator("tr[data-session-id]").all()
    }
    assert rows[visits.share["id"]] == "Safari 17 · iOS · mobile"
    assert (rows[visits.idle["id"]] or "").endswith("· Linux · desktop")
    # A new visit while the list is open appears in it, without a reload.
    page.evaluate("() => { window.notReloaded = true; }")
    visit = browser.new_context().new_page()
    start_recording(visit, f"{live.shop_url}/cart")
    visit.evaluate("() => window.reel.flush()")
    rows_js = "() => document.querySelectorAll('tr[data-session-id]').length === 3"
    page.wait_for_function(rows_js, timeout=20_000)
    assert page.evaluate("() => window.notReloaded") is True
    assert page.locator("tr.new").count() == 1
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "list.png"), full_page=True)
    # The filter bar's new fields search the API's new filters.
    page.fill("#f-event", "idle-ping")
    page.press("#f-event", "Enter")
    page.wait_for_function("() => document.querySelectorAll('tr[data-session-id]').length === 1")
    assert page.locator("tr[data-session-id]").get_attribute("data-session-id") == visits.idle["id"]
