"""How a compacted segment is stored: its keyframe and events in one zstd blob (version-stamped JSON).

`seqs` says which beacon each event came from, as runs `[seq, count]` in stream order, so a beacon that
arrives after its segment was compacted can be merged in at its place (reel.processing.compaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import zstandard

from reel.errors import StorageUnavailable
from reel.jsonio import dumps

SEGMENT_VERSION = 2
LEVEL = 9
"""zstd level for segments (docs/storage.md "Segment compression": measured on the dashboard workload)."""


@dataclass(frozen=True)
class SegmentDoc:
    """A segment's content: the keyframe, then its events in stream order, and where each came from."""

    keyframe: list[dict[str, Any]]
    events: list[dict[str, Any]]
    seqs: list[tuple[int, int]]

    def by_seq(self) -> dict[int, list[dict[str, Any]]]:
        """The events of each beacon, in order."""
        out: dict[int, list[dict[str, Any]]] = {}
        at = 0
        for seq, count in self.seqs:
            out.setdefault(seq, []).extend(self.events[at : at + count])
            at += count
        return out


def encode_segment(doc: SegmentDoc) -> tuple[bytes, int]:
    """The stored form of a segment, and the size of its JSON before compression."""
    raw = dumps(
        {
            "v": SEGMENT_VERSION,
            "keyframe": doc.keyframe,
            "events": doc.events,
            "seqs": [list(r) for r in doc.seqs],
        }
    )
    return zstandard.ZstdCompressor(level=LEVEL).compress(raw), len(raw)


def decode_segment(blob: bytes) -> SegmentDoc:
    """The segment in a stored blob; a blob that does not decode is a storage fault, not bad input."""
    try:
        doc = orjson.loads(zstandard.ZstdDecompressor().decompress(blob))
    except (zstandard.ZstdError, orjson.JSONDecodeError) as exc:
        raise StorageUnavailable(f"a stored segment is unreadable: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("v") != SEGMENT_VERSION:
        raise StorageUnavailable("a stored segment has an unknown format version")
    keyframe, events, seqs = doc.get("keyframe"), doc.get("events"), doc.get("seqs")
    if not isinstance(keyframe, list) or not isinstance(events, list) or not isinstance(seqs, list):
        raise StorageUnavailable("a stored segment is malformed")
    return SegmentDoc(keyframe, events, [(int(s), int(n)) for s, n in seqs])


def runs(seqs: Sequence[int]) -> list[tuple[int, int]]:
    """`[seq, count]` runs of a per-event list of seqs."""
    out: list[tuple[int, int]] = []
    for seq in seqs:
        if out and out[-1][0] == seq:
            out[-1] = (seq, out[-1][1] + 1)
        else:
            out.append((seq, 1))
    return out


def merge_segment(
    keyframe: list[dict[str, Any]], existing: SegmentDoc | None, fresh: Sequence[tuple[int, dict[str, Any]]]
) -> SegmentDoc:
    """The segment's content: `existing` (a compacted version, or None) with `fresh` events merged in by
    seq; a beacon already in `existing` is never added twice."""
    by_seq: dict[int, list[dict[str, Any]]] = existing.by_seq() if existing is not None else {}
    known = set(by_seq)
    for seq, event in fresh:
        if seq not in known:
            by_seq.setdefault(seq, []).append(event)
    order: list[int] = []
    events: list[dict[str, Any]] = []
    for seq in sorted(by_seq):
        events.extend(by_seq[seq])
        order.extend([seq] * len(by_seq[seq]))
    return SegmentDoc(existing.keyframe if existing is not None else keyframe, events, runs(order))
