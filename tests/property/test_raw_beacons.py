"""Beacons kept as received (reel/ingest/raw_beacon.py) against the full parser: the same beacons
accepted, the same refusals word for word, the same summary, and the same events read back from the
buffer whatever the recording's clock offset."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reel.domain.beacons import summarise_events
from reel.errors import ReelError
from reel.ingest.clock_skew import to_server_time
from reel.ingest.envelope import WebBeacon, parse_web_beacon
from reel.ingest.raw_beacon import RawWebBeacon, read_web_beacon
from reel.storage.chunks import decode_events, encode_beacon_body, encode_events
from strategies import corrupted_beacons, json_values, web_beacons

SOME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OFFSETS = (0, 3_600_000, -(2**40))
"""No offset, a clock an hour slow, and one far ahead (times clamp at 1)."""


def outcome(read: Any, body: bytes) -> tuple[str, Any]:
    """What a reader made of `body`: its refusal (class, message, field), or the beacon."""
    try:
        return "accepted", read(body, max_events=1000)
    except ReelError as exc:
        return "refused", (type(exc).__name__, exc.message, getattr(exc, "field", None))


def assert_same_as_the_parser(body: bytes) -> None:
    kind, fast = outcome(read_web_beacon, body)
    expected_kind, parsed = outcome(parse_web_beacon, body)
    assert kind == expected_kind, (fast, parsed)
    if kind == "refused":
        assert fast == parsed
        return
    assert isinstance(parsed, WebBeacon)
    header = ("recording_id", "session_id", "seq", "sent_at", "final", "rules_version", "context")
    assert [getattr(fast, f) for f in header] == [getattr(parsed, f) for f in header]
    if not isinstance(fast, RawWebBeacon):
        return  # unusual beacons are the parser's own
    assert fast.summary == summarise_events(parsed.events)
    events = parsed.events if parsed.in_order else sorted(parsed.events, key=lambda e: e["timestamp"])
    for gzip_body in (None, gzip.compress(body)):
        for offset in OFFSETS:
            stored = encode_beacon_body(fast.body, gzip_body, offset)
            assert decode_events(stored) == decode_events(encode_events(to_server_time(events, offset)))


@SOME
@given(doc=web_beacons())
def test_valid_beacons_are_kept_as_received_and_read_back_as_parsed(doc: dict[str, Any]) -> None:
    assert_same_as_the_parser(orjson.dumps(doc))


@SOME
@given(doc=corrupted_beacons())
def test_corrupted_beacons_are_refused_as_the_parser_refuses_them(doc: dict[str, Any]) -> None:
    assert_same_as_the_parser(orjson.dumps(doc))


@SOME
@given(doc=json_values(max_leaves=30))
def test_any_json_is_taken_or_refused_as_the_parser_does(doc: Any) -> None:
    assert_same_as_the_parser(orjson.dumps(doc))


@SOME
@given(body=st.binary(max_size=2048))
def test_any_bytes_are_taken_or_refused_as_the_parser_does(body: bytes) -> None:
    assert_same_as_the_parser(body)


def _beacon(events: str) -> bytes:
    return b'{"v":1,"recording_id":"rec-1","session_id":"ses-1","seq":0,"events":' + events.encode() + b"}"


@pytest.mark.parametrize(
    "events",
    [
        '[{"type":2,"timestamp":5,"data":{"x":"\\ud800"}}]',  # a lone surrogate
        '[{"type":2,"timestamp":5.5}]',  # a float time (stored as an int)
        '[{"type":2,"timestamp":9},{"type":3,"timestamp":5}]',  # out of order (stored sorted)
        '[{"type":true,"timestamp":5}]',
        '[{"type":2,"timestamp":5,"data":' + "[" * 1100 + "]" * 1100 + "}]",
        '[{"type":4,"timestamp":5,"data":"not an object"}]',
        '[{"type":4,"timestamp":5,"data":{"href":"https://a.example/"}}]',
    ],
)
def test_unusual_events_get_the_parsers_answer(events: str) -> None:
    assert_same_as_the_parser(_beacon(events))


def test_invalid_utf8_inside_an_event_is_refused_as_the_parser_refuses_it() -> None:
    body = _beacon('[{"type":2,"timestamp":5,"data":{"x":"\xff"}}]'.replace("\xff", "X")).replace(
        b"X", b"\xff"
    )
    assert outcome(read_web_beacon, body)[0] == "refused"
    assert_same_as_the_parser(body)


def test_a_number_past_a_doubles_range_inside_an_event_is_stored_and_read_back() -> None:
    # Valid JSON that orjson refuses: kept as received, it reads back (as infinity) instead of making
    # the recording unreadable.
    body = _beacon('[{"type":3,"timestamp":5,"data":{"x":1e400,"n":' + "9" * 30 + "}}]")
    beacon = read_web_beacon(body, max_events=10)
    assert isinstance(beacon, RawWebBeacon)
    (event,) = decode_events(encode_beacon_body(beacon.body, None, 0))
    assert event["data"] == {"x": float("inf"), "n": float("9" * 30)}
