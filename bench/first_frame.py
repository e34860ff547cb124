"""P5: open a recorded session from the list; time to its first painted frame, in Chromium.

A real Reel on embedded storage records the demo shop's scripted visit (resources captured from the
loopback shop). The player page is then opened several times in a warm browser. Measured from the
navigation's start (performance.timeOrigin, so the server's answer is included):

- first frame: the server-rendered first frame painted (the page's `reel:first-frame` mark, two
  animation frames after it is inserted);
- replayer: the rrweb replayer's iframe holding the page with its style sheets loaded, with the first
  frame (as shipped), without it (the baseline: the page's frame and opening script taken out of its
  HTML on the way to the browser; both variants go through the same interception), and with the
  first frame but no Web Workers (chunks fetched and parsed on the page's main thread).

Run: `python -m bench first_frame` or `python bench/first_frame.py [runs]`.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench._browser import quiet_chromium
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.demo.runner import snippet
from reel.demo.serving import serve_in_thread
from reel.demo.shop import create_shop_app
from reel.demo.visit import run_visit_in_chromium
from reel.server.app import create_app
from reel.storage.resource_store import ResourceSettings

OPERATOR, PASSWORD = "bench", "bench-password"
PLAYER_PAGE = re.compile(r"/sessions/ses_[A-Za-z0-9_-]+(\?[^/]*)?$")
# What makes the first frame: its data block and the opening script that draws it and then starts the
# player bundle (player.html). Without them, the bundle runs as on any other page: a deferred script.
FRAME_HTML = re.compile(
    r'<script type="application/json" id="reel-first-frame">.*?</script>\s*'
    r'<script src="/static/built/opening\.js" data-bundle="/static/built/player\.js"[^>]*></script>',
    re.S,
)
DEFERRED_BUNDLE = '<script src="/static/built/player.js" defer></script>'

TARGET_MS, REPLAYER_TARGET_MS = 200, 400  # brief §7 P5: first frame, replayer drawn
# Before any page script: note when the replayer's iframe first holds a page with its sheets loaded.
WATCH_REPLAY_JS = """(() => {
  const watch = () => {
    const frame = document.querySelector(".replayer-wrapper iframe");
    const doc = frame && frame.contentDocument;
    const ready = doc && doc.body && doc.body.childElementCount > 0 &&
      [...doc.querySelectorAll('link[rel~="stylesheet"]')].every((l) => l.sheet);
    if (ready) window.__reelReplayPainted = performance.now();
    else requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
})();"""


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.platform()} · {cpu or platform.machine()} · {os.cpu_count()} CPUs"


def _wait_for_session(reel_url: str, auth: dict[str, str], timeout_s: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sessions = httpx.get(f"{reel_url}/api/v1/sessions", headers=auth).json()["sessions"]
        if sessions and sessions[0]["closed"] and sessions[0]["has_replay"]:
            return sessions[0]  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise RuntimeError("the recorded session did not settle")


def open_timed(page: Any, url: str, timeout_ms: float = 30_000) -> dict[str, float]:
    """Open the player at `url` (WATCH_REPLAY_JS installed); its marks in ms from navigation start."""
    page.goto(url)
    page.wait_for_function("() => window.__reelReplayPainted !== undefined", timeout=timeout_ms)
    marks = page.evaluate(
        """() => ({
          firstFrame: (performance.getEntriesByName("reel:first-frame")[0] || {}).startTime ?? -1,
          replayer: window.__reelReplayPainted,
          responseStart: performance.getEntriesByType("navigation")[0].responseStart,
          responseEnd: performance.getEntriesByType("navigation")[0].responseEnd,
          domReady: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
        })"""
    )
    return {k: float(v) for k, v in marks.items()}


def route_player_page(page: Any, *, without_frame: bool) -> None:
    """Pass the player page through Playwright (both variants alike), its first frame taken out or not."""

    def handle(route: Any) -> None:
        response = route.fetch()
        body = response.text()
        if without_frame:
            body, found = FRAME_HTML.subn(DEFERRED_BUNDLE, body)
            if found != 1:
                raise RuntimeError("the player page carries no first frame to take out")
        route.fulfill(response=response, body=body)

    page.route(PLAYER_PAGE, handle)


def measure(runs: int = 7) -> dict[str, Any]:
    """Record the visit, then open the player `runs` times each way; the figures in ms."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp) / "data"), background=True)
        ctx = app.state.reel
        now_ms = int(time.time() * 1000)
        operator = create_operator(ctx.operators, OPERATOR, "admin", PASSWORD, now_ms=now_ms)
        _t, secret = issue_token(ctx.operators, operator, "bench", now_ms=now_ms)
        auth = {"Authorization": f"Bearer {secret}"}
        with serve_in_thread(app, lifespan="on") as reel_url:
            shop_port = _free_port()
            shop = create_application(ctx.sessions, "Shop", [f"http://127.0.0.1:{shop_port}"], now_ms=now_ms)
            ctx.resources.save_settings(ResourceSettings(shop.id, (), True, now_ms))
            shop_site = create_shop_app(snippet(reel_url, shop.app_key))
            with serve_in_thread(shop_site, port=shop_port) as shop_url:
                run_visit_in_chromium(shop_url, pace=0.5)
                session = _wait_for_session(reel_url, auth)
                deadline = time.monotonic() + 60
                while any(r.status == "pending" for r in ctx.resources.rows(session["recording_id"])):
                    if time.monotonic() > deadline:
                        raise RuntimeError("resources were not captured")
                    time.sleep(0.2)
            player = f"{reel_url}/sessions/{session['id']}"
            with quiet_chromium() as browser:
                context = browser.new_context(viewport={"width": 1600, "height": 1000})
                context.add_init_script(WATCH_REPLAY_JS)
                page = context.new_page()
                page.goto(f"{reel_url}/login?next=/sessions")
                page.fill("#login-name", OPERATOR)
                page.fill("#login-password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url("**/sessions")
                bare = context.new_page()
                route_player_page(page, without_frame=False)
                route_player_page(bare, without_frame=True)
                open_timed(page, player)  # warm: the bundle and the copies in the browser's cache
                open_timed(bare, player)
                shipped, baseline = [], []
                for _ in range(runs):  # interleaved: both see the same load on the machine
                    shipped.append(open_timed(page, player))
                    baseline.append(open_timed(bare, player))
                # The same page without Web Workers (chunks fetched and parsed on the main thread).
                page.add_init_script("window.Worker = undefined;")
                on_page = [open_timed(page, player) for _ in range(runs)]
                version = browser.version
    return {
        "first_frame_ms": statistics.median(r["firstFrame"] for r in shipped),
        "replayer_ms": statistics.median(r["replayer"] for r in shipped),
        "replayer_without_first_frame_ms": statistics.median(r["replayer"] for r in baseline),
        "replayer_without_workers_ms": statistics.median(r["replayer"] for r in on_page),
        "runs": runs,
        "page_served_ms": statistics.median(r["responseEnd"] for r in shipped),
        "page_served_without_ms": statistics.median(r["responseEnd"] for r in baseline),
        "dom_ready_ms": statistics.median(r["domReady"] for r in shipped),
        "chromium": version,
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _verdict(ms: float, target: float) -> str:
    return "ok" if 0 <= ms <= target else "MISS"


def main(runs: int = 7) -> None:
    """Measure and print P5 with the machine it ran on."""
    result = measure(runs)
    first = result["first_frame_ms"]
    baseline = result["replayer_without_first_frame_ms"]
    print(f"machine: {machine()} · Chromium {result['chromium']}")
    print(f"P5 time to first painted frame (median of {result['runs']}, from navigation start):")
    print(
        f"  server-rendered first frame: {first:.0f} ms "
        f"(target <= {TARGET_MS} ms) [{_verdict(first, TARGET_MS)}]"
    )
    drawn = result["replayer_ms"]
    verdict = _verdict(drawn, REPLAYER_TARGET_MS)
    print(
        f"  replayer drawn, with the first frame shipped: {drawn:.0f} ms "
        f"(target <= {REPLAYER_TARGET_MS} ms) [{verdict}]"
    )
    print(f"  replayer drawn, without a first frame (baseline): {baseline:.0f} ms")
    on_page = result["replayer_without_workers_ms"]
    print(f"  replayer drawn, first frame shipped, no Web Workers: {on_page:.0f} ms")
    print(
        f"  player page served: {result['page_served_ms']:.0f} ms with the first frame, "
        f"{result['page_served_without_ms']:.0f} ms without; DOMContentLoaded {result['dom_ready_ms']:.0f} ms"
    )
    if first > 0:
        print(f"  first frame vs baseline: {baseline / first:.2f}x sooner")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
