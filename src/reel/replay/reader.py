"""Reading one window of a session from the stores, as recorded (the I/O edge of the read path).

A compacted segment is one blob, plus any beacon that arrived after it was compacted; an open or not yet
compacted one is its keyframe plus its beacons from the buffer. A compaction that lands while a window is
read may delete the keyframe blob just listed: the read is then made again from the new rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reel.domain.records import Segment, Session, StoredBeacon
from reel.errors import BlobNotFound, StorageUnavailable
from reel.replay.windows import BEFORE_SEGMENTS, Window, session_range
from reel.runtime.context import ReelContext
from reel.storage.chunks import decode_doc
from reel.storage.segments import merge_segment
from reel.storage.stream import beacon_events, keyframe_events, segment_doc, uncompacted_events

Event = dict[str, Any]


@dataclass(frozen=True)
class WindowEvents:
    """A window as recorded: its head (the state at its start) and its events, and what they came from."""

    head: list[Event]
    events: list[Event]
    source: tuple[Any, ...]
    """Identifies the stored data read (blobs and beacons): the same source gives the same events."""
    blob_key: str = ""
    """The compacted segment blob read, when the window was read from it alone (no beacon merged in)."""


def read_window(
    ctx: ReelContext,
    session: Session,
    window: Window,
    segments: Sequence[Segment],
    beacons: Sequence[StoredBeacon],
) -> WindowEvents:
    """The head and events of `window` (events in stream order, within the window and the session)."""
    span = session_range(session)
    head: list[Event] = []
    blob_key = ""
    if window.head == "checkpoint":
        head = _checkpoint(ctx, session)
    if window.n == BEFORE_SEGMENTS:
        first = segments[0] if segments else None
        own = [b for b in beacons if first is None or b.seq <= first.from_seq]
        loaded = beacon_events(ctx.sessions, ctx.blobs, own)
        pairs: list[tuple[int, Event]] = []
        for b in own:
            found = loaded.get(b.seq)
            if found is None:
                continue
            events = found[0]
            if first is not None and b.seq == first.from_seq:
                events = events[: first.from_index]
            pairs.extend((b.seq, e) for e in events)
        source: tuple[Any, ...] = (BEFORE_SEGMENTS, tuple(sorted(loaded)))
    else:
        segment = next(s for s in segments if s.idx == window.n)
        if segment.compacted:
            doc = segment_doc(ctx.blobs, segment)
            late = [b for b in beacons if segment.holds(b.seq, 0) and b.seq not in doc.by_seq()]
            fresh = uncompacted_events(ctx.sessions, ctx.blobs, segment, late)
            doc = merge_segment(doc.keyframe, doc, fresh)
            if window.head == "keyframe":
                head = doc.keyframe
            pairs = [(0, e) for e in doc.events]
            source = (segment.idx, segment.blob_key, tuple(sorted({s for s, _ in fresh})))
            blob_key = "" if fresh else segment.blob_key
        else:
            if window.head == "keyframe":
                head = keyframe_events(ctx.blobs, segment)
            pairs = uncompacted_events(ctx.sessions, ctx.blobs, segment, beacons)
            source = (segment.idx, segment.keyframe_key, tuple(sorted({s for s, _ in pairs})))
    body = [e for _, e in pairs if isinstance(e, dict) and _within(e, window, span.holds)]
    return WindowEvents(head, body, (window.start, window.end, window.head, *source), blob_key)


def window_source(
    window: Window, segments: Sequence[Segment], beacons: Sequence[StoredBeacon], buffered: Sequence[int]
) -> tuple[Any, ...]:
    """What a window is read from, from the rows alone: equal sources read equal events (a cache key)."""
    shape = (window.n, window.start, window.end, window.head)
    segment = next((s for s in segments if s.idx == window.n), None)
    if segment is None:
        first = segments[0].from_seq if segments else None
        return (*shape, tuple(b.seq for b in beacons if first is None or b.seq <= first))
    in_range = tuple(b.seq for b in beacons if segment.holds(b.seq, 0) or b.seq == segment.from_seq)
    if segment.compacted:
        return (*shape, segment.blob_key, late_seqs(segment, buffered))
    return (*shape, segment.keyframe_key, segment.to_seq, in_range)


def late_seqs(segment: Segment, buffered: Sequence[int]) -> tuple[int, ...]:
    """The buffered beacons of a compacted segment: arrived after it was compacted, merged in at read."""
    return tuple(s for s in buffered if segment.from_seq <= s < (segment.to_seq or s + 1))


def window_beacons(
    ctx: ReelContext, recording_id: str, window: Window, segments: Sequence[Segment]
) -> list[StoredBeacon]:
    """The beacon rows a window reads: its segment's (or those before the first segment), never all."""
    segment = next((s for s in segments if s.idx == window.n), None)
    if segment is None:
        return ctx.sessions.beacons(recording_id, 0, segments[0].from_seq if segments else None)
    return ctx.sessions.beacons(recording_id, segment.from_seq, segment.to_seq)


def read_fresh(ctx: ReelContext, session: Session, window: Window) -> WindowEvents:
    """`read_window` on the stored rows as they are now, read again once if a compaction raced it."""
    segments = ctx.sessions.segments(session.recording_id)
    beacons = window_beacons(ctx, session.recording_id, window, segments)
    try:
        return read_window(ctx, session, window, segments, beacons)
    except BlobNotFound:
        pass  # a keyframe or an older segment blob deleted by a compaction since the rows were read
    segments = ctx.sessions.segments(session.recording_id)
    beacons = window_beacons(ctx, session.recording_id, window, segments)
    try:
        return read_window(ctx, session, window, segments, beacons)
    except BlobNotFound as exc:
        raise StorageUnavailable(f"replay data named by the session store is missing: {exc.message}") from exc


def _within(event: Event, window: Window, in_session: Any) -> bool:
    ts = event.get("timestamp")
    return isinstance(ts, int | float) and window.holds(ts) and bool(in_session(ts))


def _checkpoint(ctx: ReelContext, session: Session) -> list[Event]:
    checkpoint = ctx.sessions.checkpoint(session.recording_id, session.start)
    if checkpoint is None:
        return []
    state = decode_doc(ctx.blobs.get(checkpoint.blob_key))
    return [e for e in state if isinstance(e, dict)] if isinstance(state, list) else []
