"""Fidelity in Chromium (brief §3.4): a replay looks like what the user saw, from Reel's copies alone.

Two sites are recorded: the demo shop (same-origin CSS the recorder inlines, a web font, SVG images) and
"Harbour Notes", whose stylesheet (with an @import), web font and images come from another port, so the
recorder cannot read the CSS and only the server's capture can bring it back. The live pages are
screenshot at several moments; then every site is stopped, the replay is sought to the same moments and
its iframe is screenshot. The pictures must match, and the player must not send a single request to the
recorded sites' origins.

Masking: this test needs what the user saw, unmasked: both applications get the `allow_list` preset
with everything unmasked, through the masking rules API, and the recorder's cached copy of the rules is
seeded with the same document (so capture is unmasked even where `/v1/web/config` is not served yet).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from playwright.sync_api import FloatRect, ViewportSize

from fidelity_sites import asset_site, notes_site, similarity
from live import OPERATOR, PASSWORD, open_logged_in
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.demo.runner import snippet
from reel.demo.serving import serve_in_thread
from reel.demo.shop import create_shop_app
from reel.demo.visit import flush_reel
from reel.server.app import create_app
from reel.storage.resource_store import ResourceSettings

pytestmark = pytest.mark.browser

LIVE_VIEW = ViewportSize(width=1024, height=720)
PLAYER_VIEW = ViewportSize(width=2200, height=1500)
MIN_SIMILARITY = 0.98
DUMP = os.environ.get("REEL_FIDELITY_DUMP", "")

SETTLE_JS = """async () => {
  await document.fonts.ready;
  await Promise.all([...document.images].map((i) => i.complete ? 0 : new Promise((r) => {
    i.addEventListener("load", r); i.addEventListener("error", r); })));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""
UNMASKED = {
    "version": 1,
    "preset": "allow_list",
    "consent": {"required": True, "honor_gpc": True},
    "rules": [{"type": "unmask", "selector": "*"}],
}


def seed_rules_js(app_key: str) -> str:
    """Script putting the unmasked rules in the recorder's cache (web/src/recorder/remote.ts), fresh."""
    doc = orjson.dumps(UNMASKED).decode()
    return (
        "try { localStorage.setItem('reel.config', JSON.stringify("
        f"{{ k: {orjson.dumps(app_key).decode()}, t: Date.now(), d: {doc} }})); }} catch (e) {{}}"
    )


REPLAY_SETTLE_JS = """async () => {
  const doc = window.reelPlayer.iframe().contentDocument;
  const links = [...doc.querySelectorAll('link[rel~="stylesheet"]')];
  await Promise.all(links.map((l) => l.sheet ? 0 : new Promise((r) => {
    l.addEventListener("load", r); l.addEventListener("error", r); })));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await doc.fonts.ready;
  await Promise.all([...doc.images].map((i) => i.complete ? 0 : new Promise((r) => {
    i.addEventListener("load", r); i.addEventListener("error", r); })));
}"""


@dataclass(frozen=True)
class Shot:
    """The live page at one moment."""

    site: str
    step: str
    wall_ms: int
    png: bytes


@dataclass
class Recorded:
    reel_url: str
    auth: dict[str, str]
    unmasked: bool
    origins: set[str]
    shots: list[Shot] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    captured: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per site: each URL its recording references, and its capture status."""


def clip_at(box: FloatRect) -> FloatRect:
    """The recorded viewport's size at the element's (rounded) place on the page."""
    return FloatRect(
        x=round(box["x"]), y=round(box["y"]), width=LIVE_VIEW["width"], height=LIVE_VIEW["height"]
    )


def stable(take: Callable[[], bytes], page: Any) -> bytes:
    """A screenshot taken twice in a row with the same result (nothing still loading or moving)."""
    last = take()
    for _ in range(30):
        page.wait_for_timeout(100)
        now = take()
        if now == last:
            return now
        last = now
    return last


def unmask_everything(reel_url: str, auth: dict[str, str], app_id: str) -> bool:
    """Set the `allow_list` preset with everything unmasked; False if the masking rules API is absent."""
    doc = {k: v for k, v in UNMASKED.items() if k != "version"}
    response = httpx.put(f"{reel_url}/api/v1/applications/{app_id}/masking-rules", json=doc, headers=auth)
    if response.status_code in (404, 405):
        return False
    response.raise_for_status()
    return True


def shoot(page: Any, recorded: Recorded, site: str, step: str) -> None:
    page.mouse.move(LIVE_VIEW["width"] - 2, LIVE_VIEW["height"] - 2)  # no hover anywhere that matters
    page.wait_for_function("() => window.reel && window.reel.status().recording")
    page.evaluate(SETTLE_JS)
    png = stable(lambda: page.screenshot(), page)
    wall_ms = int(page.evaluate("Date.now()"))
    recorded.shots.append(Shot(site, step, wall_ms, png))
    page.wait_for_timeout(300)  # a quiet stretch after the moment, as before it


def visit_shop(page: Any, shop_url: str, recorded: Recorded) -> None:
    page.goto(shop_url + "/")
    page.click("#consent-accept")
    shoot(page, recorded, "shop", "catalogue")
    flush_reel(page)
    page.click("#card-enamel-mug")
    page.wait_for_url("**/products/enamel-mug")
    shoot(page, recorded, "shop", "product")
    page.mouse.wheel(0, 500)
    page.wait_for_function("() => window.scrollY >= 500")
    shoot(page, recorded, "shop", "product-scrolled")
    flush_reel(page)
    page.click("#nav-cart")
    page.wait_for_url("**/cart")
    shoot(page, recorded, "shop", "cart")
    flush_reel(page)


def visit_notes(page: Any, notes_url: str, recorded: Recorded) -> None:
    page.goto(notes_url + "/")
    shoot(page, recorded, "notes", "home")
    flush_reel(page)
    page.click("#nav-about")
    page.wait_for_url("**/about")
    shoot(page, recorded, "notes", "about")
    page.mouse.wheel(0, 400)
    page.wait_for_function("() => window.scrollY >= 400")
    shoot(page, recorded, "notes", "about-scrolled")
    flush_reel(page)


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = 240.0) -> None:
    """Poll `check` until it holds; the time is a safety net for a loaded machine (2 CPUs shared), not a
    target: a session settles in seconds when the machine is quiet."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting: {what}")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    data_dir: Path = tmp_path_factory.mktemp("fidelity") / "data"
    app = create_app(Settings(data_dir=data_dir), background=True)
    ctx = app.state.reel
    now_ms = int(time.time() * 1000)
    operator = create_operator(ctx.operators, OPERATOR, "admin", PASSWORD, now_ms=now_ms)
    _token, secret = issue_token(ctx.operators, operator, "e2e", now_ms=now_ms)
    auth = {"Authorization": f"Bearer {secret}"}
    shop_app_port, notes_port, assets_port = (_free_port() for _ in range(3))
    shop_origin, notes_origin = f"http://127.0.0.1:{shop_app_port}", f"http://127.0.0.1:{notes_port}"
    assets_origin = f"http://127.0.0.1:{assets_port}"
    shop = create_application(ctx.sessions, "Shop", [shop_origin], now_ms=now_ms)
    notes = create_application(ctx.sessions, "Harbour Notes", [notes_origin], now_ms=now_ms)
    # Loopback sites: their applications allow private addresses, as the demo does.
    ctx.resources.save_settings(ResourceSettings(shop.id, (), True, now_ms))
    ctx.resources.save_settings(ResourceSettings(notes.id, (notes_origin, assets_origin), True, now_ms))
    with serve_in_thread(app, lifespan="on") as reel_url:
        unmasked = all(unmask_everything(reel_url, auth, a.id) for a in (shop, notes))
        result = Recorded(reel_url, auth, unmasked, {shop_origin, notes_origin, assets_origin})
        with (
            serve_in_thread(create_shop_app(snippet(reel_url, shop.app_key)), port=shop_app_port),
            serve_in_thread(asset_site(), port=assets_port),
            serve_in_thread(notes_site(snippet(reel_url, notes.app_key), assets_origin), port=notes_port),
            chromium_browser() as browser,
        ):
            visits = ((visit_shop, shop_origin, shop.app_key), (visit_notes, notes_origin, notes.app_key))
            for visit, url, key in visits:
                context = browser.new_context(viewport=LIVE_VIEW, device_scale_factor=1)
                context.add_init_script(seed_rules_js(key))
                page = context.new_page()
                visit(page, url, result)
                page.close()  # pagehide: the final beacon
                context.close()
        # Every site is down from here on: a replay can only use Reel's copies.
        for site, app_id in (("shop", shop.id), ("notes", notes.id)):
            wait_until(partial(_settled, reel_url, auth, app_id), f"the {site} session to settle")
            session = _sessions(reel_url, auth, app_id)[0]
            wait_until(
                partial(_captured, ctx, session["recording_id"]), f"the {site} resources to be captured"
            )
            result.sessions[site] = session
            rows = ctx.resources.rows(session["recording_id"])
            result.captured[site] = {r.url: r.status + (f" ({r.reason})" if r.reason else "") for r in rows}
        yield result


def _free_port() -> int:
    from live import free_port

    return free_port()


def _sessions(reel_url: str, auth: dict[str, str], app_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{reel_url}/api/v1/sessions", params={"app_id": app_id}, headers=auth)
    return response.json()["sessions"]  # type: ignore[no-any-return]


def _settled(reel_url: str, auth: dict[str, str], app_id: str) -> bool:
    sessions = _sessions(reel_url, auth, app_id)
    return len(sessions) == 1 and bool(sessions[0]["closed"]) and bool(sessions[0]["has_replay"])


def _captured(ctx: Any, recording_id: str) -> bool:
    rows = ctx.resources.rows(recording_id)
    return bool(rows) and all(r.status != "pending" for r in rows)


def test_every_resource_was_captured_including_cross_origin_css_and_what_it_imports(
    recorded: Recorded,
) -> None:
    notes = {url.split("/", 3)[3]: status for url, status in recorded.captured["notes"].items()}
    for path in (
        "notes.css",
        "base.css",
        "fonts/display.ttf",
        "img/waves.svg",
        "img/badge.svg",
        "img/boat.svg",
    ):
        assert notes.get(path) == "captured", (path, recorded.captured["notes"])
    shop = {url.split("/", 3)[3]: status for url, status in recorded.captured["shop"].items()}
    for path in ("static/fonts/shop-font.ttf", "static/img/logo.svg", "static/img/hero.svg"):
        assert shop.get(path) == "captured", (path, recorded.captured["shop"])
    assert all(s == "captured" for s in [*notes.values(), *shop.values()]), recorded.captured


def test_the_replay_looks_like_the_live_page_and_asks_the_sites_for_nothing(recorded: Recorded) -> None:
    requested: list[str] = []
    figures: list[str] = []
    with chromium_browser() as browser:
        page = browser.new_page(viewport=PLAYER_VIEW, device_scale_factor=1)
        page.on("request", lambda request: requested.append(request.url))
        workers: list[str] = []
        page.on("worker", lambda worker: workers.append(worker.url))
        open_logged_in(page, f"{recorded.reel_url}/sessions")
        for site, session in recorded.sessions.items():
            page.goto(f"{recorded.reel_url}/sessions/{session['id']}")
            page.wait_for_function("() => window.reelPlayer !== undefined")
            page.evaluate("() => window.reelPlayer.ready")
            page.add_style_tag(
                content=".replayer-mouse, .overlay, .first-frame { display: none !important; }"
            )
            for shot in (s for s in recorded.shots if s.site == site):
                page.evaluate("ms => window.reelPlayer.seek(ms)", shot.wall_ms - session["start"])
                assert page.evaluate("() => document.querySelector('.frame').dataset.scale") == "1.000"
                page.evaluate(REPLAY_SETTLE_JS)
                box = page.locator(".replayer-wrapper iframe").bounding_box()
                assert box is not None
                png = stable(partial(page.screenshot, clip=clip_at(box)), page)
                alike = similarity(shot.png, png)
                if DUMP:  # REEL_FIDELITY_DUMP=dir keeps the pictures, to look at a failure
                    Path(DUMP).mkdir(parents=True, exist_ok=True)
                    (Path(DUMP) / f"{site}-{shot.step}-live.png").write_bytes(shot.png)
                    (Path(DUMP) / f"{site}-{shot.step}-replay.png").write_bytes(png)
                figures.append(
                    f"{site}/{shot.step}: {alike.tolerant:.4f} within tolerance, {alike.exact:.4f} exact, "
                    f"{alike.compared} of {alike.size[0] * alike.size[1]} pixels compared"
                )
                assert alike.tolerant >= MIN_SIMILARITY, (site, shot.step, alike)
    mode = "rules set through the API" if recorded.unmasked else "rules seeded in the recorder's cache only"
    print(f"\nreplay vs live, allow_list + unmask * ({mode}):\n  " + "\n  ".join(figures))
    leaked = [url for url in requested if any(url.startswith(origin) for origin in recorded.origins)]
    assert leaked == [], leaked
    assert any("/resources/" in url for url in requested)
    assert any(url.endswith("/static/built/events-worker.js") for url in workers)  # chunks load off-thread


def test_the_first_frame_shows_the_opening_page_before_any_event_arrives(recorded: Recorded) -> None:
    figures: list[str] = []
    with chromium_browser() as browser:
        page = browser.new_page(viewport=PLAYER_VIEW, device_scale_factor=1)
        open_logged_in(page, f"{recorded.reel_url}/sessions")
        # No events reach the player: whatever shows is the server-rendered first frame alone.
        page.route("**/api/v1/sessions/*/events*", lambda route: route.abort())
        page.route("**/api/v1/sessions/*/segments/*", lambda route: route.abort())
        for site, session in recorded.sessions.items():
            page.goto(f"{recorded.reel_url}/sessions/{session['id']}")
            page.wait_for_function("() => performance.getEntriesByName('reel:first-frame').length > 0")
            assert page.evaluate("() => document.querySelector('.first-frame').getAttribute('sandbox')") == (
                "allow-same-origin"
            )
            page.add_style_tag(content=".overlay { display: none !important; }")
            page.evaluate(
                "async () => { const d = document.querySelector('.first-frame').contentDocument;"
                " await d.fonts.ready; }"
            )
            box = page.locator(".first-frame").bounding_box()
            assert box is not None
            png = stable(partial(page.screenshot, clip=clip_at(box)), page)
            opening = next(s for s in recorded.shots if s.site == site)
            alike = similarity(opening.png, png)
            if DUMP:
                (Path(DUMP) / f"{site}-first-frame.png").write_bytes(png)
            figures.append(
                f"{site}/{opening.step}: {alike.tolerant:.4f} within tolerance, {alike.exact:.4f} exact"
            )
            assert alike.tolerant >= MIN_SIMILARITY, (site, alike)
    print("\nfirst frame vs live:\n  " + "\n  ".join(figures))
