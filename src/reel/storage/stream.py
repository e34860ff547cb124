"""Reading a recording's stream where it is stored: beacons in the buffer (or, for beacons stored before
the buffer existed, in their own blobs), segments compacted into one blob each, keyframes.

Events of a beacon are in stream order: sorted by timestamp, stable (ingest stores them so; older blobs
are sorted when read). Positions in the stream (docs/contracts/storage.md) count events in this order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reel.domain.records import Segment, StoredBeacon
from reel.errors import StorageUnavailable
from reel.jsonio import dumps
from reel.storage.chunks import decode_doc, decode_events_sized
from reel.storage.replay_store import ReplayStore
from reel.storage.segments import SegmentDoc, decode_segment
from reel.storage.session_store import SessionStore

Event = dict[str, Any]


def in_stream_order(events: list[Event]) -> list[Event]:
    """Events sorted by time, stable (a no-op for what ingest stored)."""
    return sorted(events, key=lambda e: e.get("timestamp", 0) if isinstance(e, dict) else 0)


def beacon_events(
    sessions: SessionStore, blobs: ReplayStore, beacons: Sequence[StoredBeacon], *, compacted: bool = False
) -> dict[int, tuple[list[Event], int]]:
    """Each beacon's events in stream order and the size of their JSON, by seq.

    A beacon whose events are neither buffered nor in a blob of its own has been compacted: with
    `compacted` they are read back from its segments (processing a recording again), otherwise it is
    left out (readers read segments). A blob named by a row but absent is a storage fault.
    """
    if not beacons:
        return {}
    rec = beacons[0].recording_id
    buffered = sessions.buffered(rec, [b.seq for b in beacons])
    out: dict[int, tuple[list[Event], int]] = {}
    missing: list[int] = []
    for beacon in beacons:
        payload = buffered.get(beacon.seq)
        if payload is None and beacon.blob_key:
            payload = blobs.get(beacon.blob_key)
        if payload is None:
            missing.append(beacon.seq)
            continue
        events, size = decode_events_sized(payload)
        out[beacon.seq] = (in_stream_order(events), size)
    if compacted and missing:
        out.update(_from_segments(sessions, blobs, rec, missing))
    return out


def _from_segments(
    sessions: SessionStore, blobs: ReplayStore, recording_id: str, seqs: Sequence[int]
) -> dict[int, tuple[list[Event], int]]:
    """The events of compacted beacons, gathered from the segments holding them (a beacon may be cut
    between two), in segment order."""
    wanted = set(seqs)
    found: dict[int, list[Event]] = {}
    for segment in sessions.segments(recording_id):
        if not segment.compacted or not any(segment.holds(s, 0) or s == segment.from_seq for s in wanted):
            continue
        for seq, events in segment_doc(blobs, segment).by_seq().items():
            if seq in wanted:
                found.setdefault(seq, []).extend(events)
    return {seq: (events, len(dumps(events))) for seq, events in found.items()}


def keyframe_events(blobs: ReplayStore, segment: Segment) -> list[Event]:
    """The keyframe a segment starts from ([] for a recording's first segment)."""
    if not segment.keyframe_key:
        return []
    doc = decode_doc(blobs.get(segment.keyframe_key))
    if not isinstance(doc, list):
        raise StorageUnavailable("a stored keyframe is malformed")
    return doc


def segment_doc(blobs: ReplayStore, segment: Segment) -> SegmentDoc:
    """A compacted segment's content."""
    return decode_segment(blobs.get(segment.blob_key))


def segment_slice(segment: Segment, seq: int, events: list[Event]) -> list[Event]:
    """The events of beacon `seq` that belong to `segment` (a beacon may straddle two segments)."""
    start = segment.from_index if seq == segment.from_seq else 0
    end = segment.to_index if segment.to_seq is not None and seq == segment.to_seq else len(events)
    return events[start : end if end is not None else len(events)]


def segment_beacons(segment: Segment, beacons: Sequence[StoredBeacon]) -> list[StoredBeacon]:
    """The beacons holding events of `segment`, by seq."""
    return [
        b
        for b in beacons
        if b.seq >= segment.from_seq
        and (
            segment.to_seq is None
            or b.seq < segment.to_seq
            or (b.seq == segment.to_seq and (segment.to_index or 0) > 0)
        )
    ]


def uncompacted_events(
    sessions: SessionStore, blobs: ReplayStore, segment: Segment, beacons: Sequence[StoredBeacon]
) -> list[tuple[int, Event]]:
    """The events of a segment not compacted yet, read from its beacons, with the seq of each."""
    own = segment_beacons(segment, beacons)
    loaded = beacon_events(sessions, blobs, own)
    out: list[tuple[int, Event]] = []
    for beacon in own:
        found = loaded.get(beacon.seq)
        if found is not None:
            out.extend((beacon.seq, e) for e in segment_slice(segment, beacon.seq, found[0]))
    return out
