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
from reel.replay.kept import keep, keepable, kept_key, read_kept
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


def masked_window(
    ctx: ReelContext, session: Session, window: Window, rules: RuleSet, *, remember: bool = True
) -> MaskedWindow:
    """One window for the player, kept in the replay cache while its data and the rules stay the same;
    a window playing a whole compacted segment is also kept in the replay store (reel.replay.kept), so
    it is masked once per rules version, not once per process. `remember=False`: not put in the replay
    cache (background work must not push out what operators are watching)."""
    segments = ctx.sessions.segments(session.recording_id)
    beacons = window_beacons(ctx, session.recording_id, window, segments)
    buffered = ctx.sessions.buffered_seqs(session.recording_id)
    captured = ctx.resources.captured(session.recording_id)
    source = window_source(window, segments, beacons, buffered)
    key = ("window", session.id, source, rules.version, hash(frozenset(captured.items())))
    kept = ctx.replay_cache.get(key)
    if isinstance(kept, MaskedWindow):
        return kept
    segment = next((s for s in segments if s.idx == window.n), None)
    late = late_seqs(segment, buffered) if segment is not None else ()
    store_key = kept_key(segment, rules.version) if segment and keepable(window, segment, late) else None
    stored = read_kept(ctx, store_key, captured) if store_key else None
    if stored is not None:
        built = MaskedWindow(window, *stored)
    else:
        raw = read_fresh(ctx, session, window)
        looked_up: dict[str, str | None] = {}
        head, events = mask_events(
            rules, raw.head, raw.events, captured, session_id=session.id, looked_up=looked_up
        )
        # Deep recordings (the DOM nests past orjson's 255 levels) are written as well.
        built = MaskedWindow(window, dumps(head), dumps(events))
        if store_key and segment and raw.blob_key == segment.blob_key:
            keep(ctx, store_key, window.n, built.head, built.events, looked_up)
    if remember:
        ctx.replay_cache.put(key, built, len(built.head) + len(built.events))
    return built


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
