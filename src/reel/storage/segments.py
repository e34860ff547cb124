"""How a compacted segment is stored: its keyframe and events in one zstd blob.

Format 3 (written now) holds the segment in columns (reel.storage.columnar) after a magic; format 2
(written before, and still for a segment nested too deep for columns) is version-stamped JSON. Both
are read. Layouts and the measurements behind them: docs/contracts/storage.md "Segment formats".

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
from reel.storage import columnar
from reel.storage.removed_ids import predict_removals, restore_removals

SEGMENT_VERSION = 3
JSON_VERSION = 2
MAGIC = b"RSEG\x03"
"""What a format 3 segment starts with once decompressed (a format 2 one starts with `{`)."""
LEVEL = 19
"""zstd level (bench/stored_bytes.py: on the dashboard, level 19 on columns stores under half of what level
9 on JSON did, for tens of ms of CPU per recorded minute; its default window holds a whole segment)."""


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
    """The stored form of a segment (format 3, or 2 if it nests too deep), and the size of its JSON."""
    seqs = [list(r) for r in doc.seqs]
    raw_size = len(dumps({"v": JSON_VERSION, "keyframe": doc.keyframe, "events": doc.events, "seqs": seqs}))
    (keyframe, events), removed = predict_removals([doc.keyframe, doc.events])
    try:
        body = MAGIC + columnar.encode({"k": keyframe, "e": events, "s": seqs, "r": removed})
    except columnar.TooDeep:
        body = dumps({"v": JSON_VERSION, "keyframe": doc.keyframe, "events": doc.events, "seqs": seqs})
    return zstandard.ZstdCompressor(level=LEVEL).compress(body), raw_size


def decode_segment(blob: bytes) -> SegmentDoc:
    """The segment in a stored blob (format 3 or 2); a blob that does not decode is a storage fault, not
    bad input."""
    try:
        body = zstandard.ZstdDecompressor().decompress(blob)
    except zstandard.ZstdError as exc:
        raise StorageUnavailable(f"a stored segment is unreadable: {exc}") from exc
    if body.startswith(MAGIC):
        try:
            doc = columnar.decode(body[len(MAGIC) :])
            if not isinstance(doc, dict) or not isinstance(doc.get("r"), list):
                raise ValueError("not a segment")
            restore_removals([doc.get("k") or [], doc.get("e") or []], doc["r"])
        except (ValueError, IndexError, StopIteration, KeyError, TypeError) as exc:
            raise StorageUnavailable(f"a stored segment is unreadable: {exc!r}") from exc
        return _checked(doc.get("k"), doc.get("e"), doc.get("s"))
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise StorageUnavailable(f"a stored segment is unreadable: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("v") != JSON_VERSION:
        raise StorageUnavailable("a stored segment has an unknown format version")
    return _checked(doc.get("keyframe"), doc.get("events"), doc.get("seqs"))


def _checked(keyframe: Any, events: Any, seqs: Any) -> SegmentDoc:
    if not isinstance(keyframe, list) or not isinstance(events, list) or not isinstance(seqs, list):
        raise StorageUnavailable("a stored segment is malformed")
    try:
        runs_ = [(int(s), int(n)) for s, n in seqs]
    except (TypeError, ValueError) as exc:
        raise StorageUnavailable("a stored segment's seqs are malformed") from exc
    return SegmentDoc(keyframe, events, runs_)


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
