"""Stored segments measured both ways: as Reel's code writes them now and as segment format 2 (JSON, zstd
level 9) wrote them, in the same run, with the CPU time of encoding and decoding each.

Both are encoded afresh from the segments' content, whatever format the files on disk are in (a cached
recording may have been compacted by an older Reel), so `disk_bytes` is kept apart."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson
import zstandard

from reel.storage.segments import SEGMENT_VERSION, SegmentDoc, decode_segment, encode_segment

FORMAT_2_LEVEL = 9


@dataclass(frozen=True)
class FormatFigures:
    """Bytes and CPU seconds of a recording's segments, now and in format 2."""

    segments: int
    current_version: int
    disk_bytes: int
    current_bytes: int
    format_2_bytes: int
    encode_s: float
    format_2_encode_s: float
    decode_ms: float
    format_2_decode_ms: float


def encode_format_2(doc: SegmentDoc) -> bytes:
    """A segment as segment format 2 stored it."""
    raw = orjson.dumps(
        {"v": 2, "keyframe": doc.keyframe, "events": doc.events, "seqs": [list(r) for r in doc.seqs]}
    )
    return zstandard.ZstdCompressor(level=FORMAT_2_LEVEL).compress(raw)


def _timed_encode(doc: SegmentDoc) -> tuple[int, float, float, float]:
    """Bytes now, bytes in format 2, and CPU seconds to encode each."""
    t0 = time.process_time()
    blob, _raw = encode_segment(doc)
    t1 = time.process_time()
    old = encode_format_2(doc)
    t2 = time.process_time()
    return len(blob), len(old), t1 - t0, t2 - t1


def _decode_s(blob: bytes) -> float:
    """CPU seconds to decode a segment blob, best of 3."""
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        decode_segment(blob)
        best = min(best, time.process_time() - t0)
    return best


def format_figures(files: Sequence[Path]) -> FormatFigures:
    """Re-encode every segment blob among `files` both ways; decode both (best of 3 per segment)."""
    blobs = [p.read_bytes() for p in files if p.name.startswith("seg-")]
    docs = [decode_segment(b) for b in blobs]
    now_bytes = old_bytes = 0
    enc = old_enc = dec = old_dec = 0.0
    for doc in docs:
        size, old_size, t, t_old = _timed_encode(doc)
        now_bytes, old_bytes, enc, old_enc = now_bytes + size, old_bytes + old_size, enc + t, old_enc + t_old
        dec += _decode_s(encode_segment(doc)[0])
        old_dec += _decode_s(encode_format_2(doc))
    n = max(1, len(docs))
    return FormatFigures(
        len(docs),
        SEGMENT_VERSION,
        sum(map(len, blobs)),
        now_bytes,
        old_bytes,
        enc,
        old_enc,
        dec / n * 1e3,
        old_dec / n * 1e3,
    )
