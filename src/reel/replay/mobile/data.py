"""Reading a mobile session's replay data from the stores: its events (with the split checkpoint of a
later part) and its frame images. Shared by the operator API and `reel export`."""

from __future__ import annotations

import re
from typing import Any

from reel.domain.records import Session
from reel.errors import BadRequest, BlobNotFound
from reel.replay.index import part_window, session_beacons
from reel.screen.canvas import ImageLoader
from reel.storage.chunks import decode_doc, decode_events
from reel.storage.replay_store import ReplayStore
from reel.storage.session_store import SessionStore

DIGEST = re.compile(r"[0-9a-f]{64}")


def session_events(
    sessions: SessionStore,
    blobs: ReplayStore,
    session: Session,
    from_seq: int = 0,
    to_seq: int | None = None,
) -> list[dict[str, Any]]:
    """The session's events by time (those of beacons `from_seq`..`to_seq`), a later part's starting
    with its checkpoint (the screen at its start)."""
    parts = sessions.session_parts(session.app_id, session.recording_id, session.client_session_id)
    part_ids = frozenset(p.id for p in parts) or frozenset({session.id})
    window = part_window(session)
    events: list[dict[str, Any]] = []
    beacons = session_beacons(session, sessions.beacons(session.recording_id), part_ids)
    if session.part > 1 and beacons and from_seq <= beacons[0].seq:
        checkpoint = sessions.checkpoint(session.recording_id, session.start)
        if checkpoint is not None:
            state = decode_doc(blobs.get(checkpoint.blob_key))
            if isinstance(state, list):
                events.extend(e for e in state if isinstance(e, dict))
    for beacon in beacons:
        if beacon.seq < from_seq or (to_seq is not None and beacon.seq > to_seq):
            continue
        events.extend(e for e in decode_events(blobs.get(beacon.blob_key)) if window.holds(e["timestamp"]))
    events.sort(key=lambda e: int(e["timestamp"]))  # stable: a checkpoint's frames keep their order
    return events


def check_digest(digest: str) -> str:
    """The digest if it is 64 lower-case hex digits (the only names images are stored under)."""
    if not DIGEST.fullmatch(digest):
        raise BadRequest("an image is named by the SHA-256 of its bytes, 64 hex digits", field="digest")
    return digest


def image_loader(sessions: SessionStore, blobs: ReplayStore, session: Session) -> ImageLoader:
    """Loads the session's frame images by digest, from its recording's folder only (so never another
    tenant's). The folder is where the recording's beacons are; it moves only if retention changed."""
    prefixes = sorted({b.blob_key.rsplit("/", 1)[0] + "/" for b in sessions.beacons(session.recording_id)})

    def load(digest: str) -> bytes:
        check_digest(digest)
        for prefix in prefixes:
            try:
                return blobs.get(f"{prefix}img-{digest}")
            except BlobNotFound:
                continue
        raise BlobNotFound("no such image in this session")

    return load
