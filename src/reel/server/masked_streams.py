"""Masked event streams for the player: chunk requests answered from one forward masking pass per session.

Masking needs the stream from its start: whether node 57's text may show depends on what node 57 is
inside, which only the events before it say. A chunk request names a few beacons in the middle. Of the
two ways to answer it exactly,

(a) mask the whole session once and slice chunks out of the result, or
(b) run the masker over everything before the chunk, without sending it, on every request,

(b) costs a pass over the whole prefix per chunk (quadratic over a session's playback) and (a) makes the
first chunk wait for the whole session (brief §7 P5). So this keeps, per (session part, rules version),
a *cursor*: the masker's state plus the masked events of every beacon it has passed. A request moves the
cursor forward only as far as its last beacon, then answers from what is kept. The first chunk costs one
chunk, playing a session costs one pass over it, a seek to the end costs the pass (b) would cost once,
and a chunk asked for alone comes out exactly as it does inside the whole stream, because every event is
masked at the same point of the same single pass.

The pass goes in recorded order (beacons by seq, events as the recorder wrote them; a split part starts
with its checkpoint, a full snapshot, so its stream stands alone); answers are then sorted by time as
before. A new beacon after those passed extends the cursor; one that lands among them (out of order)
starts a new pass. Saving rules makes a new version, hence new cursors: the very next request uses them.
Masked events are kept as JSON (compact) under a memory budget, least recently used streams first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from reel.jsonio import dumps
from reel.processing.masking import ReplayMasker, RuleSet
from reel.processing.replay_index import Window
from reel.processing.sanitize import sanitize_event
from reel.storage.records import StoredBeacon

Event = dict[str, Any]
MAX_BYTES = 128 * 1024 * 1024
MAX_STREAMS = 64


@dataclass(frozen=True)
class StreamSource:
    """Where a session part's events come from: an optional checkpoint, then beacons by seq."""

    session_id: str
    head_key: str | None
    beacons: tuple[StoredBeacon, ...]
    window: Window

    @property
    def fingerprint(self) -> tuple[tuple[str | None, Window], tuple[tuple[int, str], ...]]:
        """What the stream is made of; a cursor goes on only over the same beginning (and window: a
        part that closes at a split ends there)."""
        return (self.head_key, self.window), tuple((b.seq, b.blob_key) for b in self.beacons)


class _Cursor:
    """One stream masked up to some beacon, and the masker's state to go on from there."""

    def __init__(self, rules: RuleSet, source: StreamSource) -> None:
        self.lock = threading.Lock()
        self.masker = ReplayMasker(rules)
        self.head_key = source.head_key
        self.start = source.fingerprint[0]
        self.passed: list[tuple[int, str]] = []
        """(seq, blob key) of the beacons masked so far, in order."""
        self.head: bytes | None = None
        self.masked: dict[int, bytes] = {}
        self.size = 0

    def fits(self, source: StreamSource) -> bool:
        """True if `source` begins with what this cursor has passed (so it can go on over it)."""
        start, beacons = source.fingerprint
        return start == self.start and list(beacons[: len(self.passed)]) == self.passed

    def advance(
        self,
        source: StreamSource,
        to_seq: int | None,
        load_head: Callable[[str], list[Any]],
        load: Callable[[StoredBeacon], list[Any]],
    ) -> None:
        """Mask the head (once) and every beacon up to `to_seq` (all when None) not masked yet."""
        if self.head is None:
            events = load_head(self.head_key) if self.head_key is not None else []
            self.head = self._mask(events, None)
            self.size += len(self.head)
        for beacon in source.beacons[len(self.passed) :]:
            if to_seq is not None and beacon.seq > to_seq:
                break
            masked = self._mask(load(beacon), source.window)
            self.masked[beacon.seq] = masked
            self.passed.append((beacon.seq, beacon.blob_key))
            self.size += len(masked)

    def _mask(self, events: list[Any], window: Window | None) -> bytes:
        out: list[Event] = []
        masker = self.masker
        for event in events:
            if not isinstance(event, dict):
                continue
            ts = event.get("timestamp")
            if not isinstance(ts, int | float) or (window is not None and not window.holds(int(ts))):
                continue  # outside this part (a split part plays only its own time range)
            masked = masker.mask(sanitize_event(event))
            if masked is not None:
                out.append(masked)
        return dumps(out)  # orjson alone stops at 255 levels, below what ingest accepts

    def events(self, source: StreamSource, from_seq: int, to_seq: int | None) -> list[Event]:
        """The masked events of the beacons from_seq..to_seq (the head with the first), sorted by time."""
        out: list[Event] = []
        beacons = source.beacons
        if self.head is not None and beacons and from_seq <= beacons[0].seq:
            out.extend(orjson.loads(self.head))
        for beacon in beacons:
            if beacon.seq < from_seq or (to_seq is not None and beacon.seq > to_seq):
                continue
            masked = self.masked.get(beacon.seq)
            if masked is not None:
                out.extend(orjson.loads(masked))
        out.sort(key=lambda e: e["timestamp"])  # stable: the head and equal times keep their order
        return out


class MaskedStreams:
    """The cursors of the streams being played, least recently used first out (thread-safe)."""

    def __init__(self, *, max_bytes: int = MAX_BYTES, max_streams: int = MAX_STREAMS) -> None:
        self.max_bytes = max_bytes
        self.max_streams = max_streams
        self._lock = threading.Lock()
        self._cursors: OrderedDict[tuple[str, int], _Cursor] = OrderedDict()

    def events(
        self,
        source: StreamSource,
        rules: RuleSet,
        from_seq: int,
        to_seq: int | None,
        *,
        load_head: Callable[[str], list[Any]],
        load: Callable[[StoredBeacon], list[Any]],
    ) -> list[Event]:
        """The events of beacons from_seq..to_seq of `source`, masked as part of the whole stream."""
        key = (source.session_id, rules.version)
        with self._lock:
            cursor = self._cursors.get(key)
            if cursor is None or not cursor.fits(source):
                cursor = _Cursor(rules, source)
                self._cursors[key] = cursor
            self._cursors.move_to_end(key)
        with cursor.lock:
            if not cursor.fits(source):  # another request started the pass over a different stream
                cursor = _Cursor(rules, source)
            cursor.advance(source, to_seq, load_head, load)
            events = cursor.events(source, from_seq, to_seq)
        self._trim()
        return events

    def _trim(self) -> None:
        with self._lock:
            total = sum(c.size for c in self._cursors.values())
            while self._cursors and (total > self.max_bytes or len(self._cursors) > self.max_streams):
                _, evicted = self._cursors.popitem(last=False)
                total -= evicted.size

    def clear(self) -> None:
        """Forget every stream (each is masked again from its start when next asked for)."""
        with self._lock:
            self._cursors.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._cursors)


def mask_whole(rules: RuleSet, events: Sequence[Any]) -> list[Event]:
    """A stream from its start, sanitized and masked in one pass (what the first frame shows)."""
    masker = ReplayMasker(rules)
    out: list[Event] = []
    for event in events:
        if isinstance(event, dict):
            masked = masker.mask(sanitize_event(event))
            if masked is not None:
                out.append(masked)
    return out
