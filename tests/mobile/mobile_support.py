"""Helpers of the mobile tests: images of each type, beacon bodies, a transport over the test client,
a device clock, and picture comparison (share of matching pixels, with Pillow only)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image, ImageChops

from reel.capture.mobile.queue import SendResult
from reel.capture.mobile.wire import CONTENT_TYPE, Envelope, encode_body
from reel.domain.records import Application
from support import T0

Box = tuple[int, int, int, int]


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
