"""Reading a mobile session's replay data from the stores: its events (with the split checkpoint of a
later part) and its frame images. Shared by the operator API and `reel export`."""

from __future__ import annotations

import re
from typing import Any

from reel.domain.records import Session
from reel.errors import BadRequest, BlobNotFound
from reel.replay.assemble import windows_of
from reel.replay.reader import read_fresh
from reel.runtime.context import ReelContext
from reel.screen.canvas import ImageLoader
from reel.storage.retention_store import current_prefix, prefixes_of

DIGEST = re.compile(r"[0-9a-f]{64}")


def session_events(ctx: ReelContext, session: Session) -> list[dict[str, Any]]:
    """The session's events by time, a later part's starting with its checkpoint (the screen at its
    start). Mobile events carry no markup and no typed text (ingest rebuilt each from the contract's
    fields) and masking happened on the device: there is nothing to mask again in pixels."""
    events: list[dict[str, Any]] = []
    for n, window in enumerate(windows_of(ctx, session)):
        raw = read_fresh(ctx, session, window)
        if n == 0:
            events.extend(raw.head)
        events.extend(raw.events)
    events.sort(key=lambda e: int(e["timestamp"]))  # stable: a checkpoint's frames keep their order
    return events


def check_digest(digest: str) -> str:
    """The digest if it is 64 lower-case hex digits (the only names images are stored under)."""
    if not DIGEST.fullmatch(digest):
        raise BadRequest("an image is named by the SHA-256 of its bytes, 64 hex digits", field="digest")
    return digest


def image_loader(ctx: ReelContext, session: Session) -> ImageLoader:
    """Loads the session's frame images by digest, from its recording's folders only (so never another
    tenant's): under the application's retention class now, or any class its stored data names."""
    rec = session.recording_id
    keys = [b.blob_key for b in ctx.sessions.beacons(rec)]
    keys += [k for s in ctx.sessions.segments(rec) for k in (s.blob_key, s.keyframe_key)]
    app = ctx.sessions.application(session.app_id)
    prefixes = sorted(
        prefixes_of(keys, rec) | ({current_prefix(app.retention_days, app.id, rec)} if app else set())
    )

    def load(digest: str) -> bytes:
        check_digest(digest)
        for prefix in prefixes:
            try:
                return ctx.blobs.get(f"{prefix}img-{digest}")
            except BlobNotFound:
                continue
        raise BlobNotFound("no such image in this session")

    return load
