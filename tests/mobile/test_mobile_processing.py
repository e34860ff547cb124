"""Mobile processing, pure: image headers, actions from gestures and views, splits with checkpoints."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from mobile_support import image_bytes
from reel.domain.mobile_beacons import summarise_mobile
from reel.domain.splits import SplitPolicy
from reel.errors import PayloadTooLarge, UnsupportedMediaType
from reel.processing.mobile.actions import MobileActionExtractor
from reel.processing.mobile.platform import MobilePlatform
from reel.processing.recording import BeaconSession, RecordingProcessor
from reel.replay.mobile.compositor import composite_at, frames_at
from reel.screen.images import read_image_info

T = 1_764_240_000_000


def webp(size: tuple[int, int], **options: Any) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGBA" if options.pop("alpha", False) else "RGB", size, (9, 9, 9, 128))
    img.save(out, format="WEBP", **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (image_bytes("png", (123, 45)), "png"),
        (image_bytes("jpeg", (123, 45)), "jpeg"),
        (webp((123, 45), quality=50), "webp"),  # VP8
        (webp((123, 45), lossless=True), "webp"),  # VP8L
        (webp((123, 45), alpha=True, quality=50), "webp"),  # VP8X
    ],
)
def test_image_headers_give_type_and_size(data: bytes, fmt: str) -> None:
    info = read_image_info(data, "images[0]")
    assert (info.format, info.width, info.height) == (fmt, 123, 45)


def test_other_types_and_animations_are_refused() -> None:
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(UnsupportedMediaType):
        read_image_info(gif.getvalue(), "images[0]")
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "blue")]
    anim = io.BytesIO()
    frames[0].save(anim, format="WEBP", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(UnsupportedMediaType):
        read_image_info(anim.getvalue(), "images[0]")
    with pytest.raises(PayloadTooLarge):
        read_image_info(image_bytes("png", (8193, 1)), "images[0]")


def ev(type_: str, ts: int, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "timestamp": ts, **fields}


def frame(ts: int, full: bool, view: str = "List", image: str = "a") -> dict[str, Any]:
    return ev("frame", ts, view=view, full=full, rect=[0, 0, 10, 10], image=image, masks=[])


def tap(ts: int, x: float = 5, y: float = 5) -> dict[str, Any]:
    return ev("tap", ts, x=x, y=y, target="Button#go")


def test_views_taps_rage_typing_and_crashes_become_actions() -> None:
    extractor = MobileActionExtractor()
    events = [
        frame(T, True, "List"),
        tap(T + 100),
        tap(T + 300),
        tap(T + 500),
        ev("view", T + 600, name="Form"),
        ev("keys", T + 700, count=3, target="QLineEdit#name"),
        ev("keys", T + 900, count=2, target="QLineEdit#name"),
        ev("keys", T + 950, count=2, target="QLineEdit#email"),
        ev("long_press", T + 1000, x=1, y=2, duration=700, target="Row"),
        ev("crash", T + 2000, kind="ValueError", where="app.py:3 in pay", fatal=True),
    ]
    for e in events:
        extractor.feed(e)
    kinds = [(a.kind, a.url) for a in extractor.drain()]
    assert kinds == [
        ("load", "List"),
        ("tap", "List"),
        ("rage_click", "List"),
        ("tap", "List"),
        ("tap", "List"),
        ("load", "Form"),
        ("input", "Form"),
        ("input", "Form"),
        ("long_press", "Form"),
        ("error", "Form"),
    ]


def test_summary_marks_replay_once_a_full_frame_and_a_view_exist() -> None:
    partial_only = summarise_mobile([frame(T, False, view="")])
    assert not partial_only.has_full_snapshot and not partial_only.has_meta
    full = summarise_mobile([frame(T, True), frame(T + 5, False, "List"), ev("view", T + 9, name="Cart")])
    assert full.has_full_snapshot and full.has_meta and full.urls == ("List", "Cart")


def test_frames_at_start_from_the_last_full_frame() -> None:
    events = [
        frame(T, True, image="a"),
        frame(T + 10, False, image="b"),
        frame(T + 20, True, image="c"),
        frame(T + 30, False, image="d"),
    ]
    assert [f["image"] for f in frames_at(events, T + 15)] == ["a", "b"]
    assert [f["image"] for f in frames_at(events, T + 35)] == ["c", "d"]
    assert frames_at(events, T - 1) == []
    assert composite_at(events, T - 1, lambda d: b"") is None


def test_a_split_part_starts_from_a_checkpoint_of_the_screen() -> None:
    policy = SplitPolicy(max_actions=3)
    processor = RecordingProcessor("rec", MobilePlatform(), policy)
    session = BeaconSession("ses_1", "c-1", 1, T)
    processor.feed_beacon(
        session,
        0,
        [
            ev("start", T, screen={"width": 10, "height": 10, "density": 1}),
            frame(T, True, image="a"),
            frame(T + 5, False, image="b"),
        ],
        300,
    )
    processor.feed_beacon(session, 1, [tap(T + 10 + i * 2000) for i in range(4)], 400)
    out = processor.take_output()
    [split] = out.splits
    assert split.at == T + 4010  # the load and two taps fill part 1; the third tap opens part 2
    images = [e["image"] for e in split.checkpoint if e["type"] == "frame"]
    assert images == ["a", "b"] and all(e["timestamp"] == split.at for e in split.checkpoint)
    assert split.checkpoint[0]["type"] == "start" and split.checkpoint[-1] == ev(
        "view", split.at, name="List"
    )
    # Where processing is survives a round trip, as between rounds; the screen is warmed up again from
    # the events since the last keyframe (here: the whole recording, its first segment).
    again = RecordingProcessor("rec", MobilePlatform(), policy, state=processor.export_state())
    assert again.part == processor.part and again.segment == processor.segment
    again.warm([e for cut in out.cuts for e in cut.keyframe] + [frame(T, True, image="a")])
    assert again.platform.state_events(T + 99_999)[0]["image"] == "a"
