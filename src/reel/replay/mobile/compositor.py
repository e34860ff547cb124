"""The picture a mobile recording shows at time T: the last full frame with the partial frames after it
drawn over, each at its rectangle (pure: events and image bytes in, a Pillow image out).

Rectangles are in screen points; a full frame's image fixes the scale (pixels per point) until the next
full frame. A partial frame covers the pixel box `floor(v * scale + 0.5)` of its rectangle's edges,
the same rounding the SDK crops with and the player draws with, so frames meet without seams. Frames
that cannot be drawn are skipped and counted (reel/screen/canvas.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PIL import Image

from reel.screen.canvas import Canvas, ImageLoader


def frames_at(events: Iterable[Mapping[str, Any]], t: int) -> list[Mapping[str, Any]]:
    """The frames that make the picture at `t`: the last full frame at or before it and the partial
    frames after that one, in time order (stable for equal times)."""
    frames = sorted((e for e in events if e.get("type") == "frame"), key=lambda e: int(e["timestamp"]))
    chosen: list[Mapping[str, Any]] = []
    for frame in frames:
        if int(frame["timestamp"]) > t:
            break
        if frame["full"]:
            chosen = [frame]
        elif chosen:
            chosen.append(frame)
    return chosen


def composite(events: Iterable[Mapping[str, Any]], t: int, load: ImageLoader) -> Canvas:
    """The canvas at `t` (ms epoch): its picture (None before the first full frame) and the frames
    skipped on the way (images that do not decode, partial frames past the pixel budget)."""
    canvas = Canvas()
    for frame in frames_at(events, t):
        canvas.draw(frame, load)
    return canvas


def composite_at(events: Iterable[Mapping[str, Any]], t: int, load: ImageLoader) -> Image.Image | None:
    """The picture at `t` (ms epoch), or None before the first full frame."""
    return composite(events, t, load).image
