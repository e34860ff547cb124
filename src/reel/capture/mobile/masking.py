"""Masking on the device: sensitive views are painted over before anything is encoded (pure).

Masking cannot be re-applied to pixels later, so this is the only chance: by default every text input
is masked, password fields always are, and an app marks further views as sensitive (or a text input
as safe to show). The painted box grows outwards to whole pixels, so no edge of the original survives.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from reel.capture.mobile.model import Rect

MASK_COLOR = (154, 160, 166)
MASK_EDGE = (128, 134, 140)


@dataclass(frozen=True)
class ViewFacts:
    """What masking needs to know of one visible view: where it is (points) and what it is."""

    rect: Rect
    text_input: bool = False
    password: bool = False
    sensitive: bool | None = None
    """The app's explicit choice: True masks any view, False shows a text input; None keeps the default."""


@dataclass(frozen=True)
class MaskPolicy:
    """Mask every text input unless the app says otherwise (brief §3.5: mask all by default)."""

    mask_text_inputs: bool = True

    def masks(self, view: ViewFacts) -> bool:
        """True if this view must be painted over."""
        if view.password:
            return True
        if view.sensitive is not None:
            return view.sensitive
        return view.text_input and self.mask_text_inputs


def mask_rects(views: Iterable[ViewFacts], policy: MaskPolicy | None = None) -> list[Rect]:
    """The rectangles (points) to paint over."""
    chosen = policy or MaskPolicy()
    return [v.rect for v in views if chosen.masks(v)]


def paint_masks(image: Image.Image, masks: Sequence[Rect], density: float) -> Image.Image:
    """A copy of `image` (pixels, `density` per point) with every mask painted over in a flat colour."""
    if not masks:
        return image
    out = image.convert("RGB") if image.mode != "RGB" else image.copy()
    draw = ImageDraw.Draw(out)
    for rect in masks:
        left, top, right, bottom = rect.pixel_box(density)
        if right <= left or bottom <= top:
            continue
        draw.rectangle((left, top, right - 1, bottom - 1), fill=MASK_COLOR, outline=MASK_EDGE)
    return out
