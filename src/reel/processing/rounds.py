"""A processing round's I/O: resuming a recording's processor from its last keyframe, and writing what a
round found (checkpoint and keyframe blobs first, then everything else in one transaction)."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from reel.domain.records import (
    Application,
    Lease,
    NewPart,
    ProcessingBatch,
    ProcessingProgress,
    Segment,
    StoredAction,
)
from reel.domain.splits import SplitPolicy
from reel.errors import BlobNotFound
from reel.processing.keyframes import KeyframePolicy
from reel.processing.mobile.platform import MobilePlatform
from reel.processing.platform import Platform
from reel.processing.recording import RecordingProcessor
from reel.processing.web import WebPlatform
from reel.runtime.context import ReelContext
from reel.runtime.metrics import PROCESSING_STATE_MISSING
from reel.storage.chunks import decode_doc, encode_doc
from reel.storage.keys import checkpoint_blob_key, keyframe_blob_key
from reel.storage.stream import keyframe_events, segment_doc, uncompacted_events

log = logging.getLogger("reel.processing")


def new_platform(name: str) -> Platform:
    """The platform half of a processor for 'web' or 'mobile' recordings."""
    return MobilePlatform() if name == "mobile" else WebPlatform()


def resume_processor(
    ctx: ReelContext,
    progress: ProcessingProgress,
    platform: str,
    policy: SplitPolicy,
    keyframes: KeyframePolicy,
    *,
    session_id: str = "",
) -> RecordingProcessor:
    """The processor of a recording where the last round left it: its state from the session store, its
    platform warmed up from the last segment's keyframe and the events after it. A state that is gone
    is counted (reel_processing_state_missing) and logged, naming `session_id`, before starting afresh."""
    rec = progress.recording_id
    state = _state(progress.state)
    processor = RecordingProcessor(rec, new_platform(platform), policy, keyframes, state)
    if state is None and progress.state_key:
        _resume_from_old_state(ctx, processor, progress.state_key, session_id)
        return processor
    if state is None and progress.processed_seq >= 0:
        PROCESSING_STATE_MISSING.labels("state").inc()
        log.warning(
            "recording %s (session %s): processing state missing or unreadable after seq %d; starting afresh",
            rec,
            session_id or "?",
            progress.processed_seq,
        )
    segments = ctx.sessions.segments(rec)
    if state is None or not segments:
        return processor
    last = segments[-1]
    if last.compacted:
        doc = segment_doc(ctx.blobs, last)
        processor.warm([*doc.keyframe, *doc.events])
    else:
        beacons = ctx.sessions.beacons(rec, last.from_seq, progress.processed_seq)
        events = [e for _, e in uncompacted_events(ctx.sessions, ctx.blobs, last, beacons)]
        processor.warm([*keyframe_events(ctx.blobs, last), *events])
    return processor


def _state(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        state = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return state if isinstance(state, dict) else None


def _resume_from_old_state(
    ctx: ReelContext, processor: RecordingProcessor, key: str, session_id: str
) -> None:
    """Processing before version 10 kept a state blob: the DOM (or the screen) as events, and the parts.
    Read it once; the next round writes the new state and opens a segment from that DOM."""
    try:
        old = decode_doc(ctx.blobs.get(key))
    except BlobNotFound:
        PROCESSING_STATE_MISSING.labels("blob").inc()
        log.warning(
            "recording %s (session %s): processing state blob %s is missing; starting afresh",
            processor.recording_id,
            session_id or "?",
            key,
        )
        return
    if not isinstance(old, dict):
        return
    mirror, frames, start = old.get("mirror"), old.get("frames"), old.get("start")
    events: list[Any] = mirror if isinstance(mirror, list) else []
    if old.get("platform") == "mobile":
        events = ([start] if isinstance(start, dict) else []) + (frames if isinstance(frames, list) else [])
    processor.warm([e for e in events if isinstance(e, dict)])
    carried = {k: old.get(k) for k in ("part", "previous")}
    processor._restore({**processor.export_state(), **carried})


def save_round(
    ctx: ReelContext,
    app: Application,
    lease: Lease,
    processor: RecordingProcessor,
    processed_seq: int,
    now: int,
) -> tuple[int, int]:
    """Write what a round found: split checkpoints and keyframes as blobs, then actions, parts, segments
    and the new state in one transaction under `lease`. Returns (actions, splits)."""
    rec = processor.recording_id
    out = processor.take_output()
    parts = []
    for split in out.splits:
        key = checkpoint_blob_key(
            retention_days=app.retention_days, app_id=app.id, recording_id=rec, ts=split.at
        )
        checkpoint = encode_doc(split.checkpoint)
        ctx.blobs.put(key, checkpoint)
        parts.append(
            NewPart(
                split.closed_session_id,
                split.opened.session_id,
                split.opened.part,
                split.at,
                split.url,
                key,
                checkpoint_bytes=len(checkpoint),
                beacons=split.counts.beacons,
                events=split.counts.events,
                beacons_moved=split.counts.beacons_moved,
            )
        )
    opened = []
    for cut in out.cuts:
        key = ""
        if cut.keyframe:
            key = keyframe_blob_key(
                retention_days=app.retention_days, app_id=app.id, recording_id=rec, idx=cut.idx
            )
            ctx.blobs.put(key, encode_doc(cut.keyframe))
        opened.append(Segment(rec, cut.idx, cut.ts, cut.seq, cut.index, key))
    actions = tuple(
        StoredAction(rec, session_id, app.id, a.ts, a.kind, a.url, a.target, a.label, dict(a.data))
        for session_id, a in out.actions
    )
    state = orjson.dumps(processor.export_state()).decode()
    ctx.sessions.save_processing(
        ProcessingBatch(
            rec,
            processed_seq,
            state,
            actions,
            tuple(parts),
            now,
            lease,
            tuple(out.ended),
            tuple(opened),
            tuple(out.idle),
        )
    )
    return len(actions), len(parts)
