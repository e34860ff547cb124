"""Numbers outside what a field allows, in web and mobile beacons: 400 naming the field, never a 500.

A `sent_at` past 64 bits (1e300, -2^63, 2^64-1) used to reach the database as a clock offset and answer
500 with a traceback. Every number of both envelopes and of their events is tried here with values at
and past every boundary a 64-bit column or a double has.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conftest import BeaconMaker
from mobile_support import image_bytes, post_mobile
from reel.capture.mobile.wire import CONTENT_TYPE
from reel.domain.records import Application
from support import T0, post_beacon

# Past 64 bits either way, the edges of int64 and uint64, a double that is no int64, and values below 0.
OUT_OF_RANGE: list[Any] = [10**300, 1e300, -1e300, -(2**63), 2**63 - 1, 2**63, 2**64 - 1, 1.8e19, -1, 0]


def _web_body(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> bytes:
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    # The standard library writes 10**300 as an integer literal, as a forged beacon would.
    return json.dumps(doc).encode()


WEB_FIELDS: list[tuple[tuple[str | int, ...], str]] = [
    (("seq",), "seq"),
    (("sent_at",), "sent_at"),
    (("rules_version",), "rules_version"),
    (("v",), "v"),
    (("events", 0, "type"), "events[0].type"),
    (("events", 0, "timestamp"), "events[0].timestamp"),
    (("events", 2, "timestamp"), "events[2].timestamp"),
]


@pytest.mark.parametrize(("path", "field"), WEB_FIELDS, ids=[f for _, f in WEB_FIELDS])
def test_web_envelope_numbers_out_of_range_are_400_naming_the_field(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, path: tuple[str | int, ...], field: str
) -> None:
    for value in OUT_OF_RANGE:
        if value == 0 and field in ("seq", "rules_version", "events[0].type"):
            continue  # allowed there
        body = _web_body(beacon(0), path, value)
        response = post_beacon(client, demo_app, None, raw=body)
        assert response.status_code == 400, (field, value, response.text)
        assert response.json()["error"]["field"] == field, (field, value)
    assert client.get("/api/v1/sessions").json()["sessions"] == []


def test_a_sent_at_within_range_is_still_accepted_as_a_float_or_an_integer(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    assert post_beacon(client, demo_app, beacon(0, sent_at=T0 + 0.5)).status_code == 200
    assert post_beacon(client, demo_app, beacon(1, sent_at=2**53 - 1)).status_code == 200
    assert post_beacon(client, demo_app, beacon(2, sent_at=None)).status_code == 200


def _mobile_body(meta: dict[str, Any], images: list[bytes]) -> bytes:
    raw = json.dumps(meta).encode()
    out = b"RLMB\x01" + len(raw).to_bytes(4, "big") + raw
    for image in images:
        out += len(image).to_bytes(4, "big") + image
    return out


def _mobile_doc() -> dict[str, Any]:
    ts = T0 + 10
    events: list[dict[str, Any]] = [
        {
            "type": "frame",
            "timestamp": ts,
            "view": "Home",
            "full": True,
            "rect": [0, 0, 36, 64],
            "image": 0,
            "format": "png",
            "masks": [[1, 1, 5, 5]],
        },
        {"type": "tap", "timestamp": ts + 1, "x": 10, "y": 20, "target": "Button"},
        {"type": "long_press", "timestamp": ts + 2, "x": 1, "y": 2, "duration": 600},
        {"type": "swipe", "timestamp": ts + 3, "points": [[1, 2, 0], [3, 4, 16]]},
        {"type": "scroll", "timestamp": ts + 4, "x": 1, "y": 2, "dx": 0, "dy": 30},
        {"type": "pinch", "timestamp": ts + 5, "x": 1, "y": 2, "scale": 1.5, "duration": 300},
        {"type": "rotate", "timestamp": ts + 6, "x": 1, "y": 2, "degrees": 45, "duration": 300},
        {"type": "keyboard", "timestamp": ts + 7, "visible": True, "height": 300},
        {"type": "keys", "timestamp": ts + 8, "count": 3, "target": "Field"},
        {"type": "orientation", "timestamp": ts + 9, "orientation": "landscape", "width": 64, "height": 36},
        {"type": "start", "timestamp": ts + 10, "screen": {"width": 36, "height": 64, "density": 2}},
    ]
    return {"v": 1, "recording_id": "m-rec", "session_id": "m-ses", "seq": 0, "sent_at": T0, "events": events}


MOBILE_FIELDS: list[tuple[tuple[str | int, ...], str]] = [
    (("seq",), "seq"),
    (("sent_at",), "sent_at"),
    (("rules_version",), "rules_version"),
    (("v",), "v"),
    (("events", 1, "timestamp"), "events[1].timestamp"),
    (("events", 0, "rect", 2), "events[0].rect[2]"),
    (("events", 0, "masks", 0, 0), "events[0].masks[0][0]"),
    (("events", 0, "image"), "events[0].image"),
    (("events", 1, "x"), "events[1].x"),
    (("events", 2, "duration"), "events[2].duration"),
    (("events", 3, "points", 1, 2), "events[3].points[1]"),
    (("events", 4, "dy"), "events[4].dy"),
    (("events", 5, "scale"), "events[5].scale"),
    (("events", 6, "degrees"), "events[6].degrees"),
    (("events", 7, "height"), "events[7].height"),
    (("events", 8, "count"), "events[8].count"),
    (("events", 9, "width"), "events[9].width"),
    (("events", 10, "screen", "density"), "events[10].screen.density"),
]

# Values a field allows are skipped: 0 is a valid seq, dy, degrees, height; -1 a valid x, dy, degrees, mask x.
_ALLOWED: dict[str, Callable[[Any], bool]] = {
    "seq": lambda v: v == 0,
    "rules_version": lambda v: v == 0,
    "events[0].masks[0][0]": lambda v: v in (0, -1),  # a mask may reach off the screen (mobile contract)
    "events[4].dy": lambda v: v in (0, -1),
    "events[6].degrees": lambda v: v in (0, -1),
    "events[7].height": lambda v: v == 0,
    "events[3].points[1]": lambda v: v == 0,
    "events[2].duration": lambda v: v == 0,
    "events[0].image": lambda v: v == 0,
    "events[1].x": lambda v: v in (0, -1),
}
# A rectangle of width 0 is refused as a whole.
_ENCLOSING = {"events[0].rect[2]": "events[0].rect"}


@pytest.mark.parametrize(("path", "field"), MOBILE_FIELDS, ids=[f for _, f in MOBILE_FIELDS])
def test_mobile_numbers_out_of_range_are_400_naming_the_field(
    client: TestClient, mobile_app: Application, path: tuple[str | int, ...], field: str
) -> None:
    image = image_bytes("png")
    assert post_mobile(client, mobile_app, _mobile_body(_mobile_doc(), [image])).status_code == 200
    for value in OUT_OF_RANGE:
        if _ALLOWED.get(field, lambda v: False)(value):
            continue
        doc = _mobile_doc()
        doc["seq"] = 1 if field != "seq" else doc["seq"]
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        response = post_mobile(
            client, mobile_app, _mobile_body(doc, [image]), headers={"Content-Type": CONTENT_TYPE}
        )
        assert response.status_code == 400, (field, value, response.text)
        named = response.json()["error"]["field"]
        assert named in (field, _ENCLOSING.get(field)), (field, value, response.text)


LIST_PARAMS = [
    "offset",
    "started_after",
    "started_before",
    "min_duration_ms",
    "max_duration_ms",
    "min_actions",
    "max_actions",
]


@pytest.mark.parametrize("name", LIST_PARAMS)
def test_operator_query_numbers_past_64_bits_are_400_naming_the_parameter(
    client: TestClient, demo_app: Application, beacon: BeaconMaker, name: str
) -> None:
    """The session list compares these with 64-bit columns: past them SQLite overflowed (500)."""
    assert post_beacon(client, demo_app, beacon(0)).status_code == 200
    for value in (2**63, 2**64, 10**30):
        response = client.get("/api/v1/sessions", params={name: str(value)})
        assert response.status_code == 400, (name, value, response.text)
        assert response.json()["error"]["field"] == name
    assert client.get("/api/v1/sessions", params={name: str(2**63 - 1)}).status_code == 200


def test_segment_and_frame_numbers_past_64_bits_are_refused(
    client: TestClient, demo_app: Application, beacon: BeaconMaker
) -> None:
    assert post_beacon(client, demo_app, beacon(0)).status_code == 200
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    base = f"/api/v1/sessions/{session['id']}"
    response = client.get(base + "/frame", params={"t": str(2**64)})
    assert response.status_code == 400 and response.json()["error"]["field"] == "t"
    for n in (2**64, -(2**64), 2**31):
        assert client.get(f"{base}/segments/{n}").status_code == 404  # no such segment: never a 500
    events = client.get(base + "/events")
    assert events.status_code == 200 and events.json()["events"]
