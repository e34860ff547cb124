"""Masking on the device: sensitive views are painted over before anything is encoded (pure).

Masking cannot be re-applied to pixels later, so this is the only chance: by default every text input
is masked, password fields always are, and an app marks further views as sensitive (or a text input
as safe to show). The painted box grows outwards to whole pixels, so no edge of the original survives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from reel.capture.mobile.model import Rect
from reel.domain.selectors import Complex, SelectorError, SelectorNode, matches_any, parse_selector

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
    node: SelectorNode | None = None
    """The view as the application's masking rules see it (class as type, identifier as `#id`)."""


@dataclass(frozen=True)
class MaskPolicy:
    """Mask every text input unless the app says otherwise (brief §3.5: mask all by default), and the
    views the application's rules name (`GET /v1/mobile/config`, docs/contracts/mobile-beacon.md).

    Order: a password is always masked; a view a `mask` or `block` rule names is masked; then the app's
    own flag decides; then an `unmask` rule shows a text input; else text inputs are masked."""

    mask_text_inputs: bool = True
    mask: tuple[Complex, ...] = ()
    unmask: tuple[Complex, ...] = ()
    version: int = 0
    """The rules version these come from (sent as each beacon's `rules_version`)."""

    @property
    def has_rules(self) -> bool:
        """True if rules name views, so every view must be looked at (not only text inputs)."""
        return bool(self.mask or self.unmask)

    def masks(self, view: ViewFacts) -> bool:
        """True if this view must be painted over."""
        if view.password:
            return True
        if view.node is not None and self.mask and matches_any(self.mask, view.node, beyond=True):
            return True
        if view.sensitive is not None:
            return view.sensitive
        if view.text_input and view.node is not None and matches_any(self.unmask, view.node):
            return False
        return view.text_input and self.mask_text_inputs


def policy_from_config(doc: Mapping[str, Any]) -> MaskPolicy:
    """The policy of a `GET /v1/mobile/config` document; selectors this SDK cannot read are skipped
    (masking then stays at its defaults for them, which mask every text input)."""
    masking = doc.get("masking")
    masking = masking if isinstance(masking, Mapping) else {}

    def selectors(*kinds: str) -> tuple[Complex, ...]:
        out: list[Complex] = []
        for kind in kinds:
            for source in masking.get(kind) or ():
                try:
                    out.extend(parse_selector(str(source)).selectors)
                except SelectorError:
                    continue
        return tuple(out)

    version = doc.get("version")
    return MaskPolicy(
        mask=selectors("mask", "block"),
        unmask=selectors("unmask"),
        version=version if isinstance(version, int) and not isinstance(version, bool) else 0,
    )


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
