"""Processing's mobile platform: the screen's recipe and gesture actions (pure).

A mobile state (a checkpoint or a keyframe) is the picture's recipe at a moment: the recording's start
event, the last full frame and the partial frames after it (their images are stored already), and the
view, all moved to that moment.
"""

from __future__ import annotations

from typing import Any

from reel.domain.mobile_beacons import view_of
from reel.processing.actions import Action
from reel.processing.mobile.actions import MobileActionExtractor
from reel.processing.platform import Event

MAX_STATE_FRAMES = 2000
"""The SDK sends a full frame at least every 100 partial ones; this only bounds a misbehaving client."""


class MobilePlatform:
    """A mobile recording's state: the frames that make the current picture, and the view."""

    name = "mobile"
    finds_idle = False
    """The mobile player plays frames as they came; it has no idle skipping."""

    def __init__(self) -> None:
        self.extractor = MobileActionExtractor()
        self.frames: list[dict[str, Any]] = []
        self.start_event: dict[str, Any] | None = None
        self.view = ""

    def observe(self, event: Event) -> None:
        kind = event.get("type")
        if kind == "start":
            self.start_event = dict(event)
        elif kind == "frame":
            if event.get("full"):
                self.frames = [dict(event)]
            elif self.frames and len(self.frames) < MAX_STATE_FRAMES:
                self.frames.append(dict(event))
        view = view_of(dict(event)) if kind in ("view", "frame") else ""
        if view:
            self.view = view

    def resume(self) -> None:
        self.extractor = MobileActionExtractor(self.view)

    def take_problems(self) -> tuple[int, str]:
        return 0, ""  # normalised at ingest: every event is one the screen can take in

    def extract(self, event: Event) -> list[Action]:
        self.extractor.feed(event)
        return self.extractor.drain()

    def activity(self, event: Event) -> tuple[int, int] | None:
        return None

    def finish(self) -> list[Action]:
        return self.extractor.drain()

    def state_events(self, at: int) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if self.start_event is not None:
            events.append({**self.start_event, "timestamp": at})
        events.extend({**f, "timestamp": at} for f in self.frames)
        if self.view:
            events.append({"type": "view", "timestamp": at, "name": self.view})
        return events

    @property
    def location(self) -> str:
        return self.extractor.url or self.view
