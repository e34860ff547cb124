"""Python web apps with Reel's middleware, recorded by a live Reel in Chromium (shared by the e2e tests).

Each app serves one page under a strict Content-Security-Policy with a per-request nonce: the snippet
only runs if the middleware put the nonce on its tags. The page calls `reel.identify` and `reel.event`
inline, right after the injected tag, before the recorder script has loaded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from live import LiveReel
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.demo.serving import serve_in_thread
from reel.server.app import create_app

OPERATOR, PASSWORD = "e2e-web-apps", "e2e-password"


def page_html(user: str, nonce: str) -> str:
    """The app's page: no Reel tag of its own, inline calls to `window.reel` at the top of the body."""
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Orders</title></head>
<body>
<script nonce="{nonce}">
window.reel.identify({user!r}, {{plan: "pro"}});
window.reel.event("page-ready");
</script>
<h1>Orders</h1>
<button id="refresh" type="button">Refresh</button>
<p id="out"></p>
<script nonce="{nonce}">
document.getElementById("refresh").addEventListener("click", function () {{
  document.getElementById("out").textContent = "refreshed";
}});
</script>
</body></html>"""


def strict_csp(nonce: str, reel_url: str) -> str:
    """What a careful app sends: scripts only with its nonce, requests only to itself and Reel."""
    return f"default-src 'self'; script-src 'nonce-{nonce}'; connect-src 'self' {reel_url}; img-src data:"


@contextmanager
def live_reel_for(data_dir: Path, origin: str) -> Iterator[tuple[LiveReel, str]]:
    """A live Reel with an application for `origin` and an admin token; yields it and the app key."""
    app = create_app(Settings(data_dir=data_dir), background=True)
    ctx = app.state.reel
    now_ms = int(time.time() * 1000)
    application = create_application(ctx.sessions, "Web app", [origin], now_ms=now_ms)
    operator = create_operator(ctx.operators, OPERATOR, "admin", PASSWORD, now_ms=now_ms)
    _token, secret = issue_token(ctx.operators, operator, "e2e", now_ms=now_ms)
    with serve_in_thread(app, lifespan="on") as reel_url:
        yield LiveReel(reel_url, origin, data_dir, {"Authorization": f"Bearer {secret}"}), application.app_key


@contextmanager
def serve_wsgi(app: Any, port: int) -> Iterator[str]:
    """Serve a WSGI app with Werkzeug's threaded server on 127.0.0.1:`port` until the block ends."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def visit(url: str) -> list[str]:
    """Open the page in Chromium, click its button, let the recorder send everything, leave the page.

    Returns the console errors the page logged (a CSP refusal shows there)."""
    errors: list[str] = []
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 700})
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(url)
        page.wait_for_function("() => window.reel && window.reel.status && window.reel.status().recording")
        page.wait_for_timeout(300)
        page.click("#refresh")
        page.wait_for_selector("text=refreshed")
        page.wait_for_timeout(300)
        page.evaluate("() => window.reel.flush()")
        page.close(run_before_unload=True)
    return errors


def recorded_session(live: LiveReel, user: str, timeout_s: float = 30.0) -> tuple[dict[str, Any], list[Any]]:
    """The session identified as `user` and its actions, once the click and the identify are processed."""
    deadline = time.monotonic() + timeout_s
    actions: list[Any] = []
    while time.monotonic() < deadline:
        sessions = live.api("/api/v1/sessions", user_id=user)["sessions"]
        if sessions:
            actions = live.api(f"/api/v1/sessions/{sessions[0]['id']}/actions")["actions"]
            if {"identify", "click"} <= {a["kind"] for a in actions}:
                return sessions[0], actions
        time.sleep(0.5)
    raise AssertionError(f"no processed session for {user}: {[a['kind'] for a in actions]}")


def check_recorded(live: LiveReel, url: str, user: str) -> None:
    """Visit the app's page and check that Reel holds the session with its user, click and custom event."""
    errors = visit(url)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    session, actions = recorded_session(live, user)
    assert session["user_id"] == user
    assert session["first_url"].startswith(url)
    kinds = [a["kind"] for a in actions]
    assert "click" in kinds and "identify" in kinds, kinds
    events = live.api(f"/api/v1/sessions/{session['id']}/events")["events"]
    tags = [e["data"].get("tag") for e in events if e["type"] == 5]
    assert "reel.identify" in tags and "reel.event" in tags, tags
    assert any(e["type"] == 2 for e in events)  # a full snapshot: the page itself was recorded
