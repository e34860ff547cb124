"""Rage-click detection, the one rule for web clicks and mobile taps (pure, resumable).

A rage click is RAGE_CLICKS or more clicks, each within RAGE_WINDOW_MS of the burst's later ones and
within RAGE_RADIUS_PX (points on mobile) of the newest along both axes. One burst is reported once, at
its first click, however long it goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

RAGE_CLICKS, RAGE_WINDOW_MS, RAGE_RADIUS_PX = 3, 1000, 30

T = TypeVar("T")


@dataclass(frozen=True)
class Press(Generic[T]):
    """One click or tap: when, where, and what the caller wants back when it starts a rage burst."""

    ts: int
    x: float
    y: float
    item: T


@dataclass(frozen=True)
class RageBurst(Generic[T]):
    """A burst that has just become a rage click: its first press and how many presses it holds."""

    first: Press[T]
    clicks: int


class RageDetector(Generic[T]):
    """Feed presses in time order; `press` answers a burst the moment it becomes a rage click."""

    def __init__(self) -> None:
        self._burst: list[Press[T]] = []
        self._raged = False

    def press(self, press: Press[T]) -> RageBurst[T] | None:
        """Take one press; the burst it completes, the first time it reaches RAGE_CLICKS."""
        self._burst = [
            p
            for p in self._burst
            if press.ts - p.ts <= RAGE_WINDOW_MS
            and abs(p.x - press.x) <= RAGE_RADIUS_PX
            and abs(p.y - press.y) <= RAGE_RADIUS_PX
        ]
        if not self._burst:
            self._raged = False
        self._burst.append(press)
        if len(self._burst) >= RAGE_CLICKS and not self._raged:
            self._raged = True
            return RageBurst(self._burst[0], len(self._burst))
        return None
