"""Accepting a validated mobile beacon: its images first, then its row and events (one group commit).

The same guarantees as web beacons (reel/ingest/service.py): stored once per (recording, seq), a 2xx
only once everything is durable, a crash at any point leaves at worst image blobs that no row points to.
Each image is its own blob named by its SHA-256 within the recording, so a screen shown again (the
list one returns to, a frame resent by a retry) is stored once, and counted once in `stored_bytes`: a
beacon's row counts the images it stored, not those an earlier beacon of the recording stored.
"""

from __future__ import annotations

from reel.domain.mobile_beacons import summarise_mobile
from reel.domain.records import Application
from reel.errors import BlobNotFound
from reel.ingest.mobile_envelope import MobileBeacon
from reel.ingest.service import Accepted, BeaconToStore, claim_and_shift, earlier_copy, store_beacon
from reel.runtime.context import ReelContext
from reel.storage.keys import image_blob_key

PLATFORM = "mobile"


def accept_mobile_beacon(ctx: ReelContext, app: Application, beacon: MobileBeacon) -> Accepted:
    """Store one mobile beacon exactly once; store errors propagate as StorageUnavailable (503)."""
    earlier = earlier_copy(ctx, app, beacon.recording_id, beacon.seq)
    if earlier is not None:
        return earlier
    now = ctx.clock.now_ms()
    events = claim_and_shift(ctx, app, beacon.recording_id, beacon.sent_at, beacon.events, now)
    image_bytes = 0
    written: list[str] = []
    for image in beacon.images:
        key = image_blob_key(
            retention_days=app.retention_days,
            app_id=app.id,
            recording_id=beacon.recording_id,
            digest=image.digest,
        )
        if _stored(ctx, key):
            continue  # content-addressed: an earlier beacon stored (and counted) these very bytes
        ctx.blobs.put(key, image.data)
        image_bytes += len(image.data)
        written.append(key)
    return store_beacon(
        ctx,
        app,
        BeaconToStore.of(
            beacon,
            PLATFORM,
            events,
            summarise_mobile(events),
            extra_bytes=image_bytes,
            written_keys=tuple(written),
        ),
        now,
    )


def _stored(ctx: ReelContext, key: str) -> bool:
    """True if the image blob is already stored. Blobs become visible only whole (written, fsynced,
    renamed), so one that can be read holds exactly these bytes; reading a repeated screen (tens of KiB)
    costs less than writing and fsyncing it again."""
    try:
        ctx.blobs.get(key)
    except BlobNotFound:
        return False
    return True
