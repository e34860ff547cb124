"""Mobile sessions survive bad pictures and late uploads, tried from outside (HTTP beacons, the API):
an image that does not decode is skipped where it is drawn, never a 5xx; damaged files are refused at
ingest; a beacon queued for hours keeps its recorded times while a wrong clock is still corrected;
`stored_bytes` is what is stored; coordinates are used exactly as sent."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from mobile_support import (
    BLUE,
    GREEN,
    RED,
    WHITE,
    ClientTransport,
    DeviceClock,
    expected_at,
    frame,
    image_bytes,
    post_corrupt_session,
    post_mobile,
    undecodable_png,
)
from reel.capture.mobile.model import DeviceInfo, Screen
from reel.capture.mobile.queue import SendResult, UploadQueue
from reel.capture.mobile.recorder import Recorder, RecorderConfig
from reel.capture.mobile.wire import Envelope, encode_body
from reel.domain.records import Application
from support import T0

HOUR = 3_600_000


def test_a_corrupt_image_mid_session_leaves_every_other_moment_playable(
    client: TestClient, mobile_app: Application
) -> None:
    session_id = post_corrupt_session(client, mobile_app)
    for t in range(0, 6001, 250):
        picture = client.get(f"/api/v1/sessions/{session_id}/frame", params={"t": t})
        assert picture.status_code == 200, (t, picture.status_code, picture.text[:200])
        top, bottom, skipped = expected_at(t)
        shown = Image.open(io.BytesIO(picture.content)).convert("RGB")
        assert (shown.getpixel((18, 10)), shown.getpixel((18, 50))) == (top, bottom), t
        assert picture.headers["X-Reel-Skipped-Frames"] == str(skipped), t
    events = client.get(f"/api/v1/sessions/{session_id}/mobile-events").json()["events"]
    # The image itself is served as it was sent: what the app uploaded, damage included.
    damaged = next(e["image"] for e in events if e["type"] == "frame" and e["timestamp"] == T0 + 2000)
    served = client.get(f"/api/v1/sessions/{session_id}/images/{damaged}")
    assert served.status_code == 200 and served.content == undecodable_png()


def test_a_damaged_image_file_is_refused_at_ingest_naming_it(
    client: TestClient, mobile_app: Application
) -> None:
    png = bytearray(image_bytes("png"))
    png[png.index(b"IDAT") + 6] ^= 0xFF  # a flipped byte: the chunk's checksum no longer matches
    jpeg = image_bytes("jpeg")[:-40]  # cut short: no end-of-image marker
    webp = image_bytes("webp")[:-10]  # cut short: its RIFF size runs past the data
    for kind, data in (("png", bytes(png)), ("jpeg", jpeg), ("webp", webp)):
        body = encode_body(Envelope("m-rec-dmg", "s", 0, T0), [frame(T0, 0, fmt=kind)], [data])
        answer = post_mobile(client, mobile_app, body)
        assert answer.status_code == 400, (kind, answer.text)
        assert (
            answer.json()["error"]["field"] == "images[0]" and "damaged" in answer.json()["error"]["message"]
        )


class Offline:
    """A transport with no network."""

    def send(self, data: bytes, sent_at: int) -> SendResult:
        return SendResult(0)


@pytest.mark.parametrize("device_ahead_ms", [0, 24 * HOUR], ids=["right clock", "clock a day ahead"])
def test_a_beacon_queued_offline_for_3_hours_keeps_its_recorded_times(
    client: TestClient, mobile_app: Application, tmp_path: Path, device_ahead_ms: int
) -> None:
    """Recorded 3 hours before the phone was back online: the events keep their times on the server's
    clock, whether the device's clock is right or a day ahead (then corrected by that day)."""
    recorded_at = T0 - 3 * HOUR  # server time of the recording (the server's clock is at T0)
    device = DeviceClock(recorded_at + device_ahead_ms)
    queue = UploadQueue(tmp_path / "queue", Offline(), clock=device, rand=lambda: 1.0)
    recorder = Recorder(RecorderConfig(), queue, clock=device)
    recorder.start(DeviceInfo(model="Pixel"), Screen(36, 64))
    recorder.capture(Image.new("RGB", (36, 64), RED), "Home")
    device.advance(1500)
    recorder.tap(5, 5, "Button#buy")
    recorder.stop()
    assert queue.send_pending().sent == 0 and len(queue.pending()) == 1  # offline: kept on disk
    device.advance(3 * HOUR - 1500)  # three hours later, back online
    queue.transport = ClientTransport(client, mobile_app.app_key)
    assert queue.send_pending(force=True).sent == 1
    [session] = client.get("/api/v1/sessions", params={"platform": "mobile"}).json()["sessions"]
    assert (session["start"], session["end"]) == (recorded_at, recorded_at + 1500)
    events = client.get(f"/api/v1/sessions/{session['id']}/mobile-events").json()["events"]
    assert [e["timestamp"] - recorded_at for e in events if e["type"] in ("frame", "tap")] == [0, 1500]


def test_the_attempt_time_is_a_number_of_milliseconds(client: TestClient, mobile_app: Application) -> None:
    answer = post_mobile(
        client, mobile_app, encode_body(Envelope("m-rec-st", "s", 0, T0), [], []), sent_at=-5
    )
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "sent_at"
    header = client.post(
        "/v1/mobile/beacons",
        params={"k": mobile_app.app_key},
        content=encode_body(Envelope("m-rec-st", "s", 0, T0), [], []),
        headers={"Content-Type": "application/vnd.reel.mobile-beacon", "X-Reel-Sent-At": "soon"},
    )
    assert header.status_code == 400 and header.json()["error"]["field"] == "sent_at"


def test_stored_bytes_equal_the_bytes_stored(client: TestClient, mobile_app: Application) -> None:
    """A beacon repeating an image an earlier one stored does not count it again."""
    screen, other = image_bytes("webp", color=RED), image_bytes("webp", color=GREEN)
    bodies = [
        encode_body(Envelope("m-rec-sb", "s", 0, T0), [frame(T0, 0, fmt="webp")], [screen]),
        encode_body(
            Envelope("m-rec-sb", "s", 1, T0),
            [frame(T0 + 1000, 0, fmt="webp"), frame(T0 + 2000, 1, fmt="webp")],
            [screen, other],
        ),
        encode_body(Envelope("m-rec-sb", "s", 2, T0), [frame(T0 + 3000, 0, fmt="webp")], [screen]),
    ]
    for data in bodies:
        assert post_mobile(client, mobile_app, data).status_code == 200
    ctx = client.app.state.reel  # type: ignore[attr-defined]
    stored = sum(len(ctx.blobs.get(key)) for key in ctx.blobs.keys("") if "/m-rec-sb/" in key)
    # The events wait in the session store's buffer (until compacted into a segment blob): stored too.
    stored += sum(len(p) for p in ctx.sessions.buffered("m-rec-sb", [0, 1, 2]).values())
    [application] = [
        a for a in client.get("/api/v1/applications").json()["applications"] if a["id"] == mobile_app.id
    ]
    assert application["stored_bytes"] == stored


def test_rectangles_are_drawn_exactly_where_the_contract_rounds_them(
    client: TestClient, mobile_app: Application
) -> None:
    """A partial frame from x = 0.2475 to 9.7475 pt on a 2 px/pt screen covers pixels floor(0.495 + 0.5)
    = 0 to floor(19.495 + 0.5) = 19: with x rounded to 0.25 pt first it would cover 1 to 20, a pixel off."""
    full = image_bytes("png", (72, 128), WHITE)
    patch = image_bytes("png", (19, 4), BLUE)  # pixels 0..18 of a box from 0.2475 to 9.7475 points
    events = [frame(T0, 0), frame(T0 + 10, 1, full=False, rect=(0.2475, 10, 9.5, 2))]
    events[0]["rect"] = [0, 0, 36, 64]
    answer = post_mobile(
        client, mobile_app, encode_body(Envelope("m-rec-xy", "s", 0, T0), events, [full, patch])
    )
    assert answer.status_code == 200
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    shown = Image.open(
        io.BytesIO(client.get(f"/api/v1/sessions/{session['id']}/frame", params={"t": 20}).content)
    )
    row = [shown.convert("RGB").getpixel((x, 21)) for x in range(0, 21)]
    assert row[0] == BLUE and row[18] == BLUE and row[19] == WHITE


def test_masks_of_views_partly_off_screen_are_accepted(client: TestClient, mobile_app: Application) -> None:
    event = {**frame(T0, 0), "masks": [[-10, -4.5, 30, 20], [20, 60, 40, 40]]}
    answer = post_mobile(
        client, mobile_app, encode_body(Envelope("m-rec-mk", "s", 0, T0), [event], [image_bytes("png")])
    )
    assert answer.status_code == 200
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    [stored] = client.get(f"/api/v1/sessions/{session['id']}/mobile-events").json()["events"]
    assert stored["masks"] == [[-10, -4.5, 30, 20], [20, 60, 40, 40]]
    moved = {**frame(T0, 0), "rect": [1, 0, 36, 64]}
    refused = post_mobile(
        client, mobile_app, encode_body(Envelope("m-rec-mk", "s", 1, T0), [moved], [image_bytes("png")])
    )
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "events[0].rect"
