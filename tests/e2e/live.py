"""A real Reel (embedded storage, background processing) and the demo shop on loopback, for e2e tests."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.demo.runner import snippet
from reel.demo.serving import serve_in_thread
from reel.demo.shop import create_shop_app
from reel.server.app import create_app
from reel.storage.resource_store import ResourceSettings

OPERATOR, PASSWORD = "e2e-admin", "e2e-password"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LiveReel:
    """Where the running Reel and shop are, and how to call the operator API."""

    reel_url: str
    shop_url: str
    data_dir: Path
    auth: dict[str, str]
    ctx: Any = None
    """Reel's context, for tests that run processing themselves (`live_reel(background=False)`)."""

    def api(self, path: str, **params: Any) -> Any:
        """GET an operator API path and return its JSON."""
        response = httpx.get(f"{self.reel_url}{path}", params=params, headers=self.auth)
        response.raise_for_status()
        return response.json()


@contextmanager
def live_reel(data_dir: Path, *, background: bool = True) -> Iterator[LiveReel]:
    """Reel with an application for the shop, an admin with a token, and the shop with the snippet."""
    app = create_app(Settings(data_dir=data_dir), background=background)
    shop_port = free_port()
    now_ms = int(time.time() * 1000)
    ctx = app.state.reel
    application = create_application(ctx.sessions, "Shop", [f"http://127.0.0.1:{shop_port}"], now_ms=now_ms)
    # As in the demo: the shop is on loopback, so resource capture may fetch from private addresses.
    ctx.resources.save_settings(ResourceSettings(application.id, (), allow_private=True, updated_at=now_ms))
    # The operator API needs a login: a token for httpx, the password for the browser's login form.
    operator = create_operator(ctx.operators, OPERATOR, "admin", PASSWORD, now_ms=now_ms)
    _token, secret = issue_token(ctx.operators, operator, "e2e", now_ms=now_ms)
    with serve_in_thread(app, lifespan="on") as reel_url:
        shop = create_shop_app(snippet(reel_url, application.app_key))
        with serve_in_thread(shop, port=shop_port) as shop_url:
            yield LiveReel(reel_url, shop_url, data_dir, {"Authorization": f"Bearer {secret}"}, ctx)


def open_logged_in(page: Any, url: str) -> None:
    """Open an operator page; the login form it redirects to brings the browser back after login."""
    page.goto(url)
    page.wait_for_url(lambda current: "/login?next=" in current)
    page.fill("#login-name", OPERATOR)
    page.fill("#login-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url)


def post_events(
    live: LiveReel,
    app: dict[str, Any],
    recording: str,
    events: list[dict[str, Any]],
    *,
    seq: int = 0,
    session_id: str | None = None,
    final: bool = False,
    client: httpx.Client | None = None,
) -> None:
    """POST one beacon of `events` to `app` (the API's application document) as the recorder does; the
    recorder session is the recording's id unless `session_id` names another."""
    body: dict[str, Any] = {
        "v": 1, "recording_id": recording, "session_id": session_id or recording, "seq": seq, "events": events
    }  # fmt: skip
    if final:
        body["final"] = True
    response = (client or httpx).post(
        f"{live.reel_url}/v1/web/beacons",
        params={"k": app["app_key"]},
        content=orjson.dumps(body),
        headers={"Origin": app["origins"][0], "Content-Type": "text/plain"},
    )
    assert response.status_code == 200, response.text
