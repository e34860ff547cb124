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
from reel.processing.actions import Action
from reel.processing.rage import Press, RageDetector


class MobileActionExtractor:
    """Feed normalised mobile events in time order; collect actions with `drain()`."""

    def __init__(self, view: str = "") -> None:
        self.view = view
        self._out: list[Action] = []
        self._rage: RageDetector[str] = RageDetector()
        self._typing_into: str | None = None

    def drain(self) -> list[Action]:
        """Actions found since the last drain, in time order."""
        out, self._out = self._out, []
        out.sort(key=lambda a: a.ts)
        return out

    def feed(self, event: Mapping[str, Any]) -> None:
        """Take one event."""
        ts = int(event["timestamp"])
        kind = event["type"]
        view = view_of(dict(event))
        if view and view != self.view:
            self.view = view
            self._typing_into = None
            self._out.append(Action(ts=ts, kind="load", url=view, label=view))
        if kind == "tap":
            self._on_tap(ts, event)
        elif kind == "long_press":
            self._typing_into = None
            self._out.append(self._gesture(ts, "long_press", event, duration=event["duration"]))
        elif kind == "keys":
            target = str(event["target"])
            if target != self._typing_into:  # keystrokes into the same field are one input action
                self._typing_into = target
                self._out.append(Action(ts=ts, kind="input", url=self.view, target=target))
        elif kind == "crash":
            self._out.append(
                Action(
                    ts=ts,
                    kind="error",
                    url=self.view,
                    label=f"Crash: {event['kind']}",
                    data={"crash": True, "fatal": event["fatal"], "where": event["where"]},
                )
            )
        elif kind == "identify":
            self._out.append(Action(ts=ts, kind="identify", url=self.view, label=str(event["user_id"])))
        elif kind == "event":
            self._out.append(Action(ts=ts, kind="custom", url=self.view, label=str(event["name"])))

    def _gesture(self, ts: int, kind: str, event: Mapping[str, Any], **extra: Any) -> Action:
        return Action(
            ts=ts,
            kind=kind,
            url=self.view,
            target=str(event.get("target", "")),
            data={"x": event["x"], "y": event["y"], **extra},
        )

    def _on_tap(self, ts: int, event: Mapping[str, Any]) -> None:
        self._typing_into = None
        self._out.append(self._gesture(ts, "tap", event))
        burst = self._rage.press(Press(ts, float(event["x"]), float(event["y"]), str(event["target"])))
        if burst is not None:
            first = burst.first
            self._out.append(
                Action(
                    ts=first.ts,
                    kind="rage_click",
                    url=self.view,
                    target=first.item,
                    label="Rage tap",
                    data={"x": first.x, "y": first.y, "clicks": burst.clicks},
                )
            )
