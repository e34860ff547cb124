"""Compaction's I/O: each closed segment of a recording written as one blob, in order, under the lease.

Crash-safe at every step: the segment blob is written (durable) first, then one transaction records it
and deletes the buffered payloads it makes redundant, then the keyframe blob it now holds (and an older
copy, when a late beacon was merged in) is deleted. A crash before the transaction leaves an unused blob
(named by content, so the retry writes the same one); after it, at worst a keyframe blob the purge takes
with the recording. A beacon's events are in the buffer or in a compacted segment, never neither.
"""

from __future__ import annotations

import logging

from reel.domain.records import Compacted, Lease, Segment
from reel.processing.compaction import released_seqs
from reel.runtime.context import ReelContext
from reel.storage.chunks import content_digest
from reel.storage.keys import segment_blob_key
from reel.storage.segments import encode_segment, merge_segment
from reel.storage.stream import keyframe_events, segment_doc, uncompacted_events

log = logging.getLogger("reel.processing")


def compact_recording(ctx: ReelContext, lease: Lease) -> int:
    """Compact every closed segment of a recording that needs it; returns how many were written."""
    rec = lease.recording_id
    segments = ctx.sessions.segments(rec)
    if not segments:
        return 0
    buffered = ctx.sessions.buffered_seqs(rec)
    app_id = ctx.sessions.recording_app(rec)
    app = ctx.sessions.application(app_id) if app_id else None
    if app is None:
        return 0
    written = 0
    for segment in segments:
        if segment.to_seq is None:
            break  # the open segment, always the last
        released = released_seqs(buffered, segment.from_seq, segment.to_seq)
        if segment.compacted and not released:
            continue  # compacted, and no beacon arrived late for it since
        existing = segment_doc(ctx.blobs, segment) if segment.compacted else None
        keyframe = [] if existing is not None else keyframe_events(ctx.blobs, segment)
        # Only the segment's own rows: a long recording is never read whole for one segment.
        beacons = ctx.sessions.beacons(rec, segment.from_seq, segment.to_seq)
        in_range = [b for b in beacons if b.seq in set(released)] if existing is not None else beacons
        fresh = uncompacted_events(ctx.sessions, ctx.blobs, segment, in_range)
        doc = merge_segment(keyframe, existing, fresh)
        blob, raw_bytes = encode_segment(doc)
        key = segment_blob_key(
            retention_days=app.retention_days,
            app_id=app.id,
            recording_id=rec,
            idx=segment.idx,
            digest=content_digest(blob),
        )
        ctx.blobs.put(key, blob)
        ctx.sessions.save_compaction(
            lease, Compacted(rec, segment.idx, key, len(doc.events), raw_bytes, len(blob), released)
        )
        _forget(ctx, segment, key)
        written += 1
    return written


def _forget(ctx: ReelContext, segment: Segment, new_key: str) -> None:
    """After the compaction is committed: blobs the segment no longer needs."""
    stale = [k for k in (segment.keyframe_key, segment.blob_key) if k and k != new_key]
    for key in stale:
        ctx.blobs.delete(key)
