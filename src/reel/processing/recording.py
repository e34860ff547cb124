"""Processing one recording in stream order: actions, splits with checkpoints, keyframes (pure).

One processor for web and mobile; the platform (reel.processing.web, reel.processing.mobile.platform)
keeps the state (the DOM mirror, or the screen's frames) and finds the actions. The processor splits
sessions (after N actions or 8 hours) and cuts the stream into segments at keyframes, and remembers
between rounds only where it is (its state is small JSON): the state itself is rebuilt by warming up
from the last keyframe (`warm`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reel.domain.records import IdlePeriod, SegmentEnd
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
from reel.processing.actions import Action
from reel.processing.idle import IdleTracker
from reel.processing.keyframes import KeyframePolicy, OpenSegment
from reel.processing.platform import Platform

STATE_VERSION = 2


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


@dataclass(frozen=True)
class Cut:
    """A new segment `idx` starts at (seq, index) at `ts`, from `keyframe` (the state there)."""

    idx: int
    ts: int
    seq: int
    index: int
    keyframe: list[dict[str, Any]]


@dataclass
class Output:
    """What one processing round found."""

    actions: list[tuple[str, Action]] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)
    ended: list[SegmentEnd] = field(default_factory=list)
    idle: list[IdlePeriod] = field(default_factory=list)


@dataclass(frozen=True)
class BeaconSession:
    """The session ingest put a beacon in (its id, part number, start and recorder session)."""

    session_id: str
    client_session_id: str
    part: int
    start: int


class RecordingProcessor:
    """Feed a recording's beacons in seq order; collect what was found with `take_output()`."""

    def __init__(
        self,
        recording_id: str,
        platform: Platform,
        policy: SplitPolicy,
        keyframes: KeyframePolicy | None = None,
        state: Mapping[str, Any] | None = None,
    ) -> None:
        self.recording_id = recording_id
        self.platform = platform
        self.policy = policy
        self.keyframes = keyframes or KeyframePolicy()
        self.part: Part | None = None
        self.previous: Part | None = None
        self.segment: OpenSegment | None = None
        self.next_idx = 0
        self.last_seq: int | None = None
        self.last_ts: int | None = None
        self.idle = IdleTracker()
        self._out = Output()
        self.tally = RoundTally()
        if state:
            self._restore(state)

    def warm(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Rebuild the platform's state from a keyframe and the events after it (no actions, no cuts)."""
        for event in events:
            self.platform.observe(event)
        self.platform.resume()

    def feed_beacon(
        self, session: BeaconSession, seq: int, events: Sequence[Mapping[str, Any]], raw_bytes: int
    ) -> None:
        """Process one beacon's events (sorted by time, as stored) in the session ingest assigned."""
        if self.part is None or self.part.client_session_id != session.client_session_id:
            self._close_stream()
            self.previous = None
            self.part = Part(session.session_id, session.client_session_id, session.part, session.start)
            self.idle = IdleTracker()  # a new recorder session: its activity counts from its first event
        self.tally.beacon(session.client_session_id)
        ordered = sorted(events, key=_timestamp)
        per_event = raw_bytes // max(1, len(ordered))
        for index, event in enumerate(ordered):
            ts = _timestamp(event)
            self._maybe_cut(seq, index, ts, at_beacon_start=index == 0)
            at = time_split_at(self.part, ts, self.policy)
            if at is not None:
                self._split(at)
            self.platform.observe(event)
            self._track_idle(event, ts)
            self._take_actions(self.platform.extract(event))
            self.tally.event()  # after an action split too: the action opening a part is in it
            if self.segment is not None:
                self.segment.events += 1
                self.segment.raw_bytes += per_event
            self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)
        self.last_seq = seq

    def seal(self) -> None:
        """The recording went quiet: end the open segment after the last event fed (a later beacon
        opens a new one from a keyframe)."""
        if self.segment is None or self.last_seq is None or self.last_ts is None:
            return
        seg = self.segment
        self._out.ended.append(
            SegmentEnd(seg.idx, self.last_ts + 1, self.last_seq + 1, 0, seg.events, seg.raw_bytes)
        )
        self.segment = None
        # Idle until the last event so far; a later interaction extends this same period (same start).
        if self.part is not None:
            self._idle_period(self.idle.until(self.part.session_id, self.last_ts))

    def take_output(self) -> Output:
        """What was found since the last call (each split with what it moves to its part)."""
        out, self._out = self._out, Output()
        counts = self.tally.split_counts()
        out.splits = [dataclasses.replace(s, counts=c) for s, c in zip(out.splits, counts, strict=True)]
        return out

    def _maybe_cut(self, seq: int, index: int, ts: int, *, at_beacon_start: bool) -> None:
        seg = self.segment
        if seg is not None:
            later = self.last_ts is None or ts > self.last_ts  # segments never share an instant
            due = seg.events >= self.keyframes.max_events or (
                at_beacon_start and seg.full(self.keyframes, ts)
            )
            if not (later and due):
                return
            self._out.ended.append(SegmentEnd(seg.idx, ts, seq, index, seg.events, seg.raw_bytes))
        keyframe = self.platform.state_events(ts)
        self._out.cuts.append(Cut(self.next_idx, ts, seq, index, keyframe))
        self.segment = OpenSegment(self.next_idx, ts, seq, index)
        self.next_idx += 1

    def _track_idle(self, event: Mapping[str, Any], ts: int) -> None:
        if self.platform.finds_idle and self.part is not None:
            self._idle_period(self.idle.feed(self.part.session_id, ts, self.platform.activity(event)))

    def _idle_period(self, period: IdlePeriod | None) -> None:
        if period is not None:
            self._out.idle.append(period)

    def _close_stream(self) -> None:
        # A new recorder session: the old one's pending checks (dead clicks) end here.
        if self.part is not None:
            self._take_actions(self.platform.finish())

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
        checkpoint = self.platform.state_events(at)
        # An idle period across the split ends the closed part; the opened one counts from the split.
        if self.idle.active is not None:
            self._idle_period(self.idle.until(part.session_id, at))
            self.idle.restart(at)
        self._out.splits.append(
            Split(self.recording_id, part.session_id, opened, at, self.platform.location, checkpoint)
        )
        self.tally.split(part.client_session_id)
        self.previous, self.part = part, opened

    # where processing is, kept between rounds (and across processes) as plain JSON

    def export_state(self) -> dict[str, Any]:
        """Where to continue: the parts, the open segment and the last position fed."""
        return {
            "v": STATE_VERSION,
            "platform": self.platform.name,
            "part": dataclasses.asdict(self.part) if self.part else None,
            "previous": dataclasses.asdict(self.previous) if self.previous else None,
            "segment": self.segment.to_json() if self.segment else None,
            "next_idx": self.next_idx,
            "last_seq": self.last_seq,
            "last_ts": self.last_ts,
            "active": self.idle.active,
        }

    def _restore(self, state: Mapping[str, Any]) -> None:
        if state.get("v") != STATE_VERSION or state.get("platform") != self.platform.name:
            return  # an unknown state starts afresh rather than misreading it
        self.part = _part(state.get("part"))
        self.previous = _part(state.get("previous"))
        self.segment = OpenSegment.from_json(state.get("segment"))
        self.next_idx = _int(state.get("next_idx")) or 0
        self.last_seq = _int(state.get("last_seq"))
        self.last_ts = _int(state.get("last_ts"))
        self.idle = IdleTracker(_int(state.get("active")))


def _timestamp(event: Mapping[str, Any]) -> int:
    ts = event.get("timestamp")
    return int(ts) if isinstance(ts, int | float) else 0


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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
