"""Processing one recording in order: DOM mirror, actions, splits and split checkpoints (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reel.dom.mirror import DomMirror
from reel.domain.splits import (
    UNCOUNTED_KINDS,
    Part,
    PartCounts,
    RoundTally,
    SplitPolicy,
    action_split_due,
    part_session_id,
    time_split_at,
)
from reel.processing.actions import Action, ActionExtractor

STATE_VERSION = 1


@dataclass(frozen=True)
class Split:
    """Part `closed` ends at `at`; the next part, `opened`, starts there from `checkpoint`."""

    recording_id: str
    closed_session_id: str
    opened: Part
    at: int
    url: str
    checkpoint: list[dict[str, Any]]
    counts: PartCounts = field(default_factory=PartCounts)
    """What the split moves from the closed part to the opened one, known at the end of the round."""


@dataclass
class Output:
    """What one processing round found."""

    actions: list[tuple[str, Action]] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)


@dataclass(frozen=True)
class BeaconSession:
    """The session ingest put a beacon in (its id, part number, start and recorder session)."""

    session_id: str
    client_session_id: str
    part: int
    start: int


class RecordingProcessor:
    """Feed a recording's beacons in seq order; collect actions and splits with `take_output()`."""

    def __init__(
        self, recording_id: str, policy: SplitPolicy, state: Mapping[str, Any] | None = None
    ) -> None:
        self.recording_id = recording_id
        self.policy = policy
        self.mirror = DomMirror()
        self.extractor = ActionExtractor()
        self.part: Part | None = None
        self.previous: Part | None = None
        self._out = Output()
        self.tally = RoundTally()
        if state:
            self._restore(state)

    def feed_beacon(self, session: BeaconSession, events: Sequence[Mapping[str, Any]]) -> None:
        """Process one beacon's events (already in the session ingest assigned)."""
        if self.part is None or self.part.client_session_id != session.client_session_id:
            self._close_stream()
            self.previous = None
            self.part = Part(session.session_id, session.client_session_id, session.part, session.start)
        self.tally.beacon(session.client_session_id)
        for event in sorted(events, key=lambda e: e.get("timestamp", 0)):
            ts = event.get("timestamp")
            if isinstance(ts, int):
                at = time_split_at(self.part, ts, self.policy)
                if at is not None:
                    self._split(at)
            self.mirror.apply(event)
            self.extractor.feed(event, self.mirror)
            self._take_actions(self.extractor.drain())
            self.tally.event()  # after an action split too: the action opening a part is in it

    def take_output(self) -> Output:
        """Actions and splits found since the last call (each split with what it moves to its part)."""
        out, self._out = self._out, Output()
        counts = self.tally.split_counts()
        out.splits = [dataclasses.replace(s, counts=c) for s, c in zip(out.splits, counts, strict=True)]
        return out

    def _close_stream(self) -> None:
        # A new recorder session: the old one's pending dead-click checks end here.
        if self.part is not None:
            self._take_actions(self.extractor.finish())

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
            owner = part
            if action.ts < part.start and self.previous is not None:
                owner = self.previous  # e.g. a dead click decided after the split, from before it
            elif action.kind not in UNCOUNTED_KINDS:
                self.part = part = dataclasses.replace(part, actions=part.actions + 1)
            self._out.actions.append((owner.session_id, action))

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
        checkpoint = [dict(e) for e in self.mirror.state_events(at)]
        self._out.splits.append(
            Split(self.recording_id, part.session_id, opened, at, self.extractor.url, checkpoint)
        )
        self.tally.split(part.client_session_id)
        self.previous, self.part = part, opened

    # state kept between rounds (and across processes) as plain JSON

    def export_state(self) -> dict[str, Any]:
        """Everything needed to continue later: the DOM as events, the current part, the page URL."""
        at = self.mirror.timestamp
        return {
            "v": STATE_VERSION,
            "mirror": self.mirror.state_events(at) if at is not None else [],
            "url": self.extractor.url,
            "part": dataclasses.asdict(self.part) if self.part else None,
            "previous": dataclasses.asdict(self.previous) if self.previous else None,
        }

    def _restore(self, state: Mapping[str, Any]) -> None:
        if state.get("v") != STATE_VERSION:
            return  # an unknown state starts afresh rather than misreading it
        events = state.get("mirror")
        if isinstance(events, list):
            self.mirror.apply_all(events)
        url = state.get("url")
        self.extractor = ActionExtractor(url if isinstance(url, str) else "")
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
