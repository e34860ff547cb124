"""Accepting a validated beacon: blob first, then the row; acknowledged only when both are durable."""

from __future__ import annotations

from dataclasses import dataclass

from reel.errors import Conflict
from reel.ids import new_id
from reel.ingest.clock_skew import measure_offset, to_server_time
from reel.ingest.envelope import WebBeacon
from reel.processing.beacon_summary import summarise_events
from reel.processing.sessions import BeaconFacts, fold_beacon
from reel.server.context import ReelContext
from reel.storage.chunks import content_digest, encode_events
from reel.storage.keys import beacon_blob_key
from reel.storage.records import Application, Session, SessionKey, StoredBeacon


@dataclass(frozen=True)
class Accepted:
    """The answer to an accepted beacon."""

    seq: int
    duplicate: bool
    session_id: str


def accept_web_beacon(ctx: ReelContext, app: Application, beacon: WebBeacon) -> Accepted:
    """Store one beacon exactly once.

    Order matters for durability: the blob is written (fsynced, renamed) before the row that points to
    it is committed, so a crash leaves at worst an unreferenced blob, never a row without its data.
    An unreferenced blob is invisible: replay data is only ever read through a beacon row's `blob_key`.
    Store errors propagate as StorageUnavailable (503); nothing here answers 2xx after one.
    """
    earlier = ctx.sessions.beacon_session(beacon.recording_id, beacon.seq)
    if earlier is not None:
        return Accepted(beacon.seq, True, earlier)
    now = ctx.clock.now_ms()
    # Claimed before any blob is written: a recording of another app is refused with nothing stored,
    # and the clock offset is the recording's, fixed by its first beacon (reel/ingest/clock_skew.py).
    claim = ctx.sessions.claim_recording(
        app.id, beacon.recording_id, measure_offset(now, beacon.sent_at, beacon.events), now
    )
    if claim.app_id != app.id:
        raise Conflict("recording belongs to another application", field="recording_id")
    events = to_server_time(beacon.events, claim.clock_offset_ms)
    summary = summarise_events(events)
    blob = encode_events(events)
    key = beacon_blob_key(
        retention_days=app.retention_days,
        app_id=app.id,
        recording_id=beacon.recording_id,
        seq=beacon.seq,
        digest=content_digest(blob),
    )
    ctx.blobs.put(key, blob)
    row = StoredBeacon(
        app_id=app.id,
        recording_id=beacon.recording_id,
        seq=beacon.seq,
        session_id="",
        blob_key=key,
        received_at=now,
        first_ts=summary.first_ts,
        last_ts=summary.last_ts,
        events=summary.events,
        stored_bytes=len(blob),
        final=beacon.final,
    )
    session_key = SessionKey(app.id, beacon.recording_id, beacon.session_id)
    facts = BeaconFacts(
        seq=beacon.seq,
        summary=summary,
        received_at=now,
        final=beacon.final,
        platform="web",
        rules_version=beacon.rules_version,
    )
    new_session_id = new_id("ses")

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, session_key, facts, new_session_id)

    result = ctx.sessions.save_beacon(session_key, row, fold)
    return Accepted(beacon.seq, result.duplicate, result.session_id)
