"""A mobile session as a video: the composited screen at a fixed frame rate, gestures drawn in, H.264
in MP4 through PyAV (FFmpeg's libraries, shipped in the wheel).

The video lasts the session: frame i shows the moment `start + i / fps`, for every i up to the end,
so its length is the session's duration rounded up to a whole frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from PIL import Image

from reel.replay.mobile.overlay import draw_gestures
from reel.screen.canvas import Canvas, ImageLoader

GESTURE_TYPES = frozenset({"tap", "long_press", "swipe", "scroll", "pinch", "rotate", "keys", "keyboard"})


def frame_times(start: int, end: int, fps: int) -> list[int]:
    """The moment (ms epoch) each video frame shows."""
    count = math.floor(max(0, end - start) * fps / 1000) + 1
    return [start + round(i * 1000 / fps) for i in range(count)]


def _fit(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`picture` letterboxed into `size` (a turned screen keeps its proportions)."""
    if picture.size == size:
        return picture
    ratio = min(size[0] / picture.width, size[1] / picture.height)
    scaled = picture.resize((max(1, round(picture.width * ratio)), max(1, round(picture.height * ratio))))
    out = Image.new("RGB", size, (0, 0, 0))
    out.paste(scaled, ((size[0] - scaled.width) // 2, (size[1] - scaled.height) // 2))
    return out


def render_frames(
    events: Sequence[Mapping[str, Any]],
    load: ImageLoader,
    start: int,
    end: int,
    fps: int,
    canvas: Canvas | None = None,
) -> Iterator[Image.Image]:
    """The pictures of the video, one per frame time, of one size (even, as H.264 needs). Frames that
    cannot be drawn are skipped; pass a `canvas` to read them from its `skipped` afterwards."""
    ordered = sorted(events, key=lambda e: int(e["timestamp"]))
    frames = [e for e in ordered if e["type"] == "frame"]
    gestures = [e for e in ordered if e["type"] in GESTURE_TYPES]
    first_full = next((e for e in frames if e["full"]), None)
    if first_full is None:
        return
    probe = Canvas()
    probe.draw(first_full, load)
    width, height = probe.image.size if probe.image is not None else (2, 2)
    size = (width + width % 2, height + height % 2)
    canvas = canvas if canvas is not None else Canvas()
    applied = 0
    for t in frame_times(start, end, fps):
        while applied < len(frames) and int(frames[applied]["timestamp"]) <= t:
            canvas.draw(frames[applied], load)
            applied += 1
        if canvas.image is None:
            yield Image.new("RGB", size, (0, 0, 0))
            continue
        yield _fit(draw_gestures(canvas.image, gestures, t, canvas.scale), size)


def write_mp4(pictures: Iterator[Image.Image], path: Path, fps: int) -> int:
    """Encode the pictures as H.264 in MP4 at `fps`; returns how many frames were written."""
    written = 0
    with av.open(str(path), mode="w") as container:
        stream: Any = None
        for picture in pictures:
            if stream is None:
                stream = container.add_stream("libx264", rate=fps)
                stream.width, stream.height = picture.size
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": "23", "preset": "veryfast"}
            frame = av.VideoFrame.from_image(picture)  # type: ignore[no-untyped-call]
            frame.pts = written
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
            written += 1
        if stream is not None:
            for packet in stream.encode():
                container.mux(packet)
    return written
