"""The edges of a mobile session, from outside: it starts on its first picture, a final beacon closes it
as an app's, and after a split each part counts what it plays."""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from mobile_support import RED, ClientTransport, frame, image_bytes, post_mobile
from reel.capture.mobile.model import DeviceInfo, Screen
from reel.capture.mobile.queue import UploadQueue
from reel.capture.mobile.recorder import Recorder, RecorderConfig
from reel.capture.mobile.wire import Envelope, encode_body
from reel.domain.records import Application
from reel.processing.worker import process_pending
from support import T0


def test_a_recording_starts_on_its_first_full_frame(
    client: TestClient, mobile_app: Application, tmp_path: Path
) -> None:
    """The SDK's clock moves on while the adapter grabs its first screenshot (8-21 ms on the demo app):
    the session still starts with the picture, so `t=0` shows the screen."""
    ticks = itertools.count(T0 - 60_000, 7)  # every read of the device clock is 7 ms later

    def clock() -> int:
        return next(ticks)

    queue = UploadQueue(tmp_path / "queue", ClientTransport(client, mobile_app.app_key), clock=clock)
    recorder = Recorder(RecorderConfig(), queue, clock=clock)
    recorder.start(DeviceInfo(model="Pixel"), Screen(36, 64))
    recorder.capture(Image.new("RGB", (36, 64), RED), "Home")
    recorder.tap(3, 3, "Button#ok")
    recorder.stop()
    assert queue.send_pending().sent == 1
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    events = client.get(f"/api/v1/sessions/{session['id']}/mobile-events").json()["events"]
    first_frame = next(e for e in events if e["type"] == "frame")
    assert session["start"] == first_frame["timestamp"] == events[0]["timestamp"]
    picture = client.get(f"/api/v1/sessions/{session['id']}/frame", params={"t": 0})
    assert picture.status_code == 200
    assert Image.open(io.BytesIO(picture.content)).convert("RGB").getpixel((5, 5)) == RED
    # The last beacon of an app says the app stopped: the session is closed as an app's, not a tab's.
    assert (session["closed"], session["close_reason"]) == (True, "app_closed")


def test_after_a_split_each_part_counts_the_beacons_and_events_it_plays(
    client: TestClient, mobile_app: Application
) -> None:
    """Twelve beacons of taps, all received before processing splits the session after 200 actions."""
    beacons: list[list[dict[str, Any]]] = []
    ts = T0
    for b in range(12):
        events: list[dict[str, Any]] = [frame(ts, 0, view="List")] if b == 0 else []
        for _ in range(25):
            ts += 100
            events.append({"type": "tap", "timestamp": ts, "x": 1 + b, "y": 1, "target": "Row"})
        beacons.append(events)
    for seq, events in enumerate(beacons):
        images = [image_bytes("png")] if seq == 0 else []
        data = encode_body(Envelope("m-rec-split", "s", seq, T0), events, images)
        assert post_mobile(client, mobile_app, data).status_code == 200
    process_pending(client.app.state.reel)  # type: ignore[attr-defined]
    parts = client.get("/api/v1/sessions", params={"platform": "mobile", "sort": "start"}).json()["sessions"]
    assert [p["part"] for p in parts] == [1, 2]
    for part in parts:
        played = client.get(f"/api/v1/sessions/{part['id']}/mobile-events").json()["events"]
        own = [
            e
            for e in played
            if e["timestamp"] >= part["start"] and (part["part"] == 2 or e["timestamp"] < parts[1]["start"])
        ]
        # A later part's events start with its checkpoint (the screen at the split), not counted as its own.
        own = [
            e
            for e in own
            if part["part"] == 1
            or not (e["timestamp"] == part["start"] and e["type"] in ("start", "frame", "view"))
        ]
        holding = {
            seq
            for seq, events in enumerate(beacons)
            if any(
                part["start"] <= e["timestamp"] and (part["part"] == 2 or e["timestamp"] < parts[1]["start"])
                for e in events
            )
        }
        assert (part["events"], part["beacons"]) == (len(own), len(holding)), part["part"]
        loads = 1 if part["part"] == 1 else 0  # the first view shown is an action too
        assert part["actions"] == loads + sum(1 for e in own if e["type"] == "tap")
    assert sum(p["events"] for p in parts) == sum(len(b) for b in beacons)
