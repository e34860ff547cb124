"""The picture a mobile recording shows at time T: the last full frame with the partial frames after it
drawn over, each at its rectangle (pure: events and image bytes in, a Pillow image out).

Rectangles are in screen points; a full frame's image fixes the scale (pixels per point) until the next
full frame. A partial frame covers the pixel box `floor(v * scale + 0.5)` of its rectangle's edges,
the same rounding the SDK crops with and the player draws with, so frames meet without seams.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PIL import Image

from reel.errors import StorageUnavailable
from reel.ingest.images import MAX_PIXELS, MAX_SIDE

ImageLoader = Callable[[str], bytes]
"""Bytes of a frame image by its digest."""


def edge(value: float, scale: float) -> int:
    """One rectangle edge in pixels: `floor(value * scale + 0.5)`."""
    return math.floor(value * scale + 0.5)


def pixel_box(rect: Sequence[float], scale: float) -> tuple[int, int, int, int]:
    """Left, top, right and bottom pixels of a rectangle `[x, y, w, h]` in points."""
    x, y, w, h = rect
    return edge(x, scale), edge(y, scale), edge(x + w, scale), edge(y + h, scale)


def open_image(data: bytes) -> Image.Image:
    """Decode a frame image to RGB; ingest checked its header, this re-checks before decoding."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise StorageUnavailable("a stored frame image is larger than ingest allows")
            return img.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise StorageUnavailable(f"a stored frame image does not decode: {exc}") from exc


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


class Canvas:
    """A screen being painted frame by frame; `image` is None until the first full frame."""

    def __init__(self) -> None:
        self.image: Image.Image | None = None
        self.scale = 1.0
        self.view = ""

    def apply(self, frame: Mapping[str, Any], data: bytes | Image.Image) -> None:
        """Draw one frame: a full frame replaces the picture (and may change its size), a partial one is
        pasted at its rectangle (scaled if its image does not have the box's size)."""
        img = data if isinstance(data, Image.Image) else open_image(data)
        rect = frame["rect"]
        if frame["full"]:
            self.image = img.convert("RGB") if img.mode != "RGB" else img.copy()
            self.scale = img.width / float(rect[2])
            self.view = str(frame.get("view", ""))
            return
        if self.image is None:
            return  # a partial frame without a picture under it has nothing to draw on
        left, top, right, bottom = pixel_box(rect, self.scale)
        size = (max(1, right - left), max(1, bottom - top))
        if img.size != size:
            img = img.resize(size, Image.Resampling.BILINEAR)
        self.image.paste(img.convert("RGB"), (left, top))
        self.view = str(frame.get("view", "")) or self.view

    def snapshot(self) -> Image.Image | None:
        """A copy of the picture as it is now."""
        return self.image.copy() if self.image is not None else None


def composite_at(events: Iterable[Mapping[str, Any]], t: int, load: ImageLoader) -> Image.Image | None:
    """The picture at `t` (ms epoch), or None before the first full frame."""
    canvas = Canvas()
    for frame in frames_at(events, t):
        canvas.apply(frame, load(str(frame["image"])))
    return canvas.image
