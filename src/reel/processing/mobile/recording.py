"""Processing one mobile recording in order: actions, splits and split checkpoints (pure).

The counterpart of `reel.processing.recording.RecordingProcessor` with the same interface and output, so
the worker treats both alike. A mobile checkpoint is the picture's recipe at the split: the last full
frame and the partial frames after it (their images are already stored), moved to the split time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from reel.domain.splits import (
    UNCOUNTED_KINDS,
    Part,
    RoundTally,
    SplitPolicy,
    action_split_due,
    part_session_id,
    time_split_at,
)
from reel.processing.actions import Action
from reel.processing.mobile.actions import MobileActionExtractor
from reel.processing.recording import BeaconSession, Output, Split

STATE_VERSION = 1
MAX_STATE_FRAMES = 2000
"""The SDK sends a full frame at least every 100 partial ones; this only bounds a misbehaving client."""


class MobileRecordingProcessor:
    """Feed a mobile recording's beacons in seq order; collect actions and splits with `take_output()`."""

    def __init__(
        self, recording_id: str, policy: SplitPolicy, state: Mapping[str, Any] | None = None
    ) -> None:
        self.recording_id = recording_id
        self.policy = policy
        self.extractor = MobileActionExtractor()
        self.frames: list[dict[str, Any]] = []
        self.start_event: dict[str, Any] | None = None
        self.part: Part | None = None
        self.previous: Part | None = None
        self._out = Output()
        self.tally = RoundTally()
        if state:
            self._restore(state)

    def feed_beacon(self, session: BeaconSession, events: Sequence[Mapping[str, Any]]) -> None:
        """Process one beacon's events (already in the session ingest assigned)."""
        if self.part is None or self.part.client_session_id != session.client_session_id:
            self.previous = None
            self.part = Part(session.session_id, session.client_session_id, session.part, session.start)
        self.tally.beacon(session.client_session_id)
        for event in sorted(events, key=lambda e: int(e["timestamp"])):
            ts = int(event["timestamp"])
            at = time_split_at(self.part, ts, self.policy)
            if at is not None:
                self._split(at)
            self._remember(event)
            self.extractor.feed(event)
            self._take_actions(self.extractor.drain())
            self.tally.event()

    def take_output(self) -> Output:
        """Actions and splits found since the last call (each split with what it moves to its part)."""
        out, self._out = self._out, Output()
        counts = self.tally.split_counts()
        out.splits = [dataclasses.replace(s, counts=c) for s, c in zip(out.splits, counts, strict=True)]
        return out

    def _remember(self, event: Mapping[str, Any]) -> None:
        if event["type"] == "start":
            self.start_event = dict(event)
        elif event["type"] == "frame":
            if event["full"]:
                self.frames = [dict(event)]
            elif self.frames and len(self.frames) < MAX_STATE_FRAMES:
                self.frames.append(dict(event))

    def _take_actions(self, actions: list[Action]) -> None:
        for action in actions:
            part = self.part
            if part is None:
                return
            if action_split_due(part, action.kind, self.policy):
                self._split(action.ts)
                part = self.part
            if part is None:
                return
            if action.kind not in UNCOUNTED_KINDS:
                self.part = part = dataclasses.replace(part, actions=part.actions + 1)
            self._out.actions.append((part.session_id, action))

    def checkpoint(self, at: int) -> list[dict[str, Any]]:
        """The events that rebuild the screen at `at`, all stamped `at` (device info, frames, view)."""
        events: list[dict[str, Any]] = []
        if self.start_event is not None:
            events.append({**self.start_event, "timestamp": at})
        events.extend({**f, "timestamp": at} for f in self.frames)
        if self.extractor.view:
            events.append({"type": "view", "timestamp": at, "name": self.extractor.view})
        return events

    def _split(self, at: int) -> None:
        part = self.part
        if part is None:
            return
        opened = Part(
            session_id=part_session_id(self.recording_id, part.client_session_id, part.part + 1),
            client_session_id=part.client_session_id,
            part=part.part + 1,
            start=at,
        )
        self._out.splits.append(
            Split(self.recording_id, part.session_id, opened, at, self.extractor.view, self.checkpoint(at))
        )
        self.tally.split(part.client_session_id)
        self.previous, self.part = part, opened

    def export_state(self) -> dict[str, Any]:
        """Everything needed to continue later, as plain JSON."""
        return {
            "v": STATE_VERSION,
            "platform": "mobile",
            "view": self.extractor.view,
            "frames": self.frames,
            "start": self.start_event,
            "part": dataclasses.asdict(self.part) if self.part else None,
            "previous": dataclasses.asdict(self.previous) if self.previous else None,
        }

    def _restore(self, state: Mapping[str, Any]) -> None:
        if state.get("v") != STATE_VERSION or state.get("platform") != "mobile":
            return  # an unknown state starts afresh rather than misreading it
        view = state.get("view")
        self.extractor = MobileActionExtractor(view if isinstance(view, str) else "")
        frames = state.get("frames")
        self.frames = [dict(f) for f in frames if isinstance(f, dict)] if isinstance(frames, list) else []
        start = state.get("start")
        self.start_event = dict(start) if isinstance(start, dict) else None
        self.part = _part(state.get("part"))
        self.previous = _part(state.get("previous"))


def _part(value: object) -> Part | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return Part(
            session_id=str(value["session_id"]),
            client_session_id=str(value["client_session_id"]),
            part=int(value["part"]),
            start=int(value["start"]),
            actions=int(value.get("actions", 0)),
        )
    except (KeyError, TypeError, ValueError):
        return None
