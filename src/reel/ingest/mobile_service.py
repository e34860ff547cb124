"""Accepting a validated mobile beacon: images first, then the beacon blob, then the row.

The same guarantees as web beacons (reel/ingest/service.py): stored once per (recording, seq), a 2xx
only once everything is durable, a crash at any point leaves at worst blobs that no row points to.
Each image is its own blob named by its SHA-256 within the recording, so a screen shown again (the
list one returns to, a frame resent by a retry) is stored once.
"""

from __future__ import annotations

from reel.errors import Conflict
from reel.ids import new_id
from reel.ingest.clock_skew import measure_offset, to_server_time
from reel.ingest.mobile_envelope import MobileBeacon
from reel.ingest.service import Accepted
from reel.processing.mobile.summary import summarise_mobile
from reel.processing.sessions import BeaconFacts, fold_beacon
from reel.server.context import ReelContext
from reel.storage.chunks import content_digest, encode_events
from reel.storage.keys import beacon_blob_key, image_blob_key
from reel.storage.records import Application, Session, SessionKey, StoredBeacon

PLATFORM = "mobile"


def accept_mobile_beacon(ctx: ReelContext, app: Application, beacon: MobileBeacon) -> Accepted:
    """Store one mobile beacon exactly once; store errors propagate as StorageUnavailable (503)."""
    earlier = ctx.sessions.beacon_session(beacon.recording_id, beacon.seq)
    if earlier is not None:
        return Accepted(beacon.seq, True, earlier)
    now = ctx.clock.now_ms()
    claim = ctx.sessions.claim_recording(
        app.id, beacon.recording_id, measure_offset(now, beacon.sent_at, beacon.events), now
    )
    if claim.app_id != app.id:
        raise Conflict("recording belongs to another application", field="recording_id")
    events = to_server_time(beacon.events, claim.clock_offset_ms)
    image_bytes = 0
    for image in beacon.images:
        key = image_blob_key(
            retention_days=app.retention_days,
            app_id=app.id,
            recording_id=beacon.recording_id,
            digest=image.digest,
        )
        ctx.blobs.put(key, image.data)  # content-addressed: writing it again changes nothing
        image_bytes += len(image.data)
    summary = summarise_mobile(events)
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
        stored_bytes=len(blob) + image_bytes,
        final=beacon.final,
    )
    session_key = SessionKey(app.id, beacon.recording_id, beacon.session_id)
    facts = BeaconFacts(
        seq=beacon.seq,
        summary=summary,
        received_at=now,
        final=beacon.final,
        platform=PLATFORM,
        rules_version=beacon.rules_version,
    )
    new_session_id = new_id("ses")

    def fold(current: Session | None) -> Session:
        return fold_beacon(current, session_key, facts, new_session_id)

    result = ctx.sessions.save_beacon(session_key, row, fold)
    return Accepted(beacon.seq, result.duplicate, result.session_id)
