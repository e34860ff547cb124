"""A mobile screen painted frame by frame: full frames replace the picture, partial frames are pasted at
their rectangle (pure: frames and image bytes in, a Pillow image out). Used by the server's compositor and
by the capture SDK's crash-only ring buffer.

Rectangles are in screen points; a full frame's image fixes the scale (pixels per point) until the next
full frame. A partial frame covers the pixel box `floor(v * scale + 0.5)` of its rectangle's edges,
the same rounding the SDK crops with and the player draws with, so frames meet without seams.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PIL import Image

from reel.errors import StorageUnavailable
from reel.screen.images import MAX_PIXELS, MAX_SIDE

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
