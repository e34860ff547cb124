"""Gestures drawn over a mobile frame, as the player draws them: tap ripples, swipe and scroll trails,
pinch and rotation marks, a keyboard band (pure: a picture and events in, a new picture out).

Times are ms epoch; coordinates are points, multiplied by `scale` (pixels per point of the picture).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PIL import Image, ImageDraw

TAP_MS = 600
TRAIL_MS = 800
TWO_FINGER_MS = 700
KEYS_MS = 1200
COLOR = (255, 87, 34)
_TRAIL = (33, 150, 243)


def _path(event: Mapping[str, Any]) -> list[tuple[float, float, int]]:
    ts = int(event["timestamp"])
    return [(float(x), float(y), ts + int(dt)) for x, y, dt in event.get("points") or []]


def active_gestures(events: Iterable[Mapping[str, Any]], t: int) -> list[Mapping[str, Any]]:
    """The gesture events that show something at `t`."""
    out: list[Mapping[str, Any]] = []
    for e in events:
        ts = int(e["timestamp"])
        kind = e["type"]
        if ts > t:
            continue
        if kind in ("tap", "long_press"):
            if t < ts + int(e.get("duration", 0)) + TAP_MS:
                out.append(e)
        elif kind in ("swipe", "scroll"):
            path = _path(e)
            end = path[-1][2] if path else ts
            if t < end + TRAIL_MS:
                out.append(e)
        elif kind in ("pinch", "rotate"):
            if t < ts + int(e["duration"]) + TWO_FINGER_MS:
                out.append(e)
        elif kind == "keys" and t < ts + KEYS_MS:
            out.append(e)
    return out


def draw_gestures(
    picture: Image.Image, events: Iterable[Mapping[str, Any]], t: int, scale: float
) -> Image.Image:
    """A copy of `picture` with the gestures active at `t` drawn over it."""
    gestures = active_gestures(events, t)
    keyboard = _keyboard_at(events, t)
    if not gestures and not keyboard:
        return picture
    out = picture.convert("RGBA")
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    radius = max(6.0, 14 * scale)
    for e in gestures:
        kind = e["type"]
        age = t - int(e["timestamp"])
        if kind in ("tap", "long_press"):
            fade = max(0.0, 1 - max(0, age - int(e.get("duration", 0))) / TAP_MS)
            r = radius * (1 + min(age, TAP_MS) / TAP_MS)
            x, y = float(e["x"]) * scale, float(e["y"]) * scale
            draw.ellipse(
                (x - r, y - r, x + r, y + r), outline=(*COLOR, int(230 * fade)), width=max(2, int(3 * scale))
            )
            draw.ellipse(
                (x - radius / 2, y - radius / 2, x + radius / 2, y + radius / 2),
                fill=(*COLOR, int(160 * fade)),
            )
        elif kind in ("swipe", "scroll"):
            seen = [(x * scale, y * scale) for x, y, at in _path(e) if at <= t]
            if len(seen) >= 2:
                draw.line(seen, fill=(*_TRAIL, 200), width=max(3, int(4 * scale)), joint="curve")
            if seen:
                x, y = seen[-1]
                draw.ellipse(
                    (x - radius / 2, y - radius / 2, x + radius / 2, y + radius / 2), fill=(*_TRAIL, 200)
                )
        elif kind in ("pinch", "rotate"):
            x, y = float(e["x"]) * scale, float(e["y"]) * scale
            r = radius * 2.5 * (float(e["scale"]) if kind == "pinch" else 1.0)
            draw.ellipse((x - r, y - r, x + r, y + r), outline=(*_TRAIL, 200), width=max(2, int(3 * scale)))
        elif kind == "keys":
            draw.rectangle((0, 0, out.width, max(4, int(4 * scale))), fill=(*COLOR, 180))
    if keyboard:
        band = int(out.height * 0.38)
        draw.rectangle((0, out.height - band, out.width, out.height), fill=(40, 44, 52, 110))
    return Image.alpha_composite(out, layer).convert("RGB")


def _keyboard_at(events: Iterable[Mapping[str, Any]], t: int) -> bool:
    visible = False
    for e in events:
        if int(e["timestamp"]) > t:
            break
        if e["type"] == "keyboard":
            visible = bool(e["visible"])
    return visible
