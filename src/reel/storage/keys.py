"""Blob keys: one pure function decides where every piece of replay data lives."""

from __future__ import annotations

import re

from reel.errors import BadRequest

_SAFE = re.compile(r"[A-Za-z0-9_-]{1,80}")
_BLOB_KEY = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*")


def is_blob_key(key: str) -> bool:
    """Whether every replay store accepts `key`: `/`-separated segments of `A-Za-z0-9_.-`, never `..`.

    Keys come from the functions below, but a store never trusts one to stay inside its root or prefix.
    """
    return _BLOB_KEY.fullmatch(key) is not None and ".." not in key


def retention_class(days: int) -> str:
    """The key prefix for a retention period, e.g. 'r30d', so object-store lifecycle rules can expire it."""
    return f"r{int(days)}d"


def _segment(value: str, what: str) -> str:
    # Ids are validated at ingest already; this is the last line against a path escaping its folder.
    if not _SAFE.fullmatch(value):
        raise BadRequest(f"{what} is not a valid key segment")
    return value


def beacon_blob_key(*, retention_days: int, app_id: str, recording_id: str, seq: int, digest: str) -> str:
    """Key of one beacon's events: `{retention}/{app}/{recording}/{seq:010d}-{digest}`.

    The content digest in the name means two different bodies claiming the same seq never overwrite
    each other; the session store's row says which one was acknowledged.
    """
    if seq < 0:
        raise BadRequest("seq must be >= 0")
    return "/".join(
        (
            retention_class(retention_days),
            _segment(app_id, "app id"),
            _segment(recording_id, "recording id"),
            f"{seq:010d}-{_segment(digest, 'digest')}",
        )
    )


def recording_prefix(*, retention_days: int, app_id: str, recording_id: str) -> str:
    """The prefix holding every blob of one recording (for deletion)."""
    return (
        "/".join(
            (
                retention_class(retention_days),
                _segment(app_id, "app id"),
                _segment(recording_id, "recording id"),
            )
        )
        + "/"
    )


def checkpoint_blob_key(*, retention_days: int, app_id: str, recording_id: str, ts: int) -> str:
    """Key of the DOM state of a recording at `ts` (a split start)."""
    return recording_prefix(retention_days=retention_days, app_id=app_id, recording_id=recording_id) + (
        f"cp-{int(ts):015d}"
    )


def keyframe_blob_key(*, retention_days: int, app_id: str, recording_id: str, idx: int) -> str:
    """Key of the keyframe segment `idx` of a recording starts from (until the segment is compacted)."""
    return recording_prefix(retention_days=retention_days, app_id=app_id, recording_id=recording_id) + (
        f"kf-{int(idx):06d}"
    )


def segment_blob_key(*, retention_days: int, app_id: str, recording_id: str, idx: int, digest: str) -> str:
    """Key of compacted segment `idx` of a recording; named by content, so writing a segment again (a late
    beacon merged in) never overwrites the copy readers may be using."""
    return recording_prefix(retention_days=retention_days, app_id=app_id, recording_id=recording_id) + (
        f"seg-{int(idx):06d}-{_segment(digest, 'digest')}"
    )


MASKED_PREFIX = "msk-"
"""Masked copies of compacted segments (reel.replay.kept): derived data, made again whenever missing."""


def masked_segment_key(segment_key: str, idx: int, name: str) -> str:
    """Key of a masked copy of compacted segment `idx` (stored under `segment_key`), beside it in its
    recording's folder, so deleting the recording deletes it too: `msk-{idx:06d}-{name}`. `name` says
    which segment blob, rules version and masking code it was made from (reel.replay.kept)."""
    folder, _, _ = segment_key.rpartition("/")
    if not folder or not is_blob_key(segment_key):
        raise BadRequest("not a segment key")
    return f"{folder}/{masked_segment_prefix(idx)}{_segment(name, 'masked segment name')}"


def masked_segment_prefix(idx: int) -> str:
    """The name every masked copy of segment `idx` starts with, inside its recording's folder."""
    return f"{MASKED_PREFIX}{int(idx):06d}-"


def processing_state_key(*, retention_days: int, app_id: str, recording_id: str, seq: int) -> str:
    """Key of processing's resumable state after beacon `seq` of a recording."""
    return recording_prefix(retention_days=retention_days, app_id=app_id, recording_id=recording_id) + (
        f"state-{int(seq):010d}"
    )


def image_blob_key(*, retention_days: int, app_id: str, recording_id: str, digest: str) -> str:
    """Key of one mobile frame image: `{retention}/{app}/{recording}/img-{sha256}`.

    Named by content within its recording, so a screen shown again is stored once, and the image still
    goes with the recording's prefix when the recording is deleted.
    """
    return recording_prefix(retention_days=retention_days, app_id=app_id, recording_id=recording_id) + (
        "img-" + _segment(digest, "image digest")
    )


RESOURCE_PREFIX = "resources/"
"""Captured resources (brief §3.4) are shared by every recording and application, so they live outside
the retention classes; the purge deletes them once no recording references them (ResourceRefs)."""


def resource_blob_key(digest: str) -> str:
    """Key of one captured resource: `resources/{sha256}`."""
    return RESOURCE_PREFIX + _segment(digest, "resource digest")
