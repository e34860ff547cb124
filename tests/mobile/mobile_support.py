"""Helpers of the mobile tests: images of each type, beacon bodies, a transport over the test client,
a device clock, and picture comparison (share of matching pixels, with Pillow only)."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image, ImageChops

from reel.capture.mobile.queue import SendResult
from reel.capture.mobile.wire import CONTENT_TYPE, Envelope, encode_body
from reel.domain.records import Application
from reel.screen.canvas import UNDECODABLE_FILL
from support import T0

Box = tuple[int, int, int, int]
RED, GREEN, BLUE, WHITE = (200, 0, 0), (0, 200, 0), (0, 0, 200), (255, 255, 255)


def image_bytes(
    fmt: str, size: tuple[int, int] = (36, 64), color: tuple[int, int, int] = (40, 120, 200)
) -> bytes:
    """A small image of one colour in `fmt` (PNG, JPEG or WEBP)."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt.upper())
    return out.getvalue()


def frame(
    ts: int,
    image: int,
    *,
    full: bool = True,
    rect: Sequence[float] = (0, 0, 36, 64),
    view: str = "Home",
    fmt: str = "png",
) -> dict[str, Any]:
    """A frame event naming image part `image`."""
    return {
        "type": "frame",
        "timestamp": ts,
        "view": view,
        "full": full,
        "rect": list(rect),
        "image": image,
        "format": fmt,
    }


def body(
    seq: int,
    events: list[dict[str, Any]] | None = None,
    images: Sequence[bytes] | None = None,
    *,
    recording: str = "m-rec-1",
    session: str = "m-ses-1",
    final: bool = False,
) -> bytes:
    """A framed mobile beacon: by default one full PNG frame and a tap."""
    if events is None:
        ts = T0 + seq * 1000
        events = [
            frame(ts, 0),
            {"type": "tap", "timestamp": ts + 100, "x": 10, "y": 20, "target": "Button#buy"},
        ]
        images = [image_bytes("png", color=(seq * 40 % 255, 100, 100))]
    return encode_body(Envelope(recording, session, seq, T0, final), events, images or [])


def post_mobile(
    client: TestClient,
    app: Application | None,
    data: bytes,
    *,
    key: str | None = None,
    headers: dict[str, str] | None = None,
    sent_at: int | None = None,
) -> Any:
    """POST a mobile beacon as an app does: no Origin, key in the query (and the attempt's time)."""
    params: dict[str, str | int] = {"k": key if key is not None else (app.app_key if app else "")}
    if sent_at is not None:
        params["sent_at"] = sent_at
    sent = {"Content-Type": CONTENT_TYPE, **(headers or {})}
    return client.post("/v1/mobile/beacons", params=params, content=data, headers=sent)


class ClientTransport:
    """The SDK's transport, over the FastAPI test client."""

    def __init__(self, client: TestClient, app_key: str) -> None:
        self.client = client
        self.app_key = app_key
        self.sent: list[int] = []

    def send(self, data: bytes, sent_at: int) -> SendResult:
        response = post_mobile(self.client, None, data, key=self.app_key, sent_at=sent_at)
        self.sent.append(response.status_code)
        retry = response.headers.get("retry-after")
        return SendResult(response.status_code, float(retry) if retry else None)


class DeviceClock:
    """The app's clock (ms), moved by hand."""

    def __init__(self, now: int = T0 - 60_000) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> int:
        self.now += ms
        return self.now


def _max_channel(a: Image.Image, b: Image.Image) -> Image.Image:
    r, g, bl = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).split()
    return ImageChops.lighter(ImageChops.lighter(r, g), bl)


def similarity(a: Image.Image, b: Image.Image, *, exclude: Sequence[Box] = (), tolerance: int = 24) -> float:
    """Share of pixels outside `exclude` whose channels all differ by at most `tolerance`."""
    assert a.size == b.size, (a.size, b.size)
    diff = _max_channel(a, b)
    bad = diff.point(lambda v: 255 if v > tolerance else 0)
    keep = Image.new("L", a.size, 255)
    for box in exclude:
        keep.paste(0, box)
    counted = keep.histogram()[255]
    mismatched = ImageChops.multiply(bad, keep).histogram()[255]
    return 1 - mismatched / max(1, counted)


def region_is_flat(
    picture: Image.Image, box: Box, colors: Sequence[tuple[int, int, int]], tolerance: int = 24
) -> bool:
    """True if every pixel of `box` is within `tolerance` of one of `colors` (a painted mask)."""
    region = picture.crop(box).convert("RGB")
    ok = Image.new("L", region.size, 0)
    for color in colors:
        near = _max_channel(region, Image.new("RGB", region.size, color)).point(
            lambda v: 255 if v <= tolerance else 0
        )
        ok = ImageChops.lighter(ok, near)
    return ok.histogram()[255] == region.width * region.height


def undecodable_png(size: tuple[int, int] = (36, 64)) -> bytes:
    """A PNG whose header and chunk checksums are right but whose pixel data is garbage: it passes every
    check ingest makes and still does not decode."""
    good = image_bytes("png", size)
    at = good.index(b"IDAT") - 4
    length = int.from_bytes(good[at : at + 4], "big")
    garbage = random.Random(16).randbytes(length)
    chunk = good[at : at + 4] + b"IDAT" + garbage + struct.pack(">I", zlib.crc32(b"IDAT" + garbage))
    return good[:at] + chunk + good[at + 12 + length :]


def corrupt_session_events() -> tuple[list[dict[str, Any]], list[bytes]]:
    """Six seconds: red, a green top half, a full frame that does not decode, a blue bottom half over it,
    a top half that does not decode, then white."""
    images = [
        image_bytes("png", (36, 64), RED),
        image_bytes("png", (36, 32), GREEN),
        undecodable_png(),
        image_bytes("png", (36, 32), BLUE),
        undecodable_png((36, 32)),
        image_bytes("png", (36, 64), WHITE),
    ]
    events = [
        frame(T0, 0),
        frame(T0 + 1000, 1, full=False, rect=(0, 0, 36, 32)),
        frame(T0 + 2000, 2, view="Detail"),
        frame(T0 + 3000, 3, full=False, rect=(0, 32, 36, 32), view="Detail"),
        frame(T0 + 4000, 4, full=False, rect=(0, 0, 36, 32), view="Detail"),
        frame(T0 + 5000, 5, view="Home"),
        {"type": "tap", "timestamp": T0 + 6000, "x": 5, "y": 5, "target": "Button#ok"},
    ]
    return events, images


def post_corrupt_session(client: TestClient, app: Application, recording: str = "m-rec-bad") -> str:
    events, images = corrupt_session_events()
    first = encode_body(Envelope(recording, "s", 0, T0), events[:3], images[:3])
    second = encode_body(
        Envelope(recording, "s", 1, T0),
        [{**e, "image": e["image"] - 3} if "image" in e else e for e in events[3:]],
        images[3:],
    )
    for data in (first, second):
        answer = post_mobile(client, app, data)
        assert answer.status_code == 200, answer.text  # the damage is past what ingest can see
    [session] = client.get("/api/v1/sessions", params={"platform": "mobile"}).json()["sessions"]
    return str(session["id"])


def expected_at(t: int) -> tuple[tuple[int, int, int], tuple[int, int, int], int]:
    """Top colour, bottom colour and frames skipped at `t` ms into the corrupt session."""
    grey = UNDECODABLE_FILL
    if t < 1000:
        return RED, RED, 0
    if t < 2000:
        return GREEN, RED, 0
    if t < 3000:
        return grey, grey, 1
    if t < 4000:
        return grey, BLUE, 1
    if t < 5000:
        return grey, BLUE, 2
    return WHITE, WHITE, 0
