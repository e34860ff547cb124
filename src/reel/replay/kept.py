"""Masked segments kept in the replay store as the segment endpoint's answer, compressed, so a seek is
answered by sending stored bytes (issue 11: "a masked segment may be cached per rules version, never
served after a rule change").

A kept copy is a window that reads a compacted segment alone (no late beacon merged in), made safe,
masked and pointed at Reel's copies of its resources, exactly as `reel.replay.assemble` builds it: a
whole segment from its keyframe, or the part of one a split cuts (from the part's checkpoint, or up to
the split). Its key names every input: the segment blob (a late beacon merged in writes a new blob), the
window's bounds and head (with the checkpoint it starts from), the application's rules version (saving
rules makes a new one) and the masking code (an upgrade that masks differently never reads an older
copy): a copy is only ever read for the same inputs. The resource copies it points at may change as the
resource worker captures more; the copy lists every URL it looked up and what it found, outside the
answer, and is used only while each still finds the same. Copies are derived data: not counted in an
application's `stored_bytes`, made again whenever missing or unreadable, replaced when a newer one of
the same window is written, and deleted with their recording (they live in its folder).

Blob layout (docs/contracts/storage.md "Masked segment copies"): one line of compact JSON (the URLs
looked up, the length of the first frame), then two zstd frames: the answer up to the end of its head,
then the rest. Concatenated zstd frames are one zstd stream, so the two frames are the answer's body as
`Content-Encoding: zstd`; the first swapped for a tiny frame with an empty head is the `?head=false`
answer.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

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

MASKING_CODE = "2"
"""Bump when replay masking, sanitising, URL rewriting or the kept layout changes what is written for
the same input: kept copies made by the older code are then never read (and are replaced as segments
are read again). 2: the copy is the segment endpoint's answer as two zstd frames."""
LEVEL = 3
"""zstd level of a copy made on a request path: a 5-minute dashboard segment (1.2 MB of masked JSON) in
~10 ms (148 KB); level 6 writes 132 KB in ~4x the time, level 19 103 KB in seconds."""
WARM_LEVEL = 15
"""zstd level of a copy made in the background after compaction (reel.replay.warming): nobody waits
for it, and it is read far more often than written (copies 30.5 -> 23.8 KB per recorded minute on the
8-hour dashboard, against level 3)."""


@dataclass(frozen=True)
class WindowInputs:
    """What a kept window is made from, besides the rules version: equal inputs, equal answers."""

    segment: Segment
    window: Window
    checkpoint: str = ""
    """The checkpoint blob (key and size) a window cut at a part's start begins with, '' otherwise."""


def keepable(window: Window, segment: Segment | None, late: tuple[int, ...]) -> bool:
    """True if `window` reads a closed, compacted segment alone, with no beacon merged in at read time:
    the same masked window for every session that plays it, so it may be kept."""
    return (
        segment is not None
        and segment.compacted
        and segment.end_ts is not None
        and window.end is not None
        and not late
        and window.start >= segment.start_ts
        and window.end <= segment.end_ts
    )


def whole(window: Window, segment: Segment) -> bool:
    """True if `window` plays all of `segment` from its keyframe (not cut by a split)."""
    return window.head == "keyframe" and window.start == segment.start_ts and window.end == segment.end_ts


def kept_key(inputs: WindowInputs, rules_version: int) -> str:
    """Where the copy of a window masked under `rules_version` is kept: `r{version}-{digest}` for a
    whole segment, `c{digest of the cut}-r{version}-{digest}` for a window a split cuts."""
    segment, window = inputs.segment, inputs.window
    cut = f"{window.start}\n{window.end}\n{window.head}\n{inputs.checkpoint}"
    made_from = f"{segment.blob_key}\n{rules_version}\n{MASKING_CODE}\n{cut}".encode()
    name = f"r{int(rules_version)}-{hashlib.sha256(made_from).hexdigest()[:24]}"
    if not whole(window, segment):
        name = f"c{hashlib.sha256(cut.encode()).hexdigest()[:12]}-{name}"
    return masked_segment_key(segment.blob_key, segment.idx, name)


def answer_opening(n: int, start: int, end: int) -> bytes:
    """The segment endpoint's answer up to its head: `{"n":…,"start":…,"end":…,"head":`."""
    return b'{"n":%d,"start":%d,"end":%d,"head":' % (n, start, end)


_EVENTS_KEY = b',"events":'


def segment_answer(opening: bytes, head: bytes, events: bytes, *, more: bytes = b"") -> bytes:
    """The segment endpoint's answer (a kept copy holds it in two frames), written from JSON arrays;
    `more` adds members after the events (a masking preview's `,"rules":…`)."""
    return b"".join((opening, head, _EVENTS_KEY, events, more, b"}"))


@dataclass(frozen=True)
class KeptCopy:
    """A kept window: the segment answer as two zstd frames, and the URLs it looked up."""

    key: str
    opening: bytes
    """The answer up to its head (`answer_opening`)."""
    looked_up: Mapping[str, str | None]
    head_frame: bytes
    """zstd of the answer up to the end of its head (`{"n":…,"head":[…]`)."""
    events_frame: bytes
    """zstd of the rest of the answer (`,"events":[…]}`)."""
    etag: str
    """A strong validator of this copy's answer: its key and what its URLs found."""

    def usable(self, captured: Mapping[str, str]) -> bool:
        """True while every URL the copy looked up finds the same captured copy (or still none)."""
        return still_resolves(self.looked_up, captured)

    def zstd_body(self, *, with_head: bool) -> bytes:
        """The answer as `Content-Encoding: zstd` (concatenated frames are one zstd stream)."""
        first = self.head_frame if with_head else _compress(self.opening + b"[]", LEVEL)
        return first + self.events_frame

    def plain_body(self, *, with_head: bool) -> bytes:
        """The answer uncompressed."""
        first = _decompress(self.head_frame) if with_head else self.opening + b"[]"
        return first + _decompress(self.events_frame)

    def masked(self) -> tuple[bytes, bytes]:
        """The window's head and events, each as the JSON array the answer holds."""
        head = _decompress(self.head_frame)[len(self.opening) :]
        return head, _decompress(self.events_frame)[len(_EVENTS_KEY) : -1]

    @property
    def size(self) -> int:
        """Bytes held in memory."""
        return len(self.head_frame) + len(self.events_frame)


def make_copy(
    key: str,
    opening: bytes,
    head: bytes,
    events: bytes,
    looked_up: Mapping[str, str | None],
    *,
    level: int = LEVEL,
) -> tuple[KeptCopy, bytes]:
    """A copy of the answer `opening + head + ,"events": + events + }`, and its blob."""
    looked_up_json = orjson.dumps(dict(looked_up))
    head_frame = _compress(opening + head, level)
    events_frame = _compress(_EVENTS_KEY + events + b"}", level)
    line = orjson.dumps({"looked_up": orjson.Fragment(looked_up_json), "head_frame": len(head_frame)})
    etag = _etag(key, looked_up_json)
    return KeptCopy(key, opening, dict(looked_up), head_frame, events_frame, etag), line + b"\n" + (
        head_frame + events_frame
    )


def read_kept(ctx: ReelContext, key: str, opening: bytes, captured: Mapping[str, str]) -> KeptCopy | None:
    """The copy kept under `key` of the answer starting `opening`, or None when there is no usable one
    (absent, unreadable, or made before a capture that changes where one of its URLs points)."""
    try:
        blob = ctx.blobs.get(key)
    except BlobNotFound:
        return None
    try:
        copy = parse_copy(key, opening, blob)
    except ValueError as exc:
        log.warning("kept masked segment %s is unreadable (%s): masking it again", key, exc)
        return None
    return copy if copy.usable(captured) else None


def parse_copy(key: str, opening: bytes, blob: bytes) -> KeptCopy:
    """The copy in `blob` (ValueError unless it is one of this layout, for the answer starting
    `opening`): both frames are decompressed once, so a copy found broken is made again, never sent."""
    line, newline, frames = blob.partition(b"\n")
    doc = orjson.loads(line) if newline else None  # a zstd frame alone (older layouts) fails here
    if not isinstance(doc, dict) or not isinstance(doc.get("looked_up"), dict):
        raise ValueError("no header line")
    cut = doc.get("head_frame")
    if not isinstance(cut, int) or not 0 < cut < len(frames):
        raise ValueError("bad frame length")
    head_frame, events_frame = frames[:cut], frames[cut:]
    first, rest = _decompress(head_frame), _decompress(events_frame)
    if not (first.startswith(opening) and first.endswith(b"]")):
        raise ValueError("not this window's answer")
    if not (rest.startswith(_EVENTS_KEY + b"[") and rest.endswith(b"]}")):
        raise ValueError("the events frame is not the answer's end")
    looked_up = doc["looked_up"]
    etag = _etag(key, orjson.dumps(looked_up))
    return KeptCopy(key, opening, looked_up, head_frame, events_frame, etag)


def keep(ctx: ReelContext, copy: KeptCopy, blob: bytes, idx: int) -> None:
    """Write `blob` under the copy's key, then delete the older copies of the same window (same segment
    index and cut). A failure is logged and the copy left out: serving never depends on keeping it."""
    folder, _, name = copy.key.rpartition("/")
    own = name[len(masked_segment_prefix(idx)) :]
    scope = masked_segment_prefix(idx) + (own.partition("-")[0] + "-" if own.startswith("c") else "r")
    try:
        ctx.blobs.put(copy.key, blob)
        older = [k for k in ctx.blobs.keys(f"{folder}/{scope}") if k != copy.key]
        for stale in older:
            ctx.blobs.delete(stale)
    except ReelError as exc:
        count_store_error("kept_segment", exc)
        log.warning("could not keep masked segment %s: %s", copy.key, exc.message)


def _etag(key: str, looked_up_json: bytes) -> str:
    return hashlib.sha256(key.encode() + b"\n" + looked_up_json).hexdigest()[:32]


def _compress(data: bytes, level: int) -> bytes:
    return zstandard.ZstdCompressor(level=level).compress(data)


def _decompress(frame: bytes) -> bytes:
    try:
        return zstandard.ZstdDecompressor().decompress(frame)
    except zstandard.ZstdError as exc:
        raise ValueError(str(exc)) from exc
