"""Which parts of the screen changed between two screenshots (pure: two images in, rectangles out).

Pixels are compared exactly (the screenshots are raw, not yet encoded), band by band, so a change at
the top and another at the bottom give two small rectangles rather than one covering the screen. A new
view, a new screen size or a change over most of the screen makes a full frame instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops

from reel.capture.mobile.model import Rect

BAND_PX = 32
ALIGN_PX = 16
"""Rectangles grow to a 16-pixel grid: JPEG and WebP code 16x16 blocks, so edges stay clean."""
FULL_SHARE = 0.5
MAX_RECTS = 6


@dataclass(frozen=True)
class Change:
    """What to send for a screenshot: a full frame, some rectangles (pixels), or nothing."""

    full: bool
    rects: tuple[Rect, ...] = ()

    @property
    def changed(self) -> bool:
        """True if anything is to be sent."""
        return self.full or bool(self.rects)


def _align(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    return (
        left - left % ALIGN_PX,
        top - top % ALIGN_PX,
        min(width, right + (-right) % ALIGN_PX),
        min(height, bottom + (-bottom) % ALIGN_PX),
    )


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _merge(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Union touching or overlapping boxes until none touch (few boxes: quadratic is fine)."""
    merged = True
    while merged:
        merged = False
        out: list[tuple[int, int, int, int]] = []
        for box in boxes:
            for i, other in enumerate(out):
                if _overlap(box, other):
                    out[i] = _union(box, other)
                    merged = True
                    break
            else:
                out.append(box)
        boxes = out
    return boxes


def changed_boxes(previous: Image.Image, current: Image.Image) -> list[tuple[int, int, int, int]]:
    """Aligned pixel boxes (left, top, right, bottom) covering every changed pixel."""
    diff = ImageChops.difference(previous.convert("RGB"), current.convert("RGB"))
    whole = diff.getbbox()
    if whole is None:
        return []
    width, height = current.size
    boxes: list[tuple[int, int, int, int]] = []
    top = whole[1] - whole[1] % BAND_PX
    while top < whole[3]:
        bottom = min(top + BAND_PX, height)
        found = diff.crop((whole[0], top, whole[2], bottom)).getbbox()
        if found is not None:
            box = (whole[0] + found[0], top + found[1], whole[0] + found[2], top + found[3])
            boxes.append(_align(box, width, height))
        top = bottom
    boxes = _merge(boxes)
    if len(boxes) > MAX_RECTS:
        boxes = [_align(whole, width, height)]
    return boxes


def diff_frames(
    previous: Image.Image | None,
    current: Image.Image,
    *,
    view_changed: bool = False,
    full_share: float = FULL_SHARE,
) -> Change:
    """What changed from `previous` to `current` (both masked screenshots of the same screen)."""
    if previous is None or view_changed or previous.size != current.size:
        return Change(full=True)
    boxes = changed_boxes(previous, current)
    if not boxes:
        return Change(full=False)
    area = sum((r - left) * (b - t) for left, t, r, b in boxes)
    if area >= full_share * current.width * current.height:
        return Change(full=True)
    return Change(full=False, rects=tuple(Rect(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes))
