"""Frames made small but readable: downscaled once per screenshot, cropped, encoded (pure, Pillow).

A phone screen at 3 pixels per point is downscaled to `target_density` (1.5 by default: small text
stays legible). Every crop uses the box `floor(v * scale + 0.5)` of its rectangle in points, exactly as
the compositor and the player place it, so partial frames land on the pixel where they were cut.
WebP is the default: for screens of flat colours and text it is about half the size of JPEG at the
same quality, and lossless WebP is often smaller still (measured on the demo app's screens: 8.3 KB
lossless, 11.4 KB lossy at quality 80, 21 KB JPEG at 80), so both are tried and the smaller is sent.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image

from reel.capture.mobile.model import Rect, Screen

FORMATS = ("webp", "jpeg", "png")


@dataclass(frozen=True)
class EncoderConfig:
    """How frames are encoded."""

    format: str = "webp"
    quality: int = 80
    target_density: float = 1.5
    try_lossless: bool = True
    """WebP only: also encode losslessly and keep the smaller of the two."""
    lossless_max_pixels: int = 600_000
    """Beyond this many pixels the lossless attempt is skipped (it costs more time than it saves)."""


def _edge(value: float, scale: float) -> int:
    return math.floor(value * scale + 0.5)


class FrameEncoder:
    """Encodes the screenshots of one screen; `scale` is image pixels per point."""

    def __init__(self, screen: Screen, config: EncoderConfig | None = None) -> None:
        self.config = config or EncoderConfig()
        if self.config.format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        self.screen = screen
        factor = min(1.0, self.config.target_density / screen.density)
        self.size = (
            max(1, _edge(screen.width, screen.density * factor)),
            max(1, _edge(screen.height, screen.density * factor)),
        )
        self.scale = self.size[0] / screen.width

    def prepare(self, screenshot: Image.Image) -> Image.Image:
        """The screenshot (device pixels) at the encoding size, in RGB."""
        image = screenshot.convert("RGB") if screenshot.mode != "RGB" else screenshot
        if image.size != self.size:
            image = image.resize(self.size, Image.Resampling.LANCZOS, reducing_gap=2.0)
        return image

    def crop(self, prepared: Image.Image, rect: Rect) -> Image.Image:
        """The part of a prepared screenshot under `rect` (points)."""
        box = (
            _edge(rect.x, self.scale),
            _edge(rect.y, self.scale),
            _edge(rect.x + rect.w, self.scale),
            _edge(rect.y + rect.h, self.scale),
        )
        return prepared.crop(box)

    def encode(self, image: Image.Image) -> bytes:
        """The image in the configured format."""
        fmt = self.config.format
        out = io.BytesIO()
        if fmt == "webp":
            image.save(out, format="WEBP", quality=self.config.quality, method=4)
            lossy = out.getvalue()
            if not self.config.try_lossless or image.width * image.height > self.config.lossless_max_pixels:
                return lossy
            exact = io.BytesIO()
            image.save(exact, format="WEBP", lossless=True, quality=50, method=2)
            return exact.getvalue() if exact.tell() < len(lossy) else lossy
        if fmt == "jpeg":
            image.save(out, format="JPEG", quality=self.config.quality, optimize=True)
        else:
            image.save(out, format="PNG", optimize=True)
        return out.getvalue()
