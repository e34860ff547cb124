"""The first frame of a session, rendered on the server for the player page (brief §3.4, P5).

The page carries the DOM at the session's start as static HTML with its captured CSS inlined, so the
operator sees the page the moment the player page loads, before any event is fetched; the replayer takes
over once its first chunk is in. The frame goes through exactly what the events endpoint sends (made
safe, masked, resources from Reel's copies), so it shows nothing the replay would not.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from markupsafe import Markup

from reel.api.auth import Caller
from reel.api.sessions import events_for_player, visible_session
from reel.dom.mirror import DomMirror, prefix_end
from reel.dom.types import EventType
from reel.domain.content import CSS
from reel.domain.records import Session
from reel.errors import BlobNotFound, ReelError
from reel.replay.first_frame import render_html, stylesheet_hrefs
from reel.replay.index import part_window, session_beacons
from reel.runtime.context import ReelContext
from reel.storage.chunks import decode_doc, decode_events
from reel.storage.keys import resource_blob_key

MAX_OPENING_BEACONS = 4
"""The first full snapshot is in the first beacon or so; a session without one early gets no frame."""
MAX_INLINE_CSS = 2 * 1024 * 1024
_RESOURCE_HREF = re.compile(r"/resources/([0-9a-f]{64})")


def opening_events(ctx: ReelContext, session: Session) -> list[dict[str, Any]]:
    """The recorded events up to and including the session's first full snapshot (and those stamped
    with the same time), or [] if none is found early."""
    if session.part > 1:
        checkpoint = ctx.sessions.checkpoint(session.recording_id, session.start)
        if checkpoint is None:
            return []
        state = decode_doc(ctx.blobs.get(checkpoint.blob_key))
        return [e for e in state if isinstance(e, dict)] if isinstance(state, list) else []
    parts = ctx.sessions.session_parts(session.app_id, session.recording_id, session.client_session_id)
    beacons = session_beacons(
        session, ctx.sessions.beacons(session.recording_id), frozenset(p.id for p in parts)
    )
    window = part_window(session)
    events: list[dict[str, Any]] = []
    for beacon in beacons[:MAX_OPENING_BEACONS]:
        stored = decode_events(ctx.blobs.get(beacon.blob_key))
        events.extend(e for e in stored if window.holds(e["timestamp"]))
        snapshots = [e for e in events if e.get("type") == EventType.FULL_SNAPSHOT]
        if snapshots:
            events.sort(key=lambda e: e["timestamp"])
            return events[: prefix_end(events, float(snapshots[0]["timestamp"]))]
    return []


def first_frame(ctx: ReelContext, caller: Caller, session_id: str) -> dict[str, Any] | None:
    """The first frame: HTML, the recorded viewport and scroll offset; None if there is none (yet)."""
    try:
        session = visible_session(ctx, caller, session_id)
        events = opening_events(ctx, session)
    except (ReelError, KeyError, TypeError):
        return None  # the player says why from the API; a page without a first frame still works
    if not events:
        return None
    mirror = DomMirror()
    mirror.apply_all(events_for_player(ctx, session, events))
    snapshot = mirror.snapshot()
    if snapshot is None or not mirror.has_meta:
        return None
    budget = [MAX_INLINE_CSS]

    def inline(href: str) -> str | None:
        found = _RESOURCE_HREF.fullmatch(href)
        if found is None:
            return None
        meta = ctx.resources.resource(found.group(1))
        if meta is None or meta.content_type != CSS or meta.size > budget[0]:
            return None
        try:
            text = ctx.blobs.get(resource_blob_key(meta.digest)).decode("utf-8", errors="replace")
        except BlobNotFound:
            return None
        budget[0] -= meta.size
        return text

    node = snapshot["node"]
    return {
        "html": render_html(node, inline),
        "width": mirror.width,
        "height": mirror.height,
        "scroll": snapshot["initialOffset"],
        "at": mirror.timestamp,
        "styles": [h for h in stylesheet_hrefs(node) if _RESOURCE_HREF.fullmatch(h)],
    }


def script_json(doc: object) -> Markup:
    """JSON safe inside a <script type="application/json"> element: no `<`, `>` or `&` at all, so
    nothing in it can end the element or start markup."""
    text = orjson.dumps(doc).decode()
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 -- escaped above: the text holds no markup characters
