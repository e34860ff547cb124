"""The SDK's pure core: changed regions, masking, encoding, gestures, the crash ring."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from reel.capture.mobile.crash import CrashRing, Item
from reel.capture.mobile.differ import ALIGN_PX, diff_frames
from reel.capture.mobile.encoder import EncoderConfig, FrameEncoder
from reel.capture.mobile.gestures import GestureTracker
from reel.capture.mobile.masking import MASK_COLOR, MaskPolicy, ViewFacts, mask_rects, paint_masks
from reel.capture.mobile.model import DeviceInfo, Rect, Screen
from reel.capture.mobile.recorder import Capture, Recorder, RecorderConfig
from reel.ingest.mobile_envelope import parse_mobile_beacon
from reel.replay.mobile.compositor import composite_at
from reel.screen.canvas import Canvas

W, H = 360, 640


def screen(color: tuple[int, int, int] = (240, 240, 240)) -> Image.Image:
    return Image.new("RGB", (W, H), color)


def with_box(
    base: Image.Image, box: tuple[int, int, int, int], color: tuple[int, int, int] = (200, 0, 0)
) -> Image.Image:
    out = base.copy()
    ImageDraw.Draw(out).rectangle(box, fill=color)
    return out


def test_the_same_screen_changes_nothing() -> None:
    assert not diff_frames(screen(), screen()).changed


def test_a_first_screen_or_a_new_view_is_a_full_frame() -> None:
    assert diff_frames(None, screen()).full
    assert diff_frames(screen(), screen(), view_changed=True).full


def test_a_small_change_is_a_grid_aligned_rectangle_around_it() -> None:
    change = diff_frames(screen(), with_box(screen(), (100, 200, 120, 210)))
    assert not change.full
    [rect] = change.rects
    assert rect.x <= 100 and rect.y <= 200 and rect.x + rect.w > 120 and rect.y + rect.h > 210
    assert all(v % ALIGN_PX == 0 for v in (rect.x, rect.y, rect.w, rect.h))


def test_changes_far_apart_are_separate_rectangles() -> None:
    changed = with_box(with_box(screen(), (10, 10, 30, 20)), (300, 600, 340, 630))
    assert len(diff_frames(screen(), changed).rects) == 2


def test_most_of_the_screen_changing_is_a_full_frame() -> None:
    assert diff_frames(screen(), with_box(screen(), (0, 0, W - 1, 400))).full


def test_text_inputs_and_passwords_are_masked_by_default() -> None:
    field, password, label = Rect(10, 10, 100, 30), Rect(10, 50, 100, 30), Rect(10, 90, 100, 30)
    views = [
        ViewFacts(field, text_input=True),
        ViewFacts(password, text_input=True, password=True, sensitive=False),
        ViewFacts(label),
        ViewFacts(Rect(10, 130, 100, 30), text_input=True, sensitive=False),
        ViewFacts(Rect(10, 170, 100, 30), sensitive=True),
    ]
    assert mask_rects(views) == [field, password, Rect(10, 170, 100, 30)]
    assert mask_rects(views[:1], MaskPolicy(mask_text_inputs=False)) == []


def test_masks_cover_every_original_pixel_at_any_density() -> None:
    shot = Image.new("RGB", (W * 3, H * 3), (0, 0, 0))
    painted = paint_masks(shot, [Rect(10.4, 20.6, 33.3, 10.1)], 3.0)
    box = (31, 61, 131, 92)  # floor/ceil of the rectangle times 3
    colors = painted.crop(box).getcolors()
    assert colors is not None and (0, 0, 0) not in [c for _, c in colors]
    assert painted.getpixel((box[0] + 5, box[1] + 5)) == MASK_COLOR


def test_partial_frames_land_where_they_were_cut_at_any_scale() -> None:
    device = Screen(360, 640, 3.0)
    encoder = FrameEncoder(device, EncoderConfig(format="png"))
    assert encoder.size == (540, 960)  # downscaled to 1.5 pixels per point
    before = Image.new("RGB", (1080, 1920), (250, 250, 250))
    after = with_box(before, (300, 600, 420, 690))
    canvas = Canvas()
    canvas.apply({"full": True, "rect": [0, 0, 360, 640]}, encoder.encode(encoder.prepare(before)))
    [pixels] = diff_frames(before, after).rects
    rect = pixels.scaled(1 / device.density)
    canvas.apply(
        {"full": False, "rect": rect.wire()}, encoder.encode(encoder.crop(encoder.prepare(after), rect))
    )
    assert canvas.image is not None and canvas.image.tobytes() == encoder.prepare(after).tobytes()


def test_webp_goes_lossless_when_that_is_smaller() -> None:
    flat = with_box(screen(), (20, 20, 200, 60), (30, 30, 30))
    data = FrameEncoder(Screen(W, H), EncoderConfig()).encode(flat)
    assert Image.open(io.BytesIO(data)).convert("RGB").tobytes() == flat.tobytes()


def test_gestures_from_pointer_events() -> None:
    g = GestureTracker()
    g.down(0, 10, 10, 1000, target="Button#ok")
    [tap] = g.up(0, 12, 11, 1080)
    assert tap == {"type": "tap", "timestamp": 1000, "x": 10, "y": 10, "target": "Button#ok"}
    g.down(0, 10, 10, 2000)
    assert g.up(0, 10, 10, 2700)[0]["type"] == "long_press"
    g.down(0, 100, 500, 3000, scrollable=True)
    for i in range(1, 6):
        g.move(0, 100, 500 - i * 60, 3000 + i * 20)
    [scroll] = g.up(0, 100, 200, 3120)
    assert scroll["type"] == "scroll" and scroll["dy"] == -300 and scroll["points"][-1] == [100, 200, 120]
    g.down(0, 10, 300, 4000)
    assert g.up(0, 300, 300, 4100)[0]["type"] == "swipe"
    g.down(0, 100, 100, 5000)
    g.down(1, 200, 100, 5010)
    g.move(0, 50, 150, 5100)
    g.move(1, 250, 50, 5100)
    kinds = {e["type"]: e for e in g.up(0, 50, 150, 5200)}
    assert kinds["pinch"]["scale"] > 1.3 and abs(kinds["rotate"]["degrees"]) > 15
    assert g.up(1, 250, 50, 5210) == []


class Bodies:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def put(self, name: str, body: bytes) -> None:
        self.bodies.append(body)


def events_of(sink: Bodies) -> list[dict[str, object]]:
    return [e for b in sink.bodies for e in parse_mobile_beacon(b, max_events=10_000).events]


def test_the_recorder_limits_its_frame_rate_and_skips_unchanged_screens() -> None:
    now = [1_000_000]
    sink = Bodies()
    rec = Recorder(RecorderConfig(max_fps=2), sink, clock=lambda: now[0])
    rec.start(DeviceInfo(), Screen(W, H))
    assert rec.capture(screen(), "Home") is Capture.FULL
    now[0] += 100
    assert rec.capture(with_box(screen(), (0, 0, 10, 10)), "Home") is Capture.DEFERRED
    now[0] += 500
    assert rec.capture(with_box(screen(), (0, 0, 10, 10)), "Home") is Capture.PARTIAL
    now[0] += 500
    assert rec.capture(with_box(screen(), (0, 0, 10, 10)), "Home") is Capture.UNCHANGED
    now[0] += 500
    assert rec.capture(with_box(screen(), (0, 0, 10, 10)), "Cart") is Capture.FULL
    rec.stop()
    kinds = [(e["type"], e.get("full")) for e in events_of(sink)]
    assert kinds.count(("frame", True)) == 2 and kinds.count(("frame", False)) == 1
    assert ("view", None) in kinds


@pytest.mark.parametrize("window", [3_000, 8_000])
def test_the_crash_ring_starts_its_window_with_the_screen_as_it_was(window: int) -> None:
    encoder = FrameEncoder(Screen(W, H), EncoderConfig(format="png"))
    ring = CrashRing(window)
    shots = {}
    for i in range(10):  # a frame a second: a full one, then growing partial boxes
        ts = 1000 * i
        shot = with_box(screen(), (0, 0, 20 * (i + 1) - 1, 20 * (i + 1) - 1))
        shots[ts] = shot
        if i == 0:
            ring.add(
                Item(
                    {
                        "type": "frame",
                        "timestamp": ts,
                        "view": "V",
                        "full": True,
                        "rect": [0, 0, W, H],
                        "masks": [],
                    },
                    encoder.encode(shot),
                ),
                ts,
            )
        else:
            rect = [0, 0, 20 * (i + 1), 20 * (i + 1)]
            part = encoder.encode(shot.crop((0, 0, rect[2], rect[3])))
            ring.add(
                Item(
                    {"type": "frame", "timestamp": ts, "view": "V", "full": False, "rect": rect, "masks": []},
                    part,
                ),
                ts,
            )
        ring.add(Item({"type": "tap", "timestamp": ts + 1, "x": 1, "y": 1, "target": ""}), ts + 1)
    now = 9_500
    items = ring.take(now, encoder.encode)
    cutoff = now - window
    assert all(cutoff <= item.ts <= now for item in items)
    events = [item.event for item in items]
    assert events[0]["full"] is True and events[0]["timestamp"] == cutoff

    def load(digest: str) -> bytes:
        return next(i.image for i in items if i.image is not None and str(id(i)) == digest) or b""

    for item in items:
        if item.image is not None:
            item.event["image"] = str(id(item))
    shown = max(ts for ts in shots if ts <= cutoff)
    picture = composite_at(events, cutoff, load)
    assert picture is not None and picture.tobytes() == shots[shown].tobytes()
    final = composite_at(events, now, load)
    assert final is not None and final.tobytes() == shots[9000].tobytes()


def test_an_interaction_after_the_idle_timeout_starts_a_new_session() -> None:
    now = [1_000_000]
    sink = Bodies()
    rec = Recorder(RecorderConfig(idle_timeout_ms=60_000), sink, clock=lambda: now[0])
    rec.start(DeviceInfo(model="Pixel"), Screen(W, H))
    rec.capture(screen(), "Home")
    rec.tap(10, 10)
    first = rec.session_id
    now[0] += 60_000
    rec.tap(20, 20)
    assert rec.session_id != first
    now[0] += 1000
    assert rec.capture(screen(), "Home") is Capture.UNCHANGED  # already sent as the new session opened
    rec.stop()
    beacons = [parse_mobile_beacon(b, max_events=100) for b in sink.bodies]
    assert [b.session_id for b in beacons] == [first, rec.session_id]
    # The new session opens with the screen as last captured, at its first moment.
    opening = beacons[1].events[:3]
    assert [e["type"] for e in opening] == ["start", "frame", "tap"]
    assert opening[1]["full"] is True and opening[0]["timestamp"] == opening[1]["timestamp"]
