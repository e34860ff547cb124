"""Which moment of a web session each video frame shows (pure): every `1 / fps` of the session, or with
idle skipped, the same with each inactive stretch cut down to a short pause.

A stretch is inactive when no user interaction was recorded for longer than `IDLE_THRESHOLD_MS`: pointer
moves and clicks, scrolls, input, touches, media controls, drags, viewport changes and page loads count
as interaction; DOM changes the page makes on its own (a clock ticking, a carousel) do not, as in
rrweb's own inactivity skipping.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

IDLE_THRESHOLD_MS = 10_000
"""A gap between interactions longer than this is an inactive stretch."""
KEPT_MS = 1_000
"""What the video keeps of each inactive stretch it skips: a short pause, so the cut is visible."""

_META, _FULL_SNAPSHOT, _INCREMENTAL = 4, 2, 3
# rrweb's IncrementalSource values that are a person's doing: MouseMove, MouseInteraction, Scroll,
# ViewportResize, Input, TouchMove, MediaInteraction, Drag.
_INTERACTION_SOURCES = frozenset({1, 2, 3, 4, 5, 6, 7, 12})


@dataclass(frozen=True)
class Stretch:
    """An inactive stretch of a session, in ms epoch (`start` the last interaction before it)."""

    start: int
    end: int


def interaction_times(events: Iterable[Mapping[str, Any]]) -> list[int]:
    """The moments (ms epoch, sorted) of the events that are a person's doing, or a page load."""
    found: list[int] = []
    for event in events:
        kind = event.get("type")
        data = event.get("data")
        if kind in (_META, _FULL_SNAPSHOT) or (
            kind == _INCREMENTAL and isinstance(data, Mapping) and data.get("source") in _INTERACTION_SOURCES
        ):
            found.append(int(event["timestamp"]))
    return sorted(found)


def inactive_stretches(
    interactions: list[int], start: int, end: int, threshold_ms: int = IDLE_THRESHOLD_MS
) -> list[Stretch]:
    """The stretches of [start, end] longer than `threshold_ms` with no interaction inside."""
    moments = [start, *(t for t in interactions if start < t < end), end]
    return [Stretch(a, b) for a, b in itertools.pairwise(moments) if b - a > threshold_ms]


def frame_moments(start: int, end: int, fps: int, skipped: list[Stretch] | None = None) -> list[int]:
    """The moment (ms epoch) each frame of a video at `fps` shows. Without `skipped`, every `1 / fps` of
    the session, so the video lasts the session (rounded up to a whole frame). With it, each stretch in
    `skipped` plays only its first `KEPT_MS`: the video lasts the session less what was cut."""
    cuts = [(s.start + KEPT_MS, s.end) for s in (skipped or []) if s.end - s.start > KEPT_MS]
    shown = max(0, end - start) - sum(b - a for a, b in cuts)
    count = math.floor(shown * fps / 1000) + 1
    out: list[int] = []
    cut = 0
    shift = 0  # how much of the session was cut before the current frame
    for i in range(count):
        t = start + round(i * 1000 / fps) + shift
        while cut < len(cuts) and t > cuts[cut][0]:
            shift += cuts[cut][1] - cuts[cut][0]
            t += cuts[cut][1] - cuts[cut][0]
            cut += 1
        out.append(min(t, end))
    return out
