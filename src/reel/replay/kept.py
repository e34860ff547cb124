"""Masked segments kept in the replay store, so the first open after a restart reads them instead of
masking again (issue 11: "a masked segment may be cached per rules version, never served after a rule
change").

A kept copy is a window that plays a whole compacted segment from its keyframe, made safe, masked and
pointed at Reel's copies of its resources, exactly as `reel.replay.assemble` builds it. Its key names the
segment blob it was made from (a late beacon merged in writes a new blob), the application's rules
version (saving rules makes a new one) and the masking code (an upgrade that masks differently never
reads an older copy): a copy is only ever read for the same inputs. The resource copies it points at may
change as the resource worker captures more; the copy lists every URL it looked up and what it found,
and is used only while each still finds the same. Copies are derived data: not counted in an
application's `stored_bytes`, made again whenever missing or unreadable, replaced when a newer one of the
same segment is written, and deleted with their recording (they live in its folder).

Blob layout (docs/contracts/storage.md "Masked segment copies"): zstd of `LOOKED_UP \\n HEAD \\n EVENTS`,
three compact JSON documents (compact JSON holds no raw newline).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping

import orjson
import zstandard

from reel.domain.records import Segment
from reel.errors import BlobNotFound, ReelError
from reel.replay.rewrite import still_resolves
from reel.replay.windows import Window
from reel.runtime.context import ReelContext
from reel.runtime.metrics import count_store_error
from reel.storage.keys import masked_segment_key, masked_segment_prefix

log = logging.getLogger("reel.replay")

MASKING_CODE = "1"
"""Bump when replay masking, sanitising or URL rewriting changes what it writes for the same input: kept
copies made by the older code are then never read (and are replaced as segments are read again)."""
LEVEL = 3
"""zstd level of a kept copy: on a 5-minute dashboard segment (1.2 MB of masked JSON) level 3 writes 148 KB
in ~10 ms, level 6 132 KB in ~4x the time, level 19 103 KB in seconds (docs/contracts/storage.md)."""


def kept_key(segment: Segment, rules_version: int) -> str:
    """Where the copy of `segment` masked under `rules_version` is kept."""
    made_from = f"{segment.blob_key}\n{rules_version}\n{MASKING_CODE}".encode()
    name = f"r{int(rules_version)}-{hashlib.sha256(made_from).hexdigest()[:24]}"
    return masked_segment_key(segment.blob_key, segment.idx, name)


def keepable(window: Window, segment: Segment | None, late: tuple[int, ...]) -> bool:
    """True if `window` plays all of a compacted segment from its keyframe, with no beacon merged in
    at read time: the same masked window for every session that plays it, so it may be kept."""
    return (
        segment is not None
        and segment.compacted
        and not late
        and window.head == "keyframe"
        and window.start == segment.start_ts
        and window.end == segment.end_ts
    )


def read_kept(ctx: ReelContext, key: str, captured: Mapping[str, str]) -> tuple[bytes, bytes] | None:
    """The head and events kept under `key`, or None when there is no usable copy (absent, unreadable,
    or made before a capture that changes where one of its URLs points)."""
    try:
        blob = ctx.blobs.get(key)
    except BlobNotFound:
        return None
    try:
        looked_up_json, head, events = zstandard.ZstdDecompressor().decompress(blob).split(b"\n", 2)
        looked_up = orjson.loads(looked_up_json)
    except (zstandard.ZstdError, ValueError) as exc:
        log.warning("kept masked segment %s is unreadable (%s): masking it again", key, exc)
        return None
    if not isinstance(looked_up, dict) or not still_resolves(looked_up, captured):
        return None
    return head, events


def keep(
    ctx: ReelContext, key: str, idx: int, head: bytes, events: bytes, looked_up: Mapping[str, str | None]
) -> None:
    """Write a copy under `key`, then delete the older copies of the same segment. A failure is logged
    and the copy left out: serving the window never depends on keeping it."""
    blob = zstandard.ZstdCompressor(level=LEVEL).compress(
        b"\n".join((orjson.dumps(dict(looked_up)), head, events))
    )
    folder = key.rpartition("/")[0] + "/"
    try:
        ctx.blobs.put(key, blob)
        older = [k for k in ctx.blobs.keys(folder + masked_segment_prefix(idx)) if k != key]
        for stale in older:
            ctx.blobs.delete(stale)
    except ReelError as exc:
        count_store_error("kept_segment", exc)
        log.warning("could not keep masked segment %s: %s", key, exc.message)
