"""The SDK's plain data: rectangles, the device and its screen."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rect:
    """A rectangle: left, top, width and height (in points on the wire, in pixels inside an image)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def area(self) -> float:
        """Width times height."""
        return self.w * self.h

    def scaled(self, factor: float) -> Rect:
        """The rectangle with every coordinate multiplied by `factor`."""
        return Rect(self.x * factor, self.y * factor, self.w * factor, self.h * factor)

    def pixel_box(self, scale: float = 1.0) -> tuple[int, int, int, int]:
        """Left, top, right, bottom in whole pixels, growing outwards (for covering, as masks need)."""
        return (
            math.floor(self.x * scale),
            math.floor(self.y * scale),
            math.ceil((self.x + self.w) * scale),
            math.ceil((self.y + self.h) * scale),
        )

    def wire(self) -> list[float]:
        """`[x, y, w, h]` as the contract writes rectangles, with whole numbers as integers. Not rounded:
        the encoder crops with these exact values, and the server draws with what it receives."""
        return [int(v) if float(v).is_integer() else float(v) for v in (self.x, self.y, self.w, self.h)]


@dataclass(frozen=True)
class Screen:
    """The screen in points (device-independent pixels) and its density (pixels per point)."""

    width: float
    height: float
    density: float = 1.0

    @property
    def orientation(self) -> str:
        """portrait or landscape, by which side is longer."""
        return "landscape" if self.width > self.height else "portrait"


@dataclass(frozen=True)
class DeviceInfo:
    """What the start of a recording says about the device and the app (no user data)."""

    manufacturer: str = ""
    model: str = ""
    os_name: str = ""
    os_version: str = ""
    app_id: str = ""
    app_version: str = ""
    app_build: str = ""
    sdk_name: str = "reel-python"
    sdk_version: str = "0.1.0"
    extra: dict[str, Any] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        """The device, os, app and sdk objects of a `start` event."""
        return {
            "device": {"manufacturer": self.manufacturer, "model": self.model},
            "os": {"name": self.os_name, "version": self.os_version},
            "app": {"id": self.app_id, "version": self.app_version, "build": self.app_build},
            "sdk": {"name": self.sdk_name, "version": self.sdk_version},
        }
