"""The mobile beacon body, written the way ingest reads it (docs/contracts/mobile-beacon.md).

    "RLMB" | version (1 byte) | JSON length (u32 BE) | JSON envelope | (image length (u32 BE) | image)*

Images travel as raw bytes after the JSON, not as base64 inside it: base64 would add a third to every
frame, and frames are nearly all of a mobile beacon's bytes (brief §7 P7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

MAGIC = b"RLMB"
VERSION = 1
CONTENT_TYPE = "application/vnd.reel.mobile-beacon"


@dataclass(frozen=True)
class Envelope:
    """What identifies a beacon: its recording, the recorder's session and its number."""

    recording_id: str
    session_id: str
    seq: int
    sent_at: int
    final: bool = False
    rules_version: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def encode_body(envelope: Envelope, events: Sequence[dict[str, Any]], images: Sequence[bytes]) -> bytes:
    """One beacon body: frame events name their image by its index in `images`."""
    doc = {
        "v": 1,
        "recording_id": envelope.recording_id,
        "session_id": envelope.session_id,
        "seq": envelope.seq,
        "sent_at": envelope.sent_at,
        "final": envelope.final,
        "rules_version": envelope.rules_version,
        **envelope.extra,
        "events": list(events),
    }
    meta = orjson.dumps(doc)
    parts = [MAGIC, bytes([VERSION]), len(meta).to_bytes(4, "big"), meta]
    for image in images:
        parts.append(len(image).to_bytes(4, "big"))
        parts.append(image)
    return b"".join(parts)
