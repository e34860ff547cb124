"""A web beacon stored as the bytes it came in: checked and summarised, its events never built as objects.

Building every event of a beacon as Python dicts (orjson), then encoding and compressing them again for
the buffer, was most of a beacon's own CPU in `reel serve` (P3 in docs/scale.md): a beacon of ~9 KB of
event JSON is hundreds of small objects, and ingest needs only each event's type and time, and the
Meta events' URLs. So the usual beacon is read in one pass with msgspec — the whole body checked as
JSON, only the envelope's fields and each event's type, time and Meta data built — and its body is
stored as it came (still gzip-compressed when sent so) with the recording's clock offset beside it
(`reel.storage.chunks.encode_beacon_body`); readers apply the offset as they decode the events.

Anything unusual — a float time, events out of time order, a field of the wrong type, JSON this reader
refuses — goes to `parse_web_beacon`, which accepts or refuses it exactly as before, with its reasons:
this way only takes beacons that parser accepts, and never words a refusal itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from reel.domain.beacons import BeaconSummary
from reel.domain.user_context import UserContext
from reel.ingest.envelope import (
    ENVELOPE_VERSION,
    KNOWN_EVENT_TYPES,
    MAX_TIMESTAMP,
    EnvelopeHeader,
    WebBeacon,
    parse_header,
    parse_web_beacon,
    user_context,
)

_META = 4
_FULL_SNAPSHOT = 2
_NULL = msgspec.Raw(b"null")


class _Event(msgspec.Struct):
    """What ingest reads of an event; its other fields are checked as JSON and skipped."""

    type: int
    timestamp: int
    data: msgspec.Raw = _NULL


class _Envelope(msgspec.Struct):
    """The envelope's fields as sent; defaults as `parse_header` reads an absent field."""

    v: object = ENVELOPE_VERSION
    recording_id: object = None
    session_id: object = None
    seq: object = None
    sent_at: object = None
    final: object = False
    rules_version: object = 0
    context: object = None
    events: list[_Event] | None = None


class _Meta(msgspec.Struct):
    href: object = None


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_META_DATA = msgspec.json.Decoder(_Meta)


@dataclass(frozen=True)
class RawWebBeacon(EnvelopeHeader):
    """A valid web beacon kept as received: its events in time order, on the client's clock."""

    body: bytes
    """The decoded body (JSON)."""
    summary: BeaconSummary
    """Of the events on the client's clock (the recording's offset moves the times, nothing else)."""
    context: UserContext | None = None
    gzip_body: bytes | None = None
    """The body as sent, when it came gzip-compressed (stored so: no need to compress it again)."""


def read_web_beacon(
    body: bytes, *, max_events: int, gzip_body: bytes | None = None
) -> RawWebBeacon | WebBeacon:
    """A decoded beacon body (`gzip_body`: as sent, if gzip), checked: kept as received when it is
    usual (see the module docstring), else parsed as objects; bad input raises with its reason, as
    `parse_web_beacon`."""
    fast = _read_raw(body, max_events, gzip_body)
    return fast if fast is not None else parse_web_beacon(body, max_events=max_events)


def _read_raw(body: bytes, max_events: int, gzip_body: bytes | None) -> RawWebBeacon | None:
    """The beacon, or None when anything about it is unusual (the full parser decides then)."""
    try:
        # orjson refuses invalid UTF-8 anywhere; msgspec does not look inside what it skips.
        body.decode("utf-8")
        doc = _ENVELOPE.decode(body)
        events = doc.events
        if events is None:
            return None
        urls = _meta_urls(events)
    except (UnicodeDecodeError, msgspec.DecodeError, RecursionError):
        return None  # msgspec nests less deep than orjson: the parser says whether it is too deep
    if len(events) > max_events:
        return None
    previous = 1
    for event in events:
        ts = event.timestamp
        # A time out of range is refused, one earlier than the last is stored sorted: the parser's cases.
        if event.type not in KNOWN_EVENT_TYPES or not previous <= ts < MAX_TIMESTAMP:
            return None
        previous = ts
    head = parse_header(
        {
            "v": doc.v,
            "recording_id": doc.recording_id,
            "session_id": doc.session_id,
            "seq": doc.seq,
            "sent_at": doc.sent_at,
            "final": doc.final,
            "rules_version": doc.rules_version,
        }
    )
    kinds = {event.type for event in events}
    summary = (
        BeaconSummary(
            events[0].timestamp,
            events[-1].timestamp,
            len(events),
            urls,
            _FULL_SNAPSHOT in kinds,
            _META in kinds,
        )
        if events
        else BeaconSummary(0, 0, 0, (), False, False)
    )
    context = user_context(doc.context)
    return RawWebBeacon(**vars(head), body=body, summary=summary, context=context, gzip_body=gzip_body)


def _meta_urls(events: list[_Event]) -> tuple[str, ...]:
    """The Meta events' page URLs in order, as `summarise_events` takes them."""
    urls: list[str] = []
    for event in events:
        if event.type != _META or event.data is _NULL:
            continue
        data = bytes(event.data)
        if not data.startswith(b"{"):
            continue  # not an object: no URL to take (summarise_events skips it too)
        href = _META_DATA.decode(data).href
        if isinstance(href, str):
            urls.append(href[:2048])
    return tuple(urls)
