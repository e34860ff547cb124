"""Envelope validation: every failure is a 4xx naming the field."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from reel.errors import BadRequest, InvalidField, PayloadTooLarge
from reel.ingest.envelope import parse_web_beacon
from support import T0, make_events


def envelope(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "v": 1,
        "recording_id": "rec-1",
        "session_id": "ses-1",
        "seq": 0,
        "sent_at": T0,
        "events": make_events(T0, 2, full=True),
    }
    doc.update(changes)
    return doc


def parse(doc: Any) -> Any:
    return parse_web_beacon(orjson.dumps(doc), max_events=100)


def test_a_valid_envelope_parses() -> None:
    beacon = parse(envelope(final=True))
    assert (beacon.recording_id, beacon.session_id, beacon.seq, beacon.final) == ("rec-1", "ses-1", 0, True)
    assert len(beacon.events) == 4


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"v": 2}, "v"),
        ({"v": "1"}, "v"),
        ({"recording_id": 5}, "recording_id"),
        ({"recording_id": "../../etc/passwd"}, "recording_id"),
        ({"recording_id": "a" * 71}, "recording_id"),
        ({"recording_id": ""}, "recording_id"),
        ({"session_id": None}, "session_id"),
        ({"session_id": "a b"}, "session_id"),
        ({"seq": "1"}, "seq"),
        ({"seq": -1}, "seq"),
        ({"seq": 1.5}, "seq"),
        ({"seq": True}, "seq"),
        ({"seq": 2**31}, "seq"),
        ({"sent_at": "now"}, "sent_at"),
        ({"final": "yes"}, "final"),
        ({"events": {}}, "events"),
        ({"events": [1]}, "events[0]"),
        ({"events": [{"type": 9, "timestamp": T0}]}, "events[0].type"),
        ({"events": [{"type": "2", "timestamp": T0}]}, "events[0].type"),
        ({"events": [{"type": 3}]}, "events[0].timestamp"),
        ({"events": [{"type": 3, "timestamp": -5}]}, "events[0].timestamp"),
        ({"events": [{"type": 3, "timestamp": 2**60}]}, "events[0].timestamp"),
    ],
)
def test_wrong_fields_are_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidField) as info:
        parse(envelope(**changes))
    assert info.value.field == field
    assert info.value.status == 400


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[]",
        b"null",
        b'"text"',
        b"\xff\xfe{}",
        b'{"recording_id": "\\ud800"}',
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_malformed_bodies_are_bad_requests(body: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_web_beacon(body, max_events=100)


def test_a_node_tree_nested_10000_deep_is_refused_before_any_recursion_limit() -> None:
    node: dict[str, Any] = {"type": 3, "id": 99999, "textContent": "x"}
    body = b'{"v":1,"recording_id":"r","session_id":"s","seq":0,'
    body += b'"events":[{"type":2,"timestamp":1,"data":{"node":'
    body += (
        b'{"type":2,"tagName":"div","childNodes":[' * 10_000 + orjson.dumps(node) + b"]}" * 10_000 + b"}}]}"
    )
    with pytest.raises(BadRequest, match="JSON deeper than 1024 levels"):
        parse_web_beacon(body, max_events=100)


def test_too_many_events_is_too_large() -> None:
    with pytest.raises(PayloadTooLarge):
        parse_web_beacon(orjson.dumps(envelope(events=make_events(T0, 200))), max_events=100)


def test_unknown_top_level_fields_are_ignored() -> None:
    assert parse(envelope(extra={"anything": 1})).seq == 0


def _mobile_body(doc: dict[str, Any]) -> bytes:
    meta = orjson.dumps(doc)
    return b"RLMB\x01" + len(meta).to_bytes(4, "big") + meta


HEADER_CASES: list[dict[str, Any]] = [
    {"sent_at": 1.5e12},
    {"sent_at": T0},
    {"sent_at": 0},
    {"sent_at": 2**53},
    {"sent_at": True},
    {"sent_at": "now"},
    {"seq": -1},
    {"seq": 2**31},
    {"final": 1},
    {"rules_version": True},
    {"v": True},
    {"recording_id": ""},
]


@pytest.mark.parametrize("changes", HEADER_CASES, ids=lambda c: repr(c))
def test_web_and_mobile_envelopes_apply_the_same_header_rules(changes: dict[str, Any]) -> None:
    """One validator serves both: the same header is accepted, or refused naming the same field."""
    from reel.ingest.mobile_envelope import parse_mobile_beacon

    web_doc = envelope(**changes)
    mobile_doc = {**web_doc, "events": []}
    outcomes = []
    parsers = (lambda: parse(web_doc), lambda: parse_mobile_beacon(_mobile_body(mobile_doc), max_events=100))
    for run in parsers:
        try:
            beacon = run()
        except InvalidField as exc:
            outcomes.append(("refused", exc.field, str(exc)))
        else:
            outcomes.append(("accepted", beacon.sent_at, beacon.seq))
    assert outcomes[0] == outcomes[1]
