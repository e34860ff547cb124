"""How replay events are stored in a blob: version-stamped JSON, zstd-compressed."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import Any

import orjson
import zstandard

from reel.errors import StorageUnavailable
from reel.jsonio import dumps

CHUNK_VERSION = 1
# The buffer holds a beacon's events only until compaction writes them into a segment, compressed
# harder there (reel/storage/segments.py): here speed counts. Measured on the ingest bench's beacons
# (~9 KB of event JSON), on a loaded 2-core machine: level 1 0.1-0.2 ms and 1.60 KB each, level 6
# 0.8-1.1 ms and 1.43 KB. A compressor is made once per thread (one is not safe to share between threads).
_LEVEL = 1
_compressors = threading.local()


def encode_events(events: Sequence[dict[str, Any]]) -> bytes:
    """The stored form of a batch of events (a beacon's, in the buffer)."""
    doc = dumps({"v": CHUNK_VERSION, "events": list(events)})
    compressor: zstandard.ZstdCompressor | None = getattr(_compressors, "events", None)
    if compressor is None:
        compressor = _compressors.events = zstandard.ZstdCompressor(level=_LEVEL)
    return compressor.compress(doc)


def decode_events(blob: bytes) -> list[dict[str, Any]]:
    """The events of a stored blob; a blob that does not decode is a storage fault, not bad input."""
    return decode_events_sized(blob)[0]


def decode_events_sized(blob: bytes) -> tuple[list[dict[str, Any]], int]:
    """The events of a stored blob and the size of their JSON."""
    try:
        raw = zstandard.ZstdDecompressor().decompress(blob)
        doc = orjson.loads(raw)
    except (zstandard.ZstdError, orjson.JSONDecodeError) as exc:
        raise StorageUnavailable(f"stored replay data is unreadable: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("v") != CHUNK_VERSION or not isinstance(doc.get("events"), list):
        raise StorageUnavailable("stored replay data has an unknown format version")
    events: list[dict[str, Any]] = doc["events"]
    return events, len(raw)


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
