"""A mobile screen painted frame by frame: full frames replace the picture, partial frames are pasted at
their rectangle (pure: frames and image bytes in, a Pillow image out). Used by the server's compositor,
the video export and the capture SDK's crash-only ring buffer.

Rectangles are in screen points; a full frame's image fixes the scale (pixels per point) until the next
full frame. A partial frame covers the pixel box `floor(v * scale + 0.5)` of its rectangle's edges,
the same rounding the SDK crops with and the player draws with, so frames meet without seams.

Two kinds of frame are skipped where they would be drawn, counted in `skipped` and logged once each
(docs/contracts/mobile-beacon.md, "Images that cannot be drawn"):

- an image that does not decode (or is missing): a partial frame leaves its box as it was; a full
  frame starts a flat grey picture of its size, so the partial frames after it still land where they
  belong. A stored image that does not decode is bad data, not a store failure: retrying never helps.
- a partial frame past the **pixel budget**: the partial frames after a full frame may hold in all as
  many pixels as that full frame. What one picture costs to composite is so bounded by twice the
  largest image, whatever a client sent; Reel's SDK sends a full frame before going over.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image

from reel.errors import BlobNotFound
from reel.screen.images import MAX_PIXELS, MAX_SIDE

log = logging.getLogger("reel.replay.mobile")

ImageLoader = Callable[[str], bytes]
"""Bytes of a frame image by its digest."""

UNDECODABLE_FILL = (72, 72, 72)
"""The picture a full frame that does not decode leaves (the player paints the same)."""
UNDECODABLE = "undecodable"
OVER_BUDGET = "over_budget"
_LOGGED_MAX = 10_000


class ImageUnreadable(ValueError):
    """A frame image that cannot be decoded into pixels."""


@dataclass(frozen=True)
class SkippedFrame:
    """A frame that was not drawn: its image digest, time and why (`undecodable` or `over_budget`)."""

    digest: str
    timestamp: int
    reason: str


def edge(value: float, scale: float) -> int:
    """One rectangle edge in pixels: `floor(value * scale + 0.5)`."""
    return math.floor(value * scale + 0.5)


def pixel_box(rect: Sequence[float], scale: float) -> tuple[int, int, int, int]:
    """Left, top, right and bottom pixels of a rectangle `[x, y, w, h]` in points."""
    x, y, w, h = rect
    return edge(x, scale), edge(y, scale), edge(x + w, scale), edge(y + h, scale)


def open_image(data: bytes) -> Image.Image:
    """Decode a frame image to RGB; ingest checked its header, this re-checks before decoding.

    Raises ImageUnreadable for anything that does not give a picture within the size limits."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise ImageUnreadable(f"{width}x{height} pixels is larger than ingest allows")
            return img.convert("RGB")
    # Pillow reports damaged files as OSError (truncated, broken stream), SyntaxError (bad PNG chunks),
    # ValueError or EOFError, depending on the format and where the damage is.
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageUnreadable(str(exc) or type(exc).__name__) from exc


_logged: dict[str, None] = {}


def _log_once(digest: str, reason: str, detail: str) -> None:
    if digest in _logged:
        return
    if len(_logged) >= _LOGGED_MAX:
        _logged.pop(next(iter(_logged)))
    _logged[digest] = None
    log.warning("frame image %s skipped (%s): %s", digest or "(inline)", reason, detail)


class Canvas:
    """A screen being painted frame by frame; `image` is None until the first full frame."""

    def __init__(self) -> None:
        self.image: Image.Image | None = None
        self.scale = 1.0
        self.view = ""
        self.skipped: list[SkippedFrame] = []
        self._budget = 0
        self._spent = 0

    def draw(self, frame: Mapping[str, Any], load: ImageLoader) -> bool:
        """Draw one stored frame, loading its image only if it is within the pixel budget; False if
        the frame was skipped (and counted in `skipped`)."""
        digest = str(frame.get("image", ""))
        if not self._within_budget(frame, _declared_pixels(frame)):
            return False
        try:
            data = load(digest)
        except BlobNotFound as exc:
            return self._unreadable(frame, digest, f"missing: {exc.message}")
        return self._paint(frame, data, digest)

    def apply(self, frame: Mapping[str, Any], data: bytes | Image.Image) -> bool:
        """Draw one frame from its image (bytes or decoded): a full frame replaces the picture (and may
        change its size), a partial one is pasted at its rectangle (scaled if its image does not have
        the box's size). False if the frame was skipped."""
        pixels = _declared_pixels(frame)
        if isinstance(data, Image.Image) and pixels is None:
            pixels = data.width * data.height
        if not self._within_budget(frame, pixels):
            return False
        return self._paint(frame, data, str(frame.get("image", "")))

    def snapshot(self) -> Image.Image | None:
        """A copy of the picture as it is now."""
        return self.image.copy() if self.image is not None else None

    def _within_budget(self, frame: Mapping[str, Any], pixels: int | None) -> bool:
        if frame["full"] or self.image is None or pixels is None:
            return True  # frames without declared sizes are the SDK's own (crash ring), counted on decode
        if self._spent + pixels > self._budget:
            self._skip(frame, OVER_BUDGET, "past the pixel budget of the partial frames after a full frame")
            return False
        self._spent += pixels
        return True

    def _paint(self, frame: Mapping[str, Any], data: bytes | Image.Image, digest: str) -> bool:
        try:
            img = data if isinstance(data, Image.Image) else open_image(data)
        except ImageUnreadable as exc:
            return self._unreadable(frame, digest, str(exc))
        rect = frame["rect"]
        if frame["full"]:
            self.image = img.convert("RGB") if img.mode != "RGB" else img.copy()
            self._start_picture(frame, img.width)
            return True
        if self.image is None:
            return False  # a partial frame without a picture under it has nothing to draw on
        if _declared_pixels(frame) is None:
            self._spent += img.width * img.height
        left, top, right, bottom = pixel_box(rect, self.scale)
        size = (max(1, right - left), max(1, bottom - top))
        if img.size != size:
            img = img.resize(size, Image.Resampling.BILINEAR)
        self.image.paste(img.convert("RGB"), (left, top))
        self.view = str(frame.get("view", "")) or self.view
        return True

    def _start_picture(self, frame: Mapping[str, Any], width: int) -> None:
        self.scale = width / float(frame["rect"][2])
        self.view = str(frame.get("view", ""))
        self._budget = self.image.width * self.image.height if self.image is not None else 0
        self._spent = 0

    def _unreadable(self, frame: Mapping[str, Any], digest: str, detail: str) -> bool:
        self._skip(frame, UNDECODABLE, detail)
        if frame["full"]:
            width, height = frame.get("width"), frame.get("height")
            if isinstance(width, int) and isinstance(height, int) and width * height <= MAX_PIXELS:
                self.image = Image.new("RGB", (width, height), UNDECODABLE_FILL)
                self._start_picture(frame, width)
            elif self.image is not None:
                self.image = Image.new("RGB", self.image.size, UNDECODABLE_FILL)
                self.view = str(frame.get("view", ""))
        return False

    def _skip(self, frame: Mapping[str, Any], reason: str, detail: str) -> None:
        digest = str(frame.get("image", ""))
        self.skipped.append(SkippedFrame(digest, int(frame["timestamp"]), reason))
        _log_once(digest, reason, detail)


def _declared_pixels(frame: Mapping[str, Any]) -> int | None:
    """The image's pixels as ingest read them from its header (stored with the frame), if known."""
    width, height = frame.get("width"), frame.get("height")
    if isinstance(width, int) and isinstance(height, int):
        return width * height
    return None
