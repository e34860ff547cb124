"""The first frame of a session, rendered on the server for the player page (brief §3.4, P5).

The page carries the DOM at the moment it opens (the session's start, or `?t=`) as static HTML with its
captured CSS inlined, so the operator sees the page the moment the player page loads, before any event is
fetched; the replayer takes over once its segment is in. Only one segment is read, whatever the length.
The frame goes through exactly what the player receives (made safe, masked, resources from Reel's
copies), so it shows nothing the replay would not.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from markupsafe import Markup

from reel.api.auth import Caller
from reel.api.masking import current_rules
from reel.api.resources import visible_copy
from reel.api.sessions import visible_session
from reel.dom.mirror import DomMirror, prefix_end
from reel.dom.types import EventType
from reel.domain.content import CSS
from reel.domain.records import Session
from reel.errors import Forbidden, Gone, NotFound, StorageUnavailable
from reel.replay.assemble import MaskedWindow, masked_window, windows_of
from reel.replay.first_frame import render_html, stylesheet_hrefs
from reel.replay.windows import window_at
from reel.runtime.context import ReelContext
from reel.runtime.metrics import FIRST_FRAME_FAILURES, count_store_error

MAX_INLINE_CSS = 2 * 1024 * 1024
_RESOURCE_HREF = re.compile(r"/resources/([0-9a-f]{64})")
log = logging.getLogger("reel.player")


def frame_window(ctx: ReelContext, session: Session, offset_ms: int) -> MaskedWindow | None:
    """The window holding the moment `offset_ms` after the session's start, as the player receives it."""
    window = window_at(windows_of(ctx, session), session.start + offset_ms)
    return None if window is None else masked_window(ctx, session, window, current_rules(ctx, session.app_id))


def frame_events(built: MaskedWindow, session: Session, offset_ms: int) -> list[dict[str, Any]]:
    """The events of `built` that make the picture `offset_ms` after the session's start: its head and
    its events up to then (at the start: up to the first full snapshot)."""
    if offset_ms <= 0:
        return _opening(built.iter_events())
    return _up_to(built.iter_events(), float(session.start + offset_ms))


def _up_to(events: Iterator[dict[str, Any]], at: float) -> list[dict[str, Any]]:
    """The events up to `at`, decoded no further than the first later one (a deep link into a window's
    first minute reads that minute, not the whole window)."""
    out: list[dict[str, Any]] = []
    for event in events:
        if prefix_end([event], at) == 0:
            break
        out.append(event)
    return out


def _opening(events: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events up to the first full snapshot's time, read no further than needed (a window holds
    minutes of events; its first frame, the first few)."""
    out: list[dict[str, Any]] = []
    at: float | None = None
    for event in events:
        if at is not None and prefix_end([event], at) == 0:
            return out  # the first event later than the snapshot
        out.append(event)
        if at is None and event.get("type") == EventType.FULL_SNAPSHOT:
            at = float(event["timestamp"])
            cut = prefix_end(out, at)
            if cut < len(out):
                return out[:cut]  # an event before the snapshot is already later than it
    return out if at is not None else []


def first_frame(
    ctx: ReelContext, caller: Caller, session_id: str, offset_ms: int = 0
) -> dict[str, Any] | None:
    """The frame at `offset_ms` (the first one by default): HTML, the recorded viewport and scroll
    offset; None if there is none (yet), or if making it failed (counted and logged: the page still
    works without it, as the player fetches the session and says why it cannot show it)."""
    try:
        return _first_frame(ctx, caller, session_id, offset_ms)
    except (NotFound, Forbidden, Gone):
        return None  # unknown, another tenant's, deleted: the player says why from the API
    except StorageUnavailable as exc:
        FIRST_FRAME_FAILURES.labels("storage").inc()
        count_store_error("first_frame", exc)
        log.warning("no first frame for session %s: %s", session_id, exc.message)
        return None
    except Exception:  # a bug here must not take the player page down with it
        FIRST_FRAME_FAILURES.labels("error").inc()
        log.exception("no first frame for session %s: making it failed", session_id)
        return None


def _first_frame(ctx: ReelContext, caller: Caller, session_id: str, offset_ms: int) -> dict[str, Any] | None:
    session = visible_session(ctx, caller, session_id)
    built = frame_window(ctx, session, offset_ms)
    if built is None:
        return None
    # A frame is made from its masked window (the replay cache holds one object per window, rules version
    # and captured resources) and the style sheets the caller may see, and kept while that window object
    # lives: opening a session again neither decodes its events nor rebuilds and renders its DOM (8 h
    # dashboard: ~85 % of the page's answer). Not kept if a sheet was missing (its copy may yet come).
    key = ("first-frame", session.id, caller.app_ids, offset_ms, id(built))
    kept = ctx.replay_cache.get(key)
    if isinstance(kept, _KeptFrame) and kept.made_from() is built:
        return kept.frame
    events = frame_events(built, session, offset_ms)
    if not events:
        return None
    frame, complete = _render(ctx, caller, events)
    if frame is not None and complete:
        ctx.replay_cache.put(key, _KeptFrame(weakref.ref(built), frame), len(frame["html"]))
    return frame


@dataclass(frozen=True)
class _KeptFrame:
    """A rendered frame and the masked window it was made from (weakly: a window object the replay cache
    has let go of, whose id another may take, never finds it again)."""

    made_from: weakref.ref[MaskedWindow]
    frame: dict[str, Any]


def _render(
    ctx: ReelContext, caller: Caller, events: list[dict[str, Any]]
) -> tuple[dict[str, Any] | None, bool]:
    """The frame the events make, and whether every style sheet of Reel's copies it links was found."""
    mirror = DomMirror()
    mirror.apply_all(events)
    snapshot = mirror.snapshot()
    if snapshot is None or not mirror.has_meta:
        return None, False
    budget = [MAX_INLINE_CSS]
    missing: list[str] = []

    def inline(href: str) -> str | None:
        found = _RESOURCE_HREF.fullmatch(href)
        if found is None:
            return None
        # The same visibility check as GET /resources/{sha}: never another tenant's sheet.
        copy = visible_copy(ctx, caller, found.group(1), max_size=budget[0])
        if copy is None or copy[0].content_type != CSS:
            missing.append(href)
            return None
        budget[0] -= copy[0].size
        return copy[1].decode("utf-8", errors="replace")

    node = snapshot["node"]
    html = render_html(node, inline)
    return {
        "html": html,
        "width": mirror.width,
        "height": mirror.height,
        "scroll": snapshot["initialOffset"],
        "at": mirror.timestamp,
        "styles": [h for h in stylesheet_hrefs(node) if _RESOURCE_HREF.fullmatch(h)],
    }, not missing


def script_json(doc: object) -> Markup:
    """JSON safe inside a <script type="application/json"> element: no `<`, `>` or `&` at all, so
    nothing in it can end the element or start markup."""
    text = orjson.dumps(doc).decode()
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 -- escaped above: the text holds no markup characters
