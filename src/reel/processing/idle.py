"""Idle periods: stretches of a session without user interaction, found once in processing (pure).

A period runs from one interaction (a mouse move or click, a key, a scroll, a touch, a resize) to the
next, when they are more than IDLE_MS apart; the session's first event counts as its start, and a
recording that goes quiet ends a period at its last event. The player skips them on request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reel.dom.types import EventType, IncrementalSource
from reel.domain.records import IdlePeriod

IDLE_MS = 5_000
"""Longer than this without interaction is idle (Clarity and PostHog use a few seconds too)."""

_INTERACTIONS = frozenset(
    {
        IncrementalSource.MOUSE_MOVE,
        IncrementalSource.MOUSE_INTERACTION,
        IncrementalSource.SCROLL,
        IncrementalSource.VIEWPORT_RESIZE,
        IncrementalSource.INPUT,
        IncrementalSource.TOUCH_MOVE,
        IncrementalSource.MEDIA_INTERACTION,
        IncrementalSource.DRAG,
        IncrementalSource.SELECTION,
    }
)


def activity(event: Mapping[str, Any]) -> tuple[int, int] | None:
    """When the user was active according to an rrweb event: (first, last) ms, or None for an event the
    user did not cause. rrweb sends mouse and touch moves in batches stamped when the batch is sent, each
    position with its (negative) offset from that stamp: the moves happened at stamp + offset."""
    ts = event.get("timestamp")
    data = event.get("data")
    if event.get("type") != EventType.INCREMENTAL_SNAPSHOT or not isinstance(data, Mapping):
        return None
    if data.get("source") not in _INTERACTIONS or not isinstance(ts, int):
        return None
    positions = data.get("positions")
    offsets = [
        int(p["timeOffset"])
        for p in (positions if isinstance(positions, list) else ())
        if isinstance(p, Mapping) and isinstance(p.get("timeOffset"), int | float) and p["timeOffset"] <= 0
    ]
    return (ts + min(offsets), ts + max(offsets)) if offsets else (ts, ts)


class IdleTracker:
    """Fed every event's time (and whether it is an interaction) in stream order; says which periods
    were idle. Its one number of state (`active`) is kept in processing's state between rounds."""

    def __init__(self, active: int | None = None) -> None:
        self.active = active
        """The time of the last interaction (or of the part's first event), None before any event."""

    def restart(self, at: int) -> None:
        """A new part or recorder session begins at `at`: activity is counted from there."""
        self.active = at

    def feed(self, session_id: str, ts: int, active: tuple[int, int] | None) -> IdlePeriod | None:
        """The idle period an event at `ts` ends, if any: one the user was `active` in (first, last)."""
        if self.active is None:
            self.active = ts if active is None else min(ts, active[0])
        if active is None:
            return None
        first, last = active
        found = self.until(session_id, first)
        self.active = max(self.active, last)
        return found

    def until(self, session_id: str, ts: int) -> IdlePeriod | None:
        """The period from the last interaction to `ts` if it is idle (at a split, or the recording's
        last event when it goes quiet: a later interaction extends the same period)."""
        if self.active is None or ts - self.active <= IDLE_MS:
            return None
        return IdlePeriod(session_id, self.active, ts)
