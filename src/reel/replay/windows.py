"""How a session is read: its time range, cut into windows the player loads one at a time (pure).

A window is one segment of the recording seen through the session's time range. It starts with what
the DOM was at its start (the segment's keyframe; for a split part's first window, the part's
checkpoint; nothing where the stream opens with the recorder's own snapshot) and holds the events up to
the next window. A seek anywhere costs one window: its head, then less than one segment of events.
Events before the first segment (a recording processed before segments existed, or not processed yet)
form window -1, read from the beacons themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from reel.domain.records import Segment, Session

Head = Literal["keyframe", "checkpoint", "none"]
BEFORE_SEGMENTS = -1
"""The window of events before a recording's first segment."""


@dataclass(frozen=True)
class TimeRange:
    """The event times a session plays: from `lower` (inclusive) up to `upper` (exclusive, None: open)."""

    lower: int
    upper: int | None

    def holds(self, ts: float) -> bool:
        """True if an event at `ts` belongs to the session."""
        return ts >= self.lower and (self.upper is None or ts < self.upper)


def session_range(session: Session) -> TimeRange:
    """A session plays its own time: a split part from its start to the split (the event at the split
    time opens the next part); a session the recorder replaced after the idle timeout up to its last
    event; an open one, or one closed at the tab, whatever the recording adds after its start."""
    if session.close_reason == "split":
        return TimeRange(session.start, session.end)
    if session.close_reason == "idle":
        return TimeRange(session.start, session.end + 1)
    return TimeRange(session.start, None)


@dataclass(frozen=True)
class Window:
    """One window of a session: segment `n` (or BEFORE_SEGMENTS) within [start, end)."""

    n: int
    start: int
    end: int | None
    head: Head

    def holds(self, ts: float) -> bool:
        """True if an event at `ts` is played by this window."""
        return ts >= self.start and (self.end is None or ts < self.end)

    def shown_end(self, session_end: int) -> int:
        """The end the API gives this window: an open window (still growing) ends with the session."""
        return self.end if self.end is not None else max(session_end, self.start)


def session_windows(session: Session, segments: Sequence[Segment], *, has_checkpoint: bool) -> list[Window]:
    """The windows of a session, in time order. `has_checkpoint`: the recording has a checkpoint at the
    session's start (a split part), which heads the first window when it starts inside a segment."""
    span = session_range(session)
    found: list[Window] = []
    first_start = segments[0].start_ts if segments else None
    if first_start is None or span.lower < first_start:
        end = first_start if span.upper is None or first_start is None else min(first_start, span.upper)
        found.append(Window(BEFORE_SEGMENTS, span.lower, end, "checkpoint" if has_checkpoint else "none"))
    for seg in segments:
        seg_end = seg.end_ts
        if span.upper is not None and seg.start_ts >= span.upper:
            break
        if seg_end is not None and seg_end <= span.lower:
            continue
        start = max(seg.start_ts, span.lower)
        end = seg_end if span.upper is None else (span.upper if seg_end is None else min(seg_end, span.upper))
        # A window from the segment's start plays its keyframe (empty for a recording's first segment,
        # whose stream opens with the recorder's snapshot); one from inside it, the part's checkpoint.
        head: Head = (
            "keyframe" if seg.start_ts >= span.lower else ("checkpoint" if has_checkpoint else "none")
        )
        found.append(Window(seg.idx, start, end, head))
    return [w for w in found if w.end is None or w.end > w.start]


def window_at(windows: Sequence[Window], ts: float) -> Window | None:
    """The window playing `ts` (the first one for a time before the session, the last after it)."""
    if not windows:
        return None
    for window in windows:
        if window.end is None or ts < window.end:
            return window
    return windows[-1]
