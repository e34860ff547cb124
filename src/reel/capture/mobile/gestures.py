"""Gestures from raw pointer events: tap, long press, swipe or scroll path, pinch and rotation (pure).

Adapters feed touch points (or a mouse, as one pointer) with their times; the tracker answers with the
contract's gesture events once a gesture ends. Coordinates are points on the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

TAP_SLOP = 10.0
"""Movement (points) under which a press is a tap or a long press, not a path."""
LONG_PRESS_MS = 500
MAX_PATH_POINTS = 60
PINCH_MIN_CHANGE = 0.1
ROTATE_MIN_DEGREES = 15.0


@dataclass
class _Pointer:
    start: tuple[float, float, int]
    last: tuple[float, float, int]
    path: list[tuple[float, float, int]] = field(default_factory=list)
    moved: bool = False


def _sample(path: list[tuple[float, float, int]], limit: int) -> list[tuple[float, float, int]]:
    if len(path) <= limit:
        return path
    step = (len(path) - 1) / (limit - 1)
    return [path[round(i * step)] for i in range(limit)]


def _r(value: float) -> float | int:
    rounded = round(float(value), 1)
    return int(rounded) if rounded.is_integer() else rounded


class GestureTracker:
    """Feed `down`, `move` and `up` per pointer id; each returns the gesture events that just ended."""

    def __init__(self) -> None:
        self._pointers: dict[int, _Pointer] = {}
        self._target = ""
        self._scrollable = False
        self._multi: dict[int, tuple[float, float]] | None = None
        self._multi_start_ts = 0
        self._multi_done = False

    def down(
        self, pointer: int, x: float, y: float, ts: int, *, target: str = "", scrollable: bool = False
    ) -> list[dict[str, Any]]:
        """A finger (or button) went down at (x, y); `target` names the view under it."""
        if not self._pointers:
            self._target, self._scrollable = target, scrollable
            self._multi, self._multi_done = None, False
        self._pointers[pointer] = _Pointer((x, y, ts), (x, y, ts), [(x, y, ts)])
        if len(self._pointers) == 2:
            self._multi = {pid: (p.last[0], p.last[1]) for pid, p in self._pointers.items()}
            self._multi_start_ts = ts
        return []

    def move(self, pointer: int, x: float, y: float, ts: int) -> list[dict[str, Any]]:
        """A pointer moved."""
        p = self._pointers.get(pointer)
        if p is None:
            return []
        p.last = (x, y, ts)
        p.path.append((x, y, ts))
        if math.dist(p.start[:2], (x, y)) > TAP_SLOP:
            p.moved = True
        return []

    def up(self, pointer: int, x: float, y: float, ts: int) -> list[dict[str, Any]]:
        """A pointer lifted: the gesture it ends, if any."""
        p = self._pointers.get(pointer)
        if p is None:
            return []
        self.move(pointer, x, y, ts)
        out: list[dict[str, Any]] = []
        if self._multi is not None and not self._multi_done and len(self._pointers) >= 2:
            out.extend(self._two_finger(ts))
            self._multi_done = True
        elif self._multi is None:
            out.extend(self._one_finger(p, ts))
        del self._pointers[pointer]
        return out

    def cancel(self) -> None:
        """Forget every pointer (the system took the touch away)."""
        self._pointers.clear()
        self._multi = None

    def _one_finger(self, p: _Pointer, ts: int) -> list[dict[str, Any]]:
        x0, y0, t0 = p.start
        if not p.moved:
            if ts - t0 >= LONG_PRESS_MS:
                return [
                    {
                        "type": "long_press",
                        "timestamp": t0,
                        "x": _r(x0),
                        "y": _r(y0),
                        "duration": ts - t0,
                        "target": self._target,
                    }
                ]
            return [{"type": "tap", "timestamp": t0, "x": _r(x0), "y": _r(y0), "target": self._target}]
        points = [[_r(x), _r(y), t - t0] for x, y, t in _sample(p.path, MAX_PATH_POINTS)]
        if self._scrollable:
            x1, y1, _ = p.last
            return [
                {
                    "type": "scroll",
                    "timestamp": t0,
                    "x": _r(x0),
                    "y": _r(y0),
                    "dx": _r(x1 - x0),
                    "dy": _r(y1 - y0),
                    "points": points,
                    "target": self._target,
                }
            ]
        return [{"type": "swipe", "timestamp": t0, "points": points, "target": self._target}]

    def _two_finger(self, ts: int) -> list[dict[str, Any]]:
        start = self._multi or {}
        ids = [pid for pid in start if pid in self._pointers][:2]
        if len(ids) < 2:
            return []
        a0, b0 = start[ids[0]], start[ids[1]]
        a1, b1 = self._pointers[ids[0]].last[:2], self._pointers[ids[1]].last[:2]
        d0, d1 = math.dist(a0, b0), math.dist(a1, b1)
        cx, cy = (a1[0] + b1[0]) / 2, (a1[1] + b1[1]) / 2
        duration = ts - self._multi_start_ts
        out: list[dict[str, Any]] = []
        if d0 > 0 and abs(d1 / d0 - 1) >= PINCH_MIN_CHANGE:
            out.append(
                {
                    "type": "pinch",
                    "timestamp": self._multi_start_ts,
                    "x": _r(cx),
                    "y": _r(cy),
                    "scale": round(d1 / d0, 3),
                    "duration": duration,
                }
            )
        angle0 = math.atan2(b0[1] - a0[1], b0[0] - a0[0])
        angle1 = math.atan2(b1[1] - a1[1], b1[0] - a1[0])
        degrees = math.degrees(math.atan2(math.sin(angle1 - angle0), math.cos(angle1 - angle0)))
        if abs(degrees) >= ROTATE_MIN_DEGREES:
            out.append(
                {
                    "type": "rotate",
                    "timestamp": self._multi_start_ts,
                    "x": _r(cx),
                    "y": _r(cy),
                    "degrees": round(degrees, 1),
                    "duration": duration,
                }
            )
        return out
