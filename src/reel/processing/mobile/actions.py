"""Action extraction for mobile recordings: view loads, taps, long presses, rage taps, keystrokes into a
field, crashes, identify and custom events, as the same `Action` records the web produces (pure).

Kinds follow the web's where the meaning is the same, so search counters and filters work unchanged:
a view shown is a `load` (its name in `url`), a crash is an `error` (with `data.crash`), three taps
within 1 s and 30 points are a `rage_click`, and typing into a field is one `input`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reel.domain.mobile_beacons import view_of
from reel.processing.actions import ActionLog
from reel.processing.rage import Press, RageDetector


class MobileActionExtractor(ActionLog):
    """Feed normalised mobile events in time order; collect actions with `drain()`.

    The view shown is the extractor's `url` (what a web action's page is)."""

    def __init__(self, view: str = "") -> None:
        super().__init__(view)
        self._rage: RageDetector[str] = RageDetector()
        self._typing_into: str | None = None

    def feed(self, event: Mapping[str, Any]) -> None:
        """Take one event."""
        ts = int(event["timestamp"])
        kind = event["type"]
        view = view_of(dict(event))
        if view and view != self.url:
            self.url = view
            self._typing_into = None
            self._add(ts, "load", label=view)
        if kind == "tap":
            self._on_tap(ts, event)
        elif kind == "long_press":
            self._typing_into = None
            self._add_gesture(ts, "long_press", event, duration=event["duration"])
        elif kind == "keys":
            target = str(event["target"])
            if target != self._typing_into:  # keystrokes into the same field are one input action
                self._typing_into = target
                self._add(ts, "input", target=target)
        elif kind == "crash":
            where = {"crash": True, "fatal": event["fatal"], "where": event["where"]}
            self._add(ts, "error", label=f"Crash: {event['kind']}", data=where)
        elif kind == "identify":
            self._add(ts, "identify", label=str(event["user_id"]))
        elif kind == "event":
            self._add(ts, "custom", label=str(event["name"]))

    def _add_gesture(self, ts: int, kind: str, event: Mapping[str, Any], **extra: Any) -> None:
        self._add_pointer(ts, kind, event["x"], event["y"], target=str(event.get("target", "")), **extra)

    def _on_tap(self, ts: int, event: Mapping[str, Any]) -> None:
        self._typing_into = None
        self._add_gesture(ts, "tap", event)
        burst = self._rage.press(Press(ts, float(event["x"]), float(event["y"]), str(event["target"])))
        if burst is not None:
            first = burst.first
            self._add_pointer(
                first.ts,
                "rage_click",
                first.x,
                first.y,
                target=first.item,
                label="Rage tap",
                clicks=burst.clicks,
            )
