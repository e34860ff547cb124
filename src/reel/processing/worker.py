"""The I/O edge of processing: reads stored beacons in seq order, runs the pure processor, writes results.

Runs as a background thread in every `reel serve` process. Several processes may run it: a round for a
recording is idempotent (actions are stored once, split parts have derived ids, progress only moves on).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reel.domain.records import NewPart, ProcessingBatch, ProcessingProgress, StoredAction, StoredBeacon
from reel.domain.splits import SplitPolicy
from reel.errors import BlobNotFound, ReelError
from reel.processing.mobile.recording import MobileRecordingProcessor
from reel.processing.recording import BeaconSession, RecordingProcessor
from reel.processing.resources.worker import found_resources, note_resources
from reel.runtime.context import ReelContext
from reel.runtime.metrics import count_store_error
from reel.runtime.periodic import PeriodicTask
from reel.storage.chunks import decode_doc, decode_events, encode_doc
from reel.storage.keys import checkpoint_blob_key, processing_state_key

log = logging.getLogger("reel.processing")

GAP_WAIT_MS = 60_000
"""How long processing waits for a missing beacon before reading past the gap."""
SILENCE_GRACE_MS = 5 * 60 * 1000
"""Beyond the idle timeout, how long a recorder may stay silent before the server closes its session."""


@dataclass(frozen=True)
class RoundResult:
    """What one processing round did."""

    recordings: int
    beacons: int
    actions: int
    splits: int
    closed_silent: int


def _ready_beacons(beacons: list[StoredBeacon], processed_seq: int, now: int) -> list[StoredBeacon]:
    """The beacons after `processed_seq` that can be read now: contiguous, or past a gap given up on."""
    ready: list[StoredBeacon] = []
    expected = processed_seq + 1
    for beacon in beacons:
        if beacon.seq < expected:
            continue
        if beacon.seq != expected and now - beacon.received_at < GAP_WAIT_MS:
            break  # a missing beacon may still arrive; wait for it a while
        ready.append(beacon)
        expected = beacon.seq + 1
    return ready


def _load_state(ctx: ReelContext, key: str) -> dict[str, Any] | None:
    if not key:
        return None
    try:
        state = decode_doc(ctx.blobs.get(key))
    except BlobNotFound:
        return None
    return state if isinstance(state, dict) else None


def process_recording(
    ctx: ReelContext, progress: ProcessingProgress, policy: SplitPolicy
) -> tuple[int, int, int]:
    """One round for one recording; returns (beacons read, actions found, splits made)."""
    now = ctx.clock.now_ms()
    rec = progress.recording_id
    ready = _ready_beacons(ctx.sessions.beacons(rec), progress.processed_seq, now)
    if not ready:
        return (0, 0, 0)
    app = ctx.sessions.application(ready[0].app_id)
    if app is None:
        return (0, 0, 0)
    state = _load_state(ctx, progress.state_key)
    first = ctx.sessions.session(ready[0].session_id)
    processor: RecordingProcessor | MobileRecordingProcessor = (
        MobileRecordingProcessor(rec, policy, state)
        if first is not None and first.platform == "mobile"
        else RecordingProcessor(rec, policy, state)
    )
    sessions: dict[str, BeaconSession] = {}
    resources: dict[str, None] = {}
    for beacon in ready:
        if beacon.session_id not in sessions:
            s = ctx.sessions.session(beacon.session_id)
            if s is None:
                continue
            sessions[s.id] = BeaconSession(s.id, s.client_session_id, s.part, s.start)
        events = decode_events(ctx.blobs.get(beacon.blob_key))
        processor.feed_beacon(sessions[beacon.session_id], events)
        resources.update(dict.fromkeys(found_resources(events)))
    out = processor.take_output()
    note_resources(ctx, app.id, rec, list(resources))  # captured off this path, by the resource worker
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
            )
        )
    last_seq = ready[-1].seq
    state_key = processing_state_key(
        retention_days=app.retention_days, app_id=app.id, recording_id=rec, seq=last_seq
    )
    ctx.blobs.put(state_key, encode_doc(processor.export_state()))
    actions = tuple(
        StoredAction(rec, session_id, app.id, a.ts, a.kind, a.url, a.target, a.label, dict(a.data))
        for session_id, a in out.actions
    )
    ctx.sessions.save_processing(ProcessingBatch(rec, last_seq, state_key, actions, tuple(parts), now))
    if progress.state_key and progress.state_key != state_key:
        ctx.blobs.delete(progress.state_key)  # only after the new state is committed
    return (len(ready), len(actions), len(parts))


def process_pending(ctx: ReelContext, policy: SplitPolicy | None = None, *, limit: int = 100) -> RoundResult:
    """Process every recording with unread beacons once, and close sessions whose recorder went silent."""
    policy = policy or SplitPolicy(
        ctx.settings.sessions.split_after_actions, ctx.settings.sessions.split_after_ms
    )
    totals = [0, 0, 0, 0]
    for progress in ctx.sessions.pending_processing(limit):
        try:
            b, a, s = process_recording(ctx, progress, policy)
        except ReelError as exc:
            count_store_error("processing", exc)
            # One recording that cannot be processed now must not hold up the others.
            log.warning("processing recording %s failed: %s", progress.recording_id, exc.message)
            continue
        if b:
            totals[0] += 1
        totals[1] += b
        totals[2] += a
        totals[3] += s
    now = ctx.clock.now_ms()
    silent_before = now - ctx.settings.sessions.idle_timeout_ms - SILENCE_GRACE_MS
    closed = ctx.sessions.close_silent_sessions(silent_before, now)
    return RoundResult(totals[0], totals[1], totals[2], totals[3], closed)


class BackgroundProcessing(PeriodicTask):
    """Runs `process_pending` every `interval_s` on a daemon thread until stopped."""

    def __init__(self, ctx: ReelContext, interval_s: float = 1.0) -> None:
        def work(_stopping: Callable[[], bool]) -> bool:
            process_pending(ctx)
            return False

        super().__init__("reel-processing", work, interval_s, log)
