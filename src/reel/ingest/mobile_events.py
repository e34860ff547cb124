"""Mobile events as the contract names them, rebuilt field by field (pure).

`normalise_event` returns a new dict holding only the fields of its type, checked and bounded, or None
for a type this server does not know (a newer SDK's event is dropped, not refused). Keystroke events
carry a count and never content: there is no field that could hold any.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from reel.errors import InvalidField
from reel.ingest.envelope import MAX_TIMESTAMP

MAX_COORD = 100_000.0
MAX_POINTS = 500
MAX_MASKS = 200
TEXT_MAX = 200
LIFECYCLE_STATES = frozenset({"start", "foreground", "background", "stop"})
ORIENTATIONS = frozenset({"portrait", "landscape"})

Fields = dict[str, Any]


def _fail(where: str, message: str) -> InvalidField:
    return InvalidField(f"{where} {message}", field=where)


def _number(value: object, where: str, *, low: float = -MAX_COORD, high: float = MAX_COORD) -> float | int:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise _fail(where, "must be a number")
    if not low <= value <= high:
        raise _fail(where, f"must be from {low:g} to {high:g}")
    # Kept exactly as sent: the SDK crops with `floor(v * scale + 0.5)` of these values, and so must the
    # compositor and the player, or a patch lands a pixel off (rounding here once made seams).
    return int(value) if isinstance(value, int) or value.is_integer() else value


def _int(value: object, where: str, *, low: int = 0, high: int = 2**31 - 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(where, f"must be an integer from {low} to {high}")
    return value


def _text(value: object, where: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise _fail(where, "must be a non-empty string" if required else "must be a string")
    return value[:limit]


def _flag(value: object, where: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _fail(where, "must be a boolean")
    return value


def _rect(value: object, where: str, *, low: float = 0) -> list[float | int]:
    """A rectangle `[x, y, width, height]`; `low` bounds x and y (masks may start off screen)."""
    if not isinstance(value, list) or len(value) != 4:
        raise _fail(where, "must be [x, y, width, height]")
    x, y = (_number(v, f"{where}[{i}]", low=low) for i, v in enumerate(value[:2]))
    w, h = (_number(v, f"{where}[{i + 2}]", low=0) for i, v in enumerate(value[2:]))
    if w <= 0 or h <= 0:
        raise _fail(where, "must have a positive width and height")
    return [x, y, w, h]


def _points(value: object, where: str, *, required: bool) -> list[list[float | int]]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_POINTS:
        raise _fail(where, f"must be an array of 1 to {MAX_POINTS} [x, y, ms] points")
    out = []
    for i, point in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(point, list) or len(point) != 3:
            raise _fail(at, "must be [x, y, ms after the event's timestamp]")
        out.append([_number(point[0], at), _number(point[1], at), _int(point[2], at, high=3_600_000)])
    return out


def _xy(e: dict[str, Any], where: str) -> Fields:
    return {"x": _number(e.get("x"), f"{where}.x"), "y": _number(e.get("y"), f"{where}.y")}


def _named(obj: object, where: str, names: tuple[str, ...]) -> dict[str, str]:
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise _fail(where, "must be an object")
    return {n: _text(obj.get(n), f"{where}.{n}", limit=100) for n in names if obj.get(n) is not None}


def _start(e: dict[str, Any], w: str) -> Fields:
    screen = e.get("screen")
    if not isinstance(screen, dict):
        raise _fail(f"{w}.screen", "must be an object with width, height and density")
    return {
        "device": _named(e.get("device"), f"{w}.device", ("manufacturer", "model")),
        "os": _named(e.get("os"), f"{w}.os", ("name", "version")),
        "app": _named(e.get("app"), f"{w}.app", ("id", "version", "build")),
        "sdk": _named(e.get("sdk"), f"{w}.sdk", ("name", "version")),
        "screen": {
            "width": _number(screen.get("width"), f"{w}.screen.width", low=1),
            "height": _number(screen.get("height"), f"{w}.screen.height", low=1),
            "density": _number(screen.get("density", 1), f"{w}.screen.density", low=0.1, high=16),
        },
    }


def _frame(e: dict[str, Any], w: str) -> Fields:
    masks = e.get("masks", [])
    if not isinstance(masks, list) or len(masks) > MAX_MASKS:
        raise _fail(f"{w}.masks", f"must be an array of at most {MAX_MASKS} rectangles")
    full = _flag(e.get("full"), f"{w}.full", False)
    rect = _rect(e.get("rect"), f"{w}.rect")
    if full and (rect[0] != 0 or rect[1] != 0):
        raise _fail(f"{w}.rect", "of a full frame must start at 0, 0 (it is the whole screen)")
    return {
        "view": _text(e.get("view"), f"{w}.view"),
        "full": full,
        "rect": rect,
        # Screen coordinates, for full and partial frames alike; a view partly scrolled off the top
        # or the left has a negative x or y.
        "masks": [_rect(m, f"{w}.masks[{i}]", low=-MAX_COORD) for i, m in enumerate(masks)],
    }


def _gesture(e: dict[str, Any], w: str) -> Fields:
    return {**_xy(e, w), "target": _text(e.get("target"), f"{w}.target")}


def _long_press(e: dict[str, Any], w: str) -> Fields:
    return {**_gesture(e, w), "duration": _int(e.get("duration", 0), f"{w}.duration", high=3_600_000)}


def _swipe(e: dict[str, Any], w: str) -> Fields:
    return {
        "points": _points(e.get("points"), f"{w}.points", required=True),
        "target": _text(e.get("target"), f"{w}.target"),
    }


def _scroll(e: dict[str, Any], w: str) -> Fields:
    return {
        **_gesture(e, w),
        "dx": _number(e.get("dx", 0), f"{w}.dx"),
        "dy": _number(e.get("dy", 0), f"{w}.dy"),
        "points": _points(e.get("points"), f"{w}.points", required=False),
    }


def _pinch(e: dict[str, Any], w: str) -> Fields:
    return {
        **_xy(e, w),
        "scale": _number(e.get("scale"), f"{w}.scale", low=0.01, high=100),
        "duration": _int(e.get("duration", 0), f"{w}.duration", high=3_600_000),
    }


def _rotate(e: dict[str, Any], w: str) -> Fields:
    return {
        **_xy(e, w),
        "degrees": _number(e.get("degrees"), f"{w}.degrees", low=-3600, high=3600),
        "duration": _int(e.get("duration", 0), f"{w}.duration", high=3_600_000),
    }


def _keyboard(e: dict[str, Any], w: str) -> Fields:
    visible = e.get("visible")
    if not isinstance(visible, bool):
        raise _fail(f"{w}.visible", "must be a boolean")
    return {"visible": visible, "height": _number(e.get("height", 0), f"{w}.height", low=0)}


def _keys(e: dict[str, Any], w: str) -> Fields:
    return {
        "count": _int(e.get("count"), f"{w}.count", low=1, high=100_000),
        "target": _text(e.get("target"), f"{w}.target"),
    }


def _orientation(e: dict[str, Any], w: str) -> Fields:
    value = e.get("orientation")
    if value not in ORIENTATIONS:
        raise _fail(f"{w}.orientation", "must be portrait or landscape")
    return {
        "orientation": value,
        "width": _number(e.get("width"), f"{w}.width", low=1),
        "height": _number(e.get("height"), f"{w}.height", low=1),
    }


def _lifecycle(e: dict[str, Any], w: str) -> Fields:
    state = e.get("state")
    if state not in LIFECYCLE_STATES:
        raise _fail(f"{w}.state", f"must be one of {', '.join(sorted(LIFECYCLE_STATES))}")
    return {"state": state}


def _crash(e: dict[str, Any], w: str) -> Fields:
    return {
        "kind": _text(e.get("kind"), f"{w}.kind", required=True),
        "where": _text(e.get("where"), f"{w}.where", limit=300),
        "fatal": _flag(e.get("fatal"), f"{w}.fatal", True),
    }


_TYPES: dict[str, Callable[[dict[str, Any], str], Fields]] = {
    "start": _start,
    "frame": _frame,
    "view": lambda e, w: {"name": _text(e.get("name"), f"{w}.name", required=True)},
    "tap": _gesture,
    "long_press": _long_press,
    "swipe": _swipe,
    "scroll": _scroll,
    "pinch": _pinch,
    "rotate": _rotate,
    "keyboard": _keyboard,
    "keys": _keys,
    "orientation": _orientation,
    "lifecycle": _lifecycle,
    "crash": _crash,
    "identify": lambda e, w: {"user_id": _text(e.get("user_id"), f"{w}.user_id", required=True)},
    "event": lambda e, w: {"name": _text(e.get("name"), f"{w}.name", required=True)},
}
EVENT_TYPES = frozenset(_TYPES)


def normalise_event(event: object, where: str) -> dict[str, Any] | None:
    """The event as stored: its type, its timestamp and its own checked fields; None for unknown types."""
    if not isinstance(event, dict):
        raise _fail(where, "must be an object")
    kind = event.get("type")
    if not isinstance(kind, str):
        raise _fail(f"{where}.type", "must be a string")
    ts = event.get("timestamp")
    if not isinstance(ts, int) or isinstance(ts, bool) or not 0 < ts < MAX_TIMESTAMP:
        raise _fail(f"{where}.timestamp", "must be an integer number of ms since the epoch")
    build = _TYPES.get(kind)
    if build is None:
        return None
    return {"type": kind, "timestamp": ts, **build(event, where)}
