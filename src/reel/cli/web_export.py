"""`reel export` of a web session: JSON (the masked events, as the player receives them) and MP4 (frames
drawn by Reel's own player in headless Chromium, encoded as the mobile export encodes them).

For the video, the player page and the operator API are served to Chromium in process: Playwright routes
every request of the page to the Reel app (a FastAPI test client on the configured stores), as an admin
that exists only for this export, so no server listens and no operator or token is created. Requests
anywhere else are refused. Each frame is a seek of the player (`window.reelPlayer`, paused) and a
screenshot of the replay frame: what the player shows, masked with the rules in force now.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reel.api.auth import Caller, api_caller, page_caller
from reel.api.masking import current_rules
from reel.api.sessions import session_json
from reel.config import Settings
from reel.domain.records import Session
from reel.jsonio import dumps
from reel.replay.assemble import session_events
from reel.replay.masking import mask_url
from reel.replay.video_times import Stretch, frame_moments, inactive_stretches, interaction_times
from reel.runtime.context import ReelContext
from reel.storage.operator_store import Operator

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from PIL import Image
    from playwright.sync_api import Page, Route

EXPORT_ORIGIN = "http://reel.export"
"""The origin the player is loaded from during an export; it resolves nowhere, every request is routed."""
DEFAULT_VIEWPORT = (1440, 900)
_HOP_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection"})
_EXPORTER = Operator("opr_export", "reel export", "admin", None, 0)


def web_json(ctx: ReelContext, session: Session) -> bytes:
    """The session and its events as the player receives them (made safe, masked with the current rules,
    resources pointed at Reel's copies), as one JSON document."""
    rules = current_rules(ctx, session.app_id)
    summary = session_json(session)
    for key in ("first_url", "last_url"):
        summary[key] = mask_url(summary[key], rules.urls)
    return dumps(
        {"session": summary, "rules_version": rules.version, "events": session_events(ctx, session, rules)}
    )


@dataclass(frozen=True)
class WebVideo:
    """What an MP4 export wrote."""

    frames: int
    fps: int
    size: tuple[int, int]
    skipped: tuple[Stretch, ...]
    """The inactive stretches cut short (empty unless idle was skipped)."""


def idle_stretches(ctx: ReelContext, session: Session) -> list[Stretch]:
    """The session's inactive stretches, from its events as the player receives them."""
    events = session_events(ctx, session, current_rules(ctx, session.app_id))
    return inactive_stretches(interaction_times(events), session.start, session.end)


def export_web_mp4(
    settings: Settings,
    session_id: str,
    path: Path,
    *,
    fps: int,
    skip_idle: bool,
    viewport: tuple[int, int] = DEFAULT_VIEWPORT,
) -> WebVideo:
    """Draw the session with the player in headless Chromium at `fps` and write it to `path` as MP4."""
    from fastapi.testclient import TestClient

    from reel.demo.browser import chromium_browser
    from reel.replay.mobile.video import write_mp4
    from reel.server.app import create_app

    app = create_app(settings)
    exporter = Caller(_EXPORTER, "token")
    app.dependency_overrides[api_caller] = lambda: exporter
    app.dependency_overrides[page_caller] = lambda: exporter
    with TestClient(app, base_url=EXPORT_ORIGIN, follow_redirects=False) as client:
        ctx: ReelContext = app.state.reel
        session = ctx.sessions.session(session_id)
        if session is None or session.platform != "web":
            raise LookupError(f"no web session {session_id!r}")
        skipped = idle_stretches(ctx, session) if skip_idle else []
        moments = frame_moments(session.start, session.end, fps, skipped)
        with chromium_browser() as browser:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            context.route("**/*", lambda route: _serve(client, route))
            page = context.new_page()
            _open_player(page, session_id)
            size: list[tuple[int, int]] = []
            written = write_mp4(_pictures(page, session, moments, size), path, fps)
            context.close()
    return WebVideo(written, fps, size[0] if size else (0, 0), tuple(skipped))


def _serve(client: TestClient, route: Route) -> None:
    """Answer one request of the page from the Reel app; refuse any other origin."""
    request = route.request
    url = urlsplit(request.url)
    if f"{url.scheme}://{url.netloc}" != EXPORT_ORIGIN:
        route.abort("blockedbyclient")
        return
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
    target = url.path + (f"?{url.query}" if url.query else "")
    answer = client.request(request.method, target, headers=headers, content=request.post_data_buffer)
    kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_HEADERS}
    route.fulfill(status=answer.status_code, headers=kept, body=answer.content)


def _open_player(page: Page, session_id: str) -> None:
    # ?t=0: the player opens paused at the start instead of playing.
    page.goto(f"{EXPORT_ORIGIN}/sessions/{session_id}?t=0")
    page.wait_for_function("() => window.reelPlayer !== undefined")
    page.evaluate("() => window.reelPlayer.ready")
    state = page.evaluate("() => window.reelPlayer.state()")
    if state in ("error", "empty"):
        message = page.evaluate("() => window.reelPlayer.error()")
        raise RuntimeError(f"the player cannot show this session: {message or state}")


def _pictures(
    page: Page, session: Session, moments: list[int], size: list[tuple[int, int]]
) -> Iterator[Image.Image]:
    """One screenshot of the replay frame per moment, all of the first one's size (even, for H.264)."""
    from PIL import Image

    for moment in moments:
        # The seek and the frame's box in one round trip (the box moves when the recorded viewport does);
        # a clipped page screenshot costs about half a locator's, which waits for the element each time.
        x, y, width, height = page.evaluate(_SEEK, moment - session.start)
        shot = page.screenshot(clip={"x": x, "y": y, "width": width, "height": height}, animations="disabled")
        picture = Image.open(io.BytesIO(shot)).convert("RGB")
        if not size:
            size.append((picture.width - picture.width % 2, picture.height - picture.height % 2))
        yield _fit(picture, size[0])


_SEEK = """async ms => {
  await window.reelPlayer.seek(ms);
  const r = document.querySelector(".frame").getBoundingClientRect();
  return [r.x, r.y, Math.max(2, r.width), Math.max(2, r.height)];
}"""


def _fit(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`picture` in `size`: cropped by a pixel to even sides, or letterboxed after a viewport change."""
    from PIL import Image

    if picture.size == size:
        return picture
    if abs(picture.width - size[0]) <= 1 and abs(picture.height - size[1]) <= 1:
        return (
            picture.crop((0, 0, *size))
            if picture.width >= size[0] and picture.height >= size[1]
            else picture.resize(size)
        )
    ratio = min(size[0] / picture.width, size[1] / picture.height)
    scaled = picture.resize((max(1, round(picture.width * ratio)), max(1, round(picture.height * ratio))))
    out = Image.new("RGB", size, (0, 0, 0))
    out.paste(scaled, ((size[0] - scaled.width) // 2, (size[1] - scaled.height) // 2))
    return out


def viewport_option(value: str) -> tuple[int, int]:
    """`1440x900` as (width, height), within what a browser window may be."""
    width, _, height = value.lower().partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        raise ValueError(f"{value!r} is not WIDTHxHEIGHT") from None
    if not all(200 <= n <= 4000 for n in size):
        raise ValueError("each side of the window is 200 to 4000 pixels")
    return size
