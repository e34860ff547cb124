"""A live Reel on loopback holding three posted, processed sessions, for the Python client's tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.config import Settings
from reel.demo.serving import serve_in_thread
from reel.processing.worker import process_pending
from reel.server.app import create_app
from support import ORIGIN, click, custom, dashboard_snapshot

ADMIN, PASSWORD = "script-admin", "script-password"


@dataclass(frozen=True)
class ClientReel:
    """Where Reel runs, tokens of an admin and of a viewer, and the posted sessions' facts."""

    url: str
    admin_token: str
    viewer_token: str
    app_id: str
    started: dict[str, int]
    """Client start time of each user's recording (`alice`, `bob`, `anonymous`)."""


def _post(url: str, app_key: str, recording: str, events: list[dict[str, object]]) -> None:
    doc = {
        "v": 1,
        "recording_id": recording,
        "session_id": f"c-{recording}",
        "seq": 0,
        "sent_at": int(time.time() * 1000),
    }
    response = httpx.post(
        f"{url}/v1/web/beacons",
        params={"k": app_key},
        content=orjson.dumps({**doc, "final": True, "events": events}),
        headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": ORIGIN},
    )
    response.raise_for_status()


@contextmanager
def client_reel(data_dir: Path, frame_ancestors: tuple[str, ...] = ()) -> Iterator[ClientReel]:
    """Reel with three sessions: alice (2 clicks, an error, on /dashboard), bob (1 click, /checkout) and
    an anonymous one, posted as the recorder posts them and processed before the block starts.

    The admin (`ADMIN`) logs in with `PASSWORD` in a browser; `frame_ancestors` may embed the player."""
    app = create_app(Settings(data_dir=data_dir, frame_ancestors=frame_ancestors))
    ctx = app.state.reel
    now = int(time.time() * 1000)
    shop = create_application(ctx.sessions, "Shop", [ORIGIN], now_ms=now)
    admin = create_operator(ctx.operators, ADMIN, "admin", PASSWORD, now_ms=now)
    viewer = create_operator(ctx.operators, "script-viewer", "viewer", None, now_ms=now)
    _a, admin_secret = issue_token(ctx.operators, admin, "notebook", now_ms=now)
    _v, viewer_secret = issue_token(ctx.operators, viewer, "notebook", now_ms=now)
    started: dict[str, int] = {}
    with serve_in_thread(app, lifespan="on") as url:
        for i, (user, page, clicks) in enumerate(
            (("alice", "/dashboard", 2), ("bob", "/checkout", 1), ("anonymous", "/", 0))
        ):
            t = now - (3 - i) * 60_000  # a minute apart, alice first
            started[user] = t
            events = dashboard_snapshot(t, url=f"{ORIGIN}{page}")
            if user != "anonymous":
                events.append(custom(t + 100, "reel.identify", {"userId": user, "traits": {}}))
            events += [click(t + 1000 + 500 * n) for n in range(clicks)]
            if user == "alice":
                events.append(custom(t + 2500, "reel.error", {"message": "TypeError: boom"}))
            events.append(custom(t + 3000, "reel.event", {"name": "done", "props": {}}))
            _post(url, shop.app_key, f"rec-{user}", events)
        process_pending(ctx)
        yield ClientReel(url, admin_secret, viewer_secret, shop.id, started)
