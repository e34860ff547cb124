"""The web beacon envelope (docs/contracts/web-beacon.md): parsing and validation, pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

import orjson

from reel.domain.user_context import UserContext, read_user_agent
from reel.errors import BadRequest, InvalidField, PayloadTooLarge
from reel.ids import check_client_id
from reel.jsonio import MAX_NESTING

ENVELOPE_VERSION = 1
MAX_SEQ = 2**31 - 1
# Event times are ms since the epoch; anything past 2^53 cannot be a time a browser produced.
MAX_TIMESTAMP = 2**53
KNOWN_EVENT_TYPES = range(0, 7)


@dataclass(frozen=True)
class EnvelopeHeader:
    """The fields every beacon envelope carries, web and mobile alike, validated; each beacon
    extends it with what its platform carries."""

    recording_id: str
    session_id: str
    seq: int
    sent_at: int | None
    final: bool
    rules_version: int


@dataclass(frozen=True)
class WebBeacon(EnvelopeHeader):
    """One validated web beacon: its header and its events."""

    events: tuple[dict[str, Any], ...]
    context: UserContext | None = None
    """The user context, on the first beacon of each page (None on the others)."""
    in_order: bool = False
    """True when the events' times never decrease (the usual case: they need no sorting)."""


def json_error(what: str, exc: orjson.JSONDecodeError) -> str:
    """Why `what` was refused by the parser, naming the nesting limit when that was the reason."""
    if "depth limit" in str(exc):
        return f"{what} nests JSON deeper than {MAX_NESTING} levels (the limit; see the beacon contract)"
    return f"{what} is not valid JSON: {exc}"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_header(doc: dict[str, Any]) -> EnvelopeHeader:
    """Validate the envelope fields shared by the web and mobile beacons; every failure names its field."""
    version = doc.get("v", ENVELOPE_VERSION)
    if version != ENVELOPE_VERSION or not _is_int(version):
        raise InvalidField(f"v must be {ENVELOPE_VERSION}", field="v")
    recording_id = check_client_id(doc.get("recording_id"), "recording_id")
    session_id = check_client_id(doc.get("session_id"), "session_id")
    seq = doc.get("seq")
    if not _is_int(seq) or not 0 <= seq <= MAX_SEQ:
        raise InvalidField(f"seq must be an integer from 0 to {MAX_SEQ}", field="seq")
    sent_at = doc.get("sent_at")
    # Bounded like event times: the clock offset measured from it is stored as a 64-bit integer.
    if sent_at is not None and (
        not isinstance(sent_at, int | float) or isinstance(sent_at, bool) or not 0 < sent_at < MAX_TIMESTAMP
    ):
        raise InvalidField("sent_at must be ms since the epoch, above 0 and below 2^53", field="sent_at")
    final = doc.get("final", False)
    if not isinstance(final, bool):
        raise InvalidField("final must be a boolean", field="final")
    rules_version = doc.get("rules_version", 0)
    if not _is_int(rules_version) or not 0 <= rules_version <= MAX_SEQ:
        raise InvalidField("rules_version must be an integer >= 0", field="rules_version")
    return EnvelopeHeader(
        recording_id=recording_id,
        session_id=session_id,
        seq=seq,
        sent_at=None if sent_at is None else int(sent_at),
        final=final,
        rules_version=rules_version,
    )


def read_envelope(
    text: bytes, what: str, *, max_events: int
) -> tuple[EnvelopeHeader, list[Any], dict[str, Any]]:
    """A JSON envelope, web or mobile (`what` names it in errors): its validated header, its events
    array (at most `max_events`; the events themselves are the platform's to check) and the whole
    document (for the platform's own fields)."""
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        # orjson also refuses invalid UTF-8, lone surrogates and nesting past 1024 levels: all bad input.
        raise BadRequest(json_error(what, exc)) from None
    if not isinstance(doc, dict):
        raise BadRequest(f"{what} must be a JSON object")
    head = parse_header(doc)
    events = doc.get("events")
    if not isinstance(events, list):
        raise InvalidField("events must be an array", field="events")
    if len(events) > max_events:
        raise PayloadTooLarge(f"a beacon may carry at most {max_events} events")
    return head, events, doc


def parse_web_beacon(body: bytes, *, max_events: int) -> WebBeacon:
    """Parse and validate a decoded beacon body; every failure names its field."""
    head, events, doc = read_envelope(body, "body", max_events=max_events)
    context = user_context(doc.get("context"))
    in_order = _check_events(events)
    return WebBeacon(**vars(head), events=tuple(events), context=context, in_order=in_order)


# Each context string field: its name on the wire and its longest accepted length.
_CONTEXT_TEXT = {"ua": 1024, "lang": 64, "tz": 64, "ref": 2048}
_MAX_VIEWPORT = 100_000


def user_context(context: object) -> UserContext | None:
    """The user context fields of the envelope's `context` object (None when absent); bad fields are 400."""
    if context is None:
        return None
    if not isinstance(context, dict):
        raise InvalidField("context must be an object", field="context")
    text: dict[str, str] = {}
    for name, longest in _CONTEXT_TEXT.items():
        value = context.get(name, "")
        if not isinstance(value, str) or len(value) > longest:
            raise InvalidField(
                f"context.{name} must be a string of at most {longest} characters", field=f"context.{name}"
            )
        text[name] = value
    numbers: dict[str, int] = {}
    for name in ("vw", "vh", "touch"):
        value = context.get(name, 0)
        if not _is_int(value) or not 0 <= value <= _MAX_VIEWPORT:
            raise InvalidField(
                f"context.{name} must be an integer from 0 to {_MAX_VIEWPORT}", field=f"context.{name}"
            )
        numbers[name] = value
    browser, os, device = read_user_agent(text["ua"], numbers["touch"])
    return UserContext(
        browser=browser,
        os=os,
        device=device,
        viewport_width=numbers["vw"],
        viewport_height=numbers["vh"],
        language=text["lang"],
        timezone=text["tz"],
        referrer=text["ref"],
    )


def _check_events(events: list[Any]) -> bool:
    """Check every event's type and time (float times become ints); True if the times never decrease."""
    in_order = True
    previous = 0
    for index, event in enumerate(events):
        # The usual event passes the checks of `_check_event` here, inline: they run for every event of
        # every beacon. `type(x) is int` also leaves booleans out.
        kind = event.get("type") if type(event) is dict else None
        ts = event.get("timestamp") if type(event) is dict else None
        if not (
            type(kind) is int and kind in KNOWN_EVENT_TYPES and type(ts) is int and 0 < ts < MAX_TIMESTAMP
        ):
            _check_event(event, index)  # refuses it with its reason, or makes its float time an int
            ts = event["timestamp"]
        if ts < previous:
            in_order = False
        previous = ts
    return in_order


def _check_event(event: object, index: int) -> None:
    where = f"events[{index}]"
    if not isinstance(event, dict):
        raise InvalidField(f"{where} must be an object", field=where)
    kind = event.get("type")
    if not _is_int(kind) or kind not in KNOWN_EVENT_TYPES:
        raise InvalidField(f"{where}.type must be an rrweb event type (0-6)", field=f"{where}.type")
    ts = event.get("timestamp")
    if not isinstance(ts, int | float) or isinstance(ts, bool) or not (0 < ts < MAX_TIMESTAMP):
        raise InvalidField(
            f"{where}.timestamp must be ms since the epoch, above 0 and below 2^53",
            field=f"{where}.timestamp",
        )
    if isinstance(ts, float):
        event["timestamp"] = int(ts)
