"""Mobile ingest over HTTP, on every store backend: what an app gets back for good and bad beacons."""

from __future__ import annotations

import gzip
import logging
import struct
import zlib
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from mobile_support import body, frame, image_bytes, post_mobile
from reel.admin.applications import create_application
from reel.capture.mobile.wire import Envelope, encode_body
from reel.clock import FixedClock
from reel.domain.records import Application
from reel.ingest.lookups import APP_TTL_MS
from support import ORIGIN, T0, app_reads


def ignored_count() -> float:
    return REGISTRY.get_sample_value("reel_beacon_events_ignored_total", {"platform": "mobile"}) or 0.0


def sessions_of(client: TestClient) -> list[dict[str, Any]]:
    return client.get("/api/v1/sessions").json()["sessions"]  # type: ignore[no-any-return]


def error_of(response: Any) -> dict[str, Any]:
    return response.json()["error"]  # type: ignore[no-any-return]


def png_header(width: int, height: int) -> bytes:
    """A PNG's signature and IHDR claiming `width`x`height`, with no pixel data at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    crc = zlib.crc32(b"IHDR" + ihdr)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", crc)


def jpeg_header(width: int, height: int) -> bytes:
    """SOI and a baseline SOF0 claiming `width`x`height`, and nothing to decode."""
    sof = struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8\xff\xc0" + sof


def one_frame(image: bytes, fmt: str, seq: int = 0) -> bytes:
    return encode_body(Envelope("m-rec-1", "m-ses-1", seq, T0), [frame(T0, 0, fmt=fmt)], [image])


def test_a_beacon_is_acknowledged_and_listed_as_mobile(client: TestClient, mobile_app: Application) -> None:
    response = post_mobile(client, mobile_app, body(0))
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "seq": 0, "duplicate": False, "ignored": 0}
    [session] = sessions_of(client)
    assert session["platform"] == "mobile" and session["has_replay"] is True
    assert session["first_url"] == "Home" and session["events"] == 2
    assert client.get("/api/v1/sessions", params={"platform": "web"}).json()["total"] == 0


def test_every_image_type_is_accepted_and_served_back(client: TestClient, mobile_app: Application) -> None:
    for seq, fmt in enumerate(("png", "jpeg", "webp")):
        assert post_mobile(client, mobile_app, one_frame(image_bytes(fmt), fmt, seq)).status_code == 200
    [session] = sessions_of(client)
    events = client.get(f"/api/v1/sessions/{session['id']}/mobile-events").json()["events"]
    assert [e["format"] for e in events] == ["png", "jpeg", "webp"]
    assert all(e["width"] == 36 and e["height"] == 64 for e in events)
    served = client.get(f"/api/v1/sessions/{session['id']}/images/{events[2]['image']}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert served.content == image_bytes("webp")


def test_wrong_image_type_is_415(client: TestClient, mobile_app: Application) -> None:
    gif = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 20
    response = post_mobile(client, mobile_app, one_frame(gif, "png"))
    assert response.status_code == 415 and "images[0]" in error_of(response)["message"]
    mislabelled = post_mobile(client, mobile_app, one_frame(image_bytes("jpeg"), "webp"))
    assert mislabelled.status_code == 415 and "jpeg" in error_of(mislabelled)["message"]
    assert sessions_of(client) == []


def test_huge_dimensions_are_413_from_the_header_alone(client: TestClient, mobile_app: Application) -> None:
    # A few dozen bytes claiming a gigapixel: there is nothing to decode, so only the header was read.
    for header in (png_header(40_000, 40_000), jpeg_header(9000, 100), png_header(5000, 5000)):
        response = post_mobile(client, mobile_app, one_frame(header, "jpeg" if header[1] == 0xD8 else "png"))
        assert response.status_code == 413, response.text
        assert "pixels" in error_of(response)["message"]
    assert sessions_of(client) == [] and list(client.app.state.reel.blobs.keys()) == []  # type: ignore[attr-defined]


def test_a_broken_image_header_is_400(client: TestClient, mobile_app: Application) -> None:
    response = post_mobile(client, mobile_app, one_frame(b"\x89PNG\r\n\x1a\n\x00\x00", "png"))
    assert response.status_code == 400 and error_of(response)["field"] == "images[0]"


def test_caps_on_body_events_and_images(client: TestClient, mobile_app: Application) -> None:
    # The test settings cap bodies at 256 KiB compressed and 1 MiB decompressed, 1000 events a beacon.
    big = encode_body(
        Envelope("m-rec-1", "m-ses-1", 0, T0), [frame(T0, 0)], [image_bytes("png") + b"\0" * 300_000]
    )
    assert post_mobile(client, mobile_app, big).status_code == 413
    bomb = gzip.compress(body(0)[:9] + b"\0" * 2_000_000)
    response = post_mobile(client, mobile_app, bomb, headers={"Content-Encoding": "gzip"})
    assert response.status_code == 413
    taps = [{"type": "tap", "timestamp": T0 + i, "x": 1, "y": 1} for i in range(1001)]
    many = encode_body(Envelope("m-rec-1", "m-ses-1", 0, T0), taps, [])
    assert post_mobile(client, mobile_app, many).status_code == 413
    assert sessions_of(client) == []


def test_malformed_bodies_are_400_naming_the_problem(client: TestClient, mobile_app: Application) -> None:
    assert post_mobile(client, mobile_app, b'{"v": 1}').status_code == 400  # JSON is not the framing
    truncated = body(0)[:-10]
    assert "truncated" in error_of(post_mobile(client, mobile_app, truncated))["message"]
    unused = encode_body(Envelope("m-rec-1", "m-ses-1", 0, T0), [], [image_bytes("png")])
    assert error_of(post_mobile(client, mobile_app, unused))["field"] == "images[0]"
    bad_rect = encode_body(
        Envelope("m-rec-1", "m-ses-1", 0, T0), [frame(T0, 0, rect=(0, 0, -5, 10))], [image_bytes("png")]
    )
    assert error_of(post_mobile(client, mobile_app, bad_rect))["field"] == "events[0].rect[2]"
    no_image = encode_body(Envelope("m-rec-1", "m-ses-1", 0, T0), [frame(T0, 3)], [])
    assert error_of(post_mobile(client, mobile_app, no_image))["field"] == "events[0].image"
    bad_id = encode_body(Envelope("../etc", "m-ses-1", 0, T0), [], [])
    assert error_of(post_mobile(client, mobile_app, bad_id))["field"] == "recording_id"
    assert (
        post_mobile(client, mobile_app, body(0), headers={"Content-Type": "application/json"}).status_code
        == 415
    )
    assert sessions_of(client) == []


def test_unknown_events_are_dropped_and_unknown_fields_never_stored(
    client: TestClient, mobile_app: Application, caplog: pytest.LogCaptureFixture
) -> None:
    events = [
        frame(T0, 0),
        {"type": "keys", "timestamp": T0 + 10, "count": 4, "target": "QLineEdit#name", "text": "Ada!"},
        {"type": "hologram", "timestamp": T0 + 20, "x": 1},
    ]
    caplog.set_level(logging.INFO, logger="reel.ingest")
    before = ignored_count()
    beacon = encode_body(Envelope("m-rec-1", "m-ses-1", 0, T0), events, [image_bytes("png")])
    response = post_mobile(client, mobile_app, beacon)
    assert response.status_code == 200 and response.json()["ignored"] == 1
    [session] = sessions_of(client)
    # Counted and logged once with the session, not again for a retry of the same beacon.
    assert post_mobile(client, mobile_app, beacon).json()["duplicate"] is True
    assert ignored_count() == before + 1
    lines = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert len(lines) == 1 and session["id"] in lines[0]
    stored = client.get(f"/api/v1/sessions/{session['id']}/mobile-events").json()["events"]
    assert stored[1] == {"type": "keys", "timestamp": T0 + 10, "count": 4, "target": "QLineEdit#name"}
    assert b"Ada!" not in orjson.dumps(stored)


def test_a_repeated_beacon_is_stored_once(client: TestClient, mobile_app: Application) -> None:
    data = body(0)
    assert post_mobile(client, mobile_app, data).json()["duplicate"] is False
    blobs = sorted(client.app.state.reel.blobs.keys())  # type: ignore[attr-defined]
    again = post_mobile(client, mobile_app, data)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert sorted(client.app.state.reel.blobs.keys()) == blobs  # type: ignore[attr-defined]
    assert len(blobs) == 1  # its one image; its events wait in the session store's buffer
    assert client.app.state.reel.sessions.buffered_seqs("m-rec-1") == [0]  # type: ignore[attr-defined]
    [session] = sessions_of(client)
    assert session["beacons"] == 1


def test_an_image_shown_again_is_stored_once(client: TestClient, mobile_app: Application) -> None:
    same = image_bytes("png", color=(1, 2, 3))
    for seq in range(3):
        assert post_mobile(client, mobile_app, one_frame(same, "png", seq)).status_code == 200
    images = [k for k in client.app.state.reel.blobs.keys("") if "/img-" in k]  # type: ignore[attr-defined]
    assert len(images) == 1


def test_out_of_order_beacons_play_in_order(client: TestClient, mobile_app: Application) -> None:
    for seq in (2, 0, 1):
        assert post_mobile(client, mobile_app, body(seq)).status_code == 200
    [session] = sessions_of(client)
    assert session["beacons"] == 3 and session["missing_beacons"] == 0
    assert session["start"] == T0 and session["end"] == T0 + 2100
    times = [
        e["timestamp"] for e in client.get(f"/api/v1/sessions/{session['id']}/mobile-events").json()["events"]
    ]
    assert times == sorted(times)
    colours = []
    for seq in range(3):
        frame_png = client.get(f"/api/v1/sessions/{session['id']}/frame", params={"t": seq * 1000 + 50})
        assert frame_png.status_code == 200
        colours.append(frame_png.content)
    assert len(set(colours)) == 3  # each moment shows its own beacon's frame


def test_a_gap_is_reported(client: TestClient, mobile_app: Application) -> None:
    for seq in (0, 2):
        assert post_mobile(client, mobile_app, body(seq)).status_code == 200
    [session] = sessions_of(client)
    assert session["missing_beacons"] == 1


def test_app_key_and_origin_rules(client: TestClient, mobile_app: Application, clock: FixedClock) -> None:
    web = create_application(client.app.state.reel.sessions, "Web", [ORIGIN], now_ms=clock.now_ms())  # type: ignore[attr-defined]
    assert post_mobile(client, None, body(0), key="").status_code == 401
    assert post_mobile(client, None, body(0), key="rk-unknown").status_code == 401
    refused = post_mobile(client, web, body(0))
    assert refused.status_code == 403 and "mobile" in error_of(refused)["message"]
    from_page = post_mobile(client, mobile_app, body(0), headers={"Origin": ORIGIN})
    assert from_page.status_code == 403
    other = create_application(
        client.app.state.reel.sessions, "Other", [], now_ms=clock.now_ms(), mobile=True
    )  # type: ignore[attr-defined]
    assert post_mobile(client, mobile_app, body(0)).status_code == 200
    assert post_mobile(client, other, body(1)).status_code == 409  # the recording is the first app's


def test_frames_and_images_are_for_the_sessions_owner(client: TestClient, mobile_app: Application) -> None:
    assert post_mobile(client, mobile_app, body(0)).status_code == 200
    [session] = sessions_of(client)
    assert client.get(f"/api/v1/sessions/{session['id']}/images/..%2F..%2Fetc").status_code in (400, 404)
    assert client.get(f"/api/v1/sessions/{session['id']}/images/{'0' * 64}").status_code == 404
    assert client.get(f"/api/v1/sessions/{session['id']}/frame", params={"t": -1}).status_code == 400
    before = client.get(f"/api/v1/sessions/{session['id']}/frame", params={"t": 0})
    assert before.status_code == 200
    anonymous = TestClient(client.app)
    assert anonymous.get(f"/api/v1/sessions/{session['id']}/frame").status_code == 401


def test_the_application_is_read_once_per_ttl_not_per_beacon(
    client: TestClient, mobile_app: Application, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = app_reads(monkeypatch, client.app.state.reel.sessions)  # type: ignore[attr-defined]
    for seq in range(5):
        assert post_mobile(client, mobile_app, body(seq)).status_code == 200
    assert reads == [mobile_app.app_key]
    clock.advance(APP_TTL_MS + 1)
    assert post_mobile(client, mobile_app, body(5)).status_code == 200
    assert reads == [mobile_app.app_key] * 2
