"""What the player receives of a session: each window made safe, masked with the rules current now, and
pointed at Reel's copies of its resources — the one assembly every reader uses (the windows endpoint, the
whole-session events, the first frame, exports).

Masking needs the DOM an event applies to (is node 57 inside a masked element?). Each window starts with
the state at its start (keyframe or checkpoint), so it is masked on its own, from its head, exactly as it
would be inside the whole stream. A masked window is kept per rules version and per what it was read
from; saving rules makes a new version, so a stricter rule applies to every window at once, cached ones
included.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from reel.domain.records import Session
from reel.domain.rules import RuleSet
from reel.jsonio import dumps
from reel.replay.kept import (
    LEVEL,
    KeptCopy,
    WindowInputs,
    answer_opening,
    keep,
    keepable,
    kept_key,
    make_copy,
    read_kept,
)
from reel.replay.masking import ReplayMasker
from reel.replay.reader import late_seqs, read_fresh, window_beacons, window_source
from reel.replay.rewrite import replay_from_copies
from reel.replay.sanitize import sanitize_event
from reel.replay.windows import Window, session_windows
from reel.runtime.context import ReelContext

Event = dict[str, Any]
log = logging.getLogger("reel.replay")


@dataclass(frozen=True)
class MaskedWindow:
    """A window as the player receives it: its head and its events, each as a JSON array."""

    window: Window
    head: bytes
    events: bytes

    def as_events(self, *, with_head: bool = True) -> list[Event]:
        """The events (head first), decoded."""
        head: list[Event] = orjson.loads(self.head) if with_head else []
        events: list[Event] = orjson.loads(self.events)
        return head + events

    def iter_events(self) -> Iterator[Event]:
        """The events (head first), decoded one at a time: reading the first few of a window (the first
        frame) costs what they hold, not the whole window. The head (a keyframe) is always read whole: at
        once, several times faster than item by item."""
        try:
            head: list[Event] = orjson.loads(self.head)
        except orjson.JSONDecodeError:  # nested deeper than orjson reads: the json module reads it
            yield from _one_by_one(self.head)
        else:
            yield from head
        yield from _one_by_one(self.events)


_DECODER = json.JSONDecoder()


def _one_by_one(array: bytes) -> Iterator[Any]:
    """The items of a compact JSON array as Reel writes it, decoded lazily."""
    text = array.decode("utf-8")
    at, done = 1, 0
    while at < len(text) and text[at] != "]":
        try:
            item, at = _DECODER.raw_decode(text, at)
        except RecursionError:  # nested deeper than the json module reads: orjson reads any depth Reel writes
            yield from orjson.loads(array)[done:]
            return
        done += 1
        yield item
        if text[at : at + 1] == ",":
            at += 1


def windows_of(ctx: ReelContext, session: Session) -> list[Window]:
    """The windows of a session as stored now."""
    segments = ctx.sessions.segments(session.recording_id)
    checkpoint = session.part > 1 and ctx.sessions.checkpoint(session.recording_id, session.start) is not None
    return session_windows(session, segments, has_checkpoint=checkpoint)


@dataclass(frozen=True)
class _Rows:
    """What a window is read from, as the stores name it now."""

    source: tuple[Any, ...]
    captured: Mapping[str, str]
    keepable: WindowInputs | None
    """The window's inputs when it may be kept (reel.replay.kept), else None."""


def _rows(ctx: ReelContext, session: Session, window: Window) -> _Rows:
    segments = ctx.sessions.segments(session.recording_id)
    beacons = window_beacons(ctx, session.recording_id, window, segments)
    buffered = ctx.sessions.buffered_seqs(session.recording_id)
    captured = ctx.resources.captured(session.recording_id)
    source = window_source(window, segments, beacons, buffered)
    segment = next((s for s in segments if s.idx == window.n), None)
    late = late_seqs(segment, buffered) if segment is not None else ()
    if segment is None or not keepable(window, segment, late):
        return _Rows(source, captured, None)
    checkpoint = ""
    if window.head == "checkpoint":
        found = ctx.sessions.checkpoint(session.recording_id, session.start)
        checkpoint = f"{found.blob_key} {found.stored_bytes}" if found else "none"
    return _Rows(source, captured, WindowInputs(segment, window, checkpoint))


def masked_window(
    ctx: ReelContext, session: Session, window: Window, rules: RuleSet, *, remember: bool = True
) -> MaskedWindow:
    """One window for the player, kept in the replay cache while its data and the rules stay the same;
    a window that reads a compacted segment alone is also kept in the replay store (reel.replay.kept),
    so it is masked once per rules version, not once per process. `remember=False`: not put in the
    replay cache (background work must not push out what operators are watching)."""
    rows = _rows(ctx, session, window)
    key = ("window", session.id, rows.source, rules.version, hash(frozenset(rows.captured.items())))
    cached = ctx.replay_cache.get(key)
    if isinstance(cached, MaskedWindow):
        return cached
    copy = _kept(ctx, session, window, rules, rows, remember=False) if rows.keepable else None
    if copy is not None:
        built = MaskedWindow(window, *copy.masked())
    else:
        raw = read_fresh(ctx, session, window)
        head, events = mask_events(rules, raw.head, raw.events, rows.captured, session_id=session.id)
        # Deep recordings (the DOM nests past orjson's 255 levels) are written as well.
        built = MaskedWindow(window, dumps(head), dumps(events))
    if remember:
        ctx.replay_cache.put(key, built, len(built.head) + len(built.events))
    return built


def kept_window(
    ctx: ReelContext,
    session: Session,
    window: Window,
    rules: RuleSet,
    *,
    level: int = LEVEL,
    remember: bool = True,
) -> KeptCopy | None:
    """The segment answer of `window` as kept in the replay store (made now, at zstd `level`, if there
    is no usable copy), or None for a window that may not be kept (reel.replay.kept.keepable)."""
    rows = _rows(ctx, session, window)
    return _kept(ctx, session, window, rules, rows, level=level, remember=remember) if rows.keepable else None


def _kept(
    ctx: ReelContext,
    session: Session,
    window: Window,
    rules: RuleSet,
    rows: _Rows,
    *,
    level: int = LEVEL,
    remember: bool,
) -> KeptCopy | None:
    inputs = rows.keepable
    if inputs is None or window.end is None:
        return None
    key = kept_key(inputs, rules.version)
    cached = ctx.replay_cache.get(("kept", key))
    if isinstance(cached, KeptCopy) and cached.usable(rows.captured):
        return cached
    opening = answer_opening(window.n, window.start, window.end)
    copy = read_kept(ctx, key, opening, rows.captured)
    if copy is None:
        raw = read_fresh(ctx, session, window)
        if raw.blob_key != inputs.segment.blob_key:
            return None  # compacted again (a late beacon merged in) since the rows were read
        looked_up: dict[str, str | None] = {}
        head, events = mask_events(
            rules, raw.head, raw.events, rows.captured, session_id=session.id, looked_up=looked_up
        )
        copy, blob = make_copy(key, opening, dumps(head), dumps(events), looked_up, level=level)
        keep(ctx, copy, blob, window.n)
    if remember:
        ctx.replay_cache.put(("kept", key), copy, copy.size)
    return copy


def draft_window(ctx: ReelContext, session: Session, window: Window, rules: RuleSet) -> MaskedWindow:
    """One window masked with rules that are not saved (a preview): never cached, since a draft's version
    number is not its own and a cached window of the saved version must not be confused with it."""
    raw = read_fresh(ctx, session, window)
    head, events = mask_events(rules, raw.head, raw.events, ctx.resources.captured(session.recording_id))
    return MaskedWindow(window, dumps(head), dumps(events))


def mask_events(
    rules: RuleSet,
    head: list[Event],
    events: list[Event],
    captured: Mapping[str, str],
    *,
    session_id: str = "",
    looked_up: dict[str, str | None] | None = None,
) -> tuple[list[Event], list[Event]]:
    """`head` then `events` made safe and masked in one pass (the head sets the DOM the events apply
    to), resource URLs pointed at Reel's copies; returned apart again. Events left out are counted
    (reel_replay_events_dropped) and logged once for the whole call, naming `session_id`."""
    masker = ReplayMasker(rules)
    out_head = [m for e in head if (m := masker.mask(sanitize_event(e))) is not None]
    out = [m for e in events if (m := masker.mask(sanitize_event(e))) is not None]
    if masker.failed:
        log.warning(
            "session %s: masking failed on %d events (left out, never sent unmasked); %d more dropped",
            session_id or "?",
            masker.failed,
            masker.dropped,
        )
    elif masker.dropped:
        log.info(
            "session %s: masking left out %d of %d events (blocked or unreadable)",
            session_id or "?",
            masker.dropped,
            len(head) + len(events),
        )
    rewritten = replay_from_copies(out_head + out, captured, looked_up=looked_up)
    return rewritten[: len(out_head)], rewritten[len(out_head) :]


def session_events(ctx: ReelContext, session: Session, rules: RuleSet) -> list[Event]:
    """The whole session as one stream: the first window with its head, then every window's events."""
    out: list[Event] = []
    for n, window in enumerate(windows_of(ctx, session)):
        out.extend(masked_window(ctx, session, window, rules).as_events(with_head=n == 0))
    out.sort(key=lambda e: e["timestamp"])  # stable: a head keeps its order before equal times
    return out
