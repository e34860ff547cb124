"""How replay events are stored in a blob: version-stamped JSON, zstd-compressed."""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from collections.abc import Sequence
from typing import Any

import orjson
import zstandard

from reel.errors import StorageUnavailable
from reel.jsonio import dumps

CHUNK_VERSION = 1
BODY_PREFIX = b"reel-body-1\n"
"""Starts a web beacon's body stored as received (`encode_beacon_body`): its events on the client's
clock, in time order, and the recording's clock offset, applied as they are decoded."""
_OFFSET_BYTES = 8
_GZIP_MAGIC = b"\x1f\x8b"
# The buffer holds a beacon's events only until compaction writes them into a segment, compressed
# harder there (reel/storage/segments.py): here speed counts. Measured on the ingest bench's beacons
# (~9 KB of event JSON), on a loaded 2-core machine: level 1 0.1-0.2 ms and 1.60 KB each, level 6
# 0.8-1.1 ms and 1.43 KB. A compressor is made once per thread (one is not safe to share between threads).
_LEVEL = 1
_compressors = threading.local()


def encode_events(events: Sequence[dict[str, Any]]) -> bytes:
    """The stored form of a batch of events (a beacon's, in the buffer)."""
    return _compress(dumps({"v": CHUNK_VERSION, "events": list(events)}))


def encode_beacon_body(body: bytes, gzip_body: bytes | None, clock_offset_ms: int) -> bytes:
    """The stored form of a web beacon kept as received (reel/ingest/raw_beacon.py): its JSON `body`,
    checked by ingest, events in time order on the client's clock — as sent when it came gzip-compressed
    (`gzip_body`), else compressed here. Readers move each event's time by `clock_offset_ms` as
    `to_server_time` would have."""
    offset = clock_offset_ms.to_bytes(_OFFSET_BYTES, "big", signed=True)
    return BODY_PREFIX + offset + (gzip_body if gzip_body is not None else _compress(body))


def _compress(doc: bytes) -> bytes:
    compressor: zstandard.ZstdCompressor | None = getattr(_compressors, "events", None)
    if compressor is None:
        compressor = _compressors.events = zstandard.ZstdCompressor(level=_LEVEL)
    return compressor.compress(doc)


def decode_events(blob: bytes) -> list[dict[str, Any]]:
    """The events of a stored blob; a blob that does not decode is a storage fault, not bad input."""
    return decode_events_sized(blob)[0]


def decode_events_sized(blob: bytes) -> tuple[list[dict[str, Any]], int]:
    """The events of a stored blob and the size of their JSON."""
    offset = 0
    as_received = blob.startswith(BODY_PREFIX)
    try:
        if as_received:
            start = len(BODY_PREFIX) + _OFFSET_BYTES
            offset = int.from_bytes(blob[len(BODY_PREFIX) : start], "big", signed=True)
            blob = blob[start:]
        if blob.startswith(_GZIP_MAGIC):
            raw = zlib.decompress(blob, 16 + zlib.MAX_WBITS)
        else:
            raw = zstandard.ZstdDecompressor().decompress(blob)
        doc = _loads(raw)
    except (zlib.error, zstandard.ZstdError) as exc:
        raise StorageUnavailable(f"stored replay data is unreadable: {exc}") from exc
    version_ok = as_received or (isinstance(doc, dict) and doc.get("v") == CHUNK_VERSION)
    if not version_ok or not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise StorageUnavailable("stored replay data has an unknown format version")
    events: list[dict[str, Any]] = doc["events"]
    if offset:
        for event in events:
            event["timestamp"] = max(1, event["timestamp"] + offset)
    return events, len(raw)


def _loads(raw: bytes) -> Any:
    """Stored JSON as orjson reads it. A body stored as received was checked by ingest without building
    what it skips (reel/ingest/raw_beacon.py), so it may hold a number orjson refuses though JSON allows
    it (past a double's range, 1e400: no browser writes one); the standard library reads such a body, the
    number as infinity, a long integer as a float as orjson would."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            return json.loads(raw, parse_int=_int_as_orjson)
        except (ValueError, RecursionError) as exc:
            raise StorageUnavailable(f"stored replay data is unreadable: {exc}") from exc


def _int_as_orjson(text: str) -> int | float:
    if len(text) <= 20 and -(2**63) <= (number := int(text)) < 2**64:
        return number
    return float(text)


def content_digest(data: bytes) -> str:
    """A short hex digest naming a blob's content."""
    return hashlib.sha256(data).hexdigest()[:20]


def encode_doc(doc: object) -> bytes:
    """A JSON document (a checkpoint, processing state) in its stored form."""
    return zstandard.ZstdCompressor(level=3).compress(dumps(doc))


def decode_doc(blob: bytes) -> Any:
    """The JSON document of a blob written by `encode_doc`."""
    try:
        return orjson.loads(zstandard.ZstdDecompressor().decompress(blob))
    except (zstandard.ZstdError, orjson.JSONDecodeError) as exc:
        raise StorageUnavailable(f"stored document is unreadable: {exc}") from exc
