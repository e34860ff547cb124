"""Crash-only mode: the last N seconds kept in memory, uploaded only on a crash or a trigger.

Items older than the window are dropped, but a frame dropped still paints a base picture (decoded into
a canvas), so what is uploaded starts with a full frame of the screen exactly as it was at the window's
start, whatever partial frames follow. Facts that stay true (the device, the screen's orientation, the
user's id) are carried to the window's start too.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image

from reel.screen.canvas import Canvas

STICKY_TYPES = frozenset({"start", "orientation", "identify"})


@dataclass(frozen=True)
class Item:
    """One recorded event, with the encoded image of a frame."""

    event: dict[str, Any]
    image: bytes | None = None

    @property
    def ts(self) -> int:
        """The event's time (ms)."""
        return int(self.event["timestamp"])


class CrashRing:
    """Keeps the items of the last `window_ms`; `take` hands them over, starting with a full frame."""

    def __init__(self, window_ms: int) -> None:
        self.window_ms = window_ms
        self.items: deque[Item] = deque()
        self.base = Canvas()
        self.base_rect: list[float] | None = None
        self.sticky: dict[str, dict[str, Any]] = {}

    def add(self, item: Item, now: int) -> None:
        """Keep one item, and let go of what fell out of the window."""
        self.items.append(item)
        self.trim(now)

    def trim(self, now: int) -> None:
        """Drop items older than the window, folding their frames into the base picture."""
        cutoff = now - self.window_ms
        while self.items and self.items[0].ts < cutoff:
            self._fold(self.items.popleft())

    def _fold(self, item: Item) -> None:
        event = item.event
        if event["type"] == "frame" and item.image is not None:
            self.base.apply(event, item.image)
            if event["full"]:
                self.base_rect = list(event["rect"])
        elif event["type"] in STICKY_TYPES:
            self.sticky[event["type"]] = event

    def take(self, now: int, encode: Callable[[Image.Image], bytes]) -> list[Item]:
        """The window's items for upload, led by the carried facts and the base picture at its start.

        The ring goes on from here: what was handed over becomes the base of the next window.
        """
        self.trim(now)
        cutoff = now - self.window_ms
        start = min(self.items[0].ts, cutoff) if self.items and self.base.image is None else cutoff
        out = [Item({**e, "timestamp": start}) for e in self.sticky.values()]
        if self.base.image is not None and self.base_rect is not None:
            frame = {
                "type": "frame",
                "timestamp": start,
                "view": self.base.view,
                "full": True,
                "rect": self.base_rect,
                "masks": [],
            }
            out.append(Item(frame, encode(self.base.image)))
        taken = list(self.items)
        self.items.clear()
        for item in taken:
            self._fold(item)
        return out + taken
