"""The recorder: screenshots and interactions in, beacons out (framework-agnostic; adapters call it).

An adapter hands over a screenshot whenever the screen may have changed; the recorder takes at most
`max_fps` of them a second, paints the masks, and sends a full frame on a new view (or when most of the
screen changed, or as a periodic keyframe) and otherwise only the changed rectangles. Events are
batched into beacons every few seconds, at a size bound, when the app goes to the background and on
stop; each beacon goes to the upload queue's folder before it is sent. In crash-only mode nothing is
sent until a crash (or `trigger`): then the last `crash_window_ms` go out.
"""

from __future__ import annotations

import enum
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from PIL import Image

from reel.capture.mobile.crash import CrashRing, Item
from reel.capture.mobile.differ import FULL_SHARE, diff_frames
from reel.capture.mobile.encoder import EncoderConfig, FrameEncoder
from reel.capture.mobile.masking import paint_masks
from reel.capture.mobile.model import DeviceInfo, Rect, Screen
from reel.capture.mobile.wire import Envelope, encode_body

EVENT_OVERHEAD = 120
"""Rough JSON bytes of one event, for the batch size bound."""


@dataclass(frozen=True)
class RecorderConfig:
    """What to capture and how often (defaults suit a phone on a mobile network)."""

    max_fps: float = 2.0
    flush_interval_ms: int = 5_000
    max_batch_bytes: int = 512 * 1024
    keyframe_interval_ms: int = 60_000
    keyframe_after_partials: int = 100
    full_share: float = FULL_SHARE
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    crash_only: bool = False
    crash_window_ms: int = 10_000
    idle_timeout_ms: int = 30 * 60 * 1000
    """An interaction after this long without one starts a new session (brief §5), as on the web."""


class BeaconSink(Protocol):
    """Where finished beacon bodies go (an `UploadQueue`)."""

    def put(self, name: str, body: bytes) -> object:
        """Keep `body` under `name` until it is sent."""
        ...


class Capture(enum.Enum):
    """What `Recorder.capture` did with a screenshot."""

    FULL = "full"
    PARTIAL = "partial"
    UNCHANGED = "unchanged"
    DEFERRED = "deferred"
    """Too soon after the last one (at most `max_fps`): offer it again later."""


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class Recorder:
    """One app run's recording; not thread-safe (call it from the UI thread)."""

    def __init__(
        self,
        config: RecorderConfig,
        sink: BeaconSink,
        *,
        clock: Callable[[], int] = _wall_ms,
        on_beacon: Callable[[], None] | None = None,
        recording_id: str | None = None,
    ) -> None:
        self.config = config
        self.sink = sink
        self.clock = clock
        self.on_beacon = on_beacon
        self.recording_id = recording_id or str(uuid.uuid4())
        self.session_id = str(uuid.uuid4())
        self.seq = 0
        self.rules_version = 0
        """The version of the masking rules applied (the adapter sets it from the config it fetched)."""
        self.view = ""
        self.screen: Screen | None = None
        self.encoder: FrameEncoder | None = None
        self.ring = CrashRing(config.crash_window_ms) if config.crash_only else None
        self._pending: list[Item] = []
        self._pending_bytes = 0
        self._last_flush = clock()
        self._previous: Image.Image | None = None
        self._last_capture: int | None = None
        self._last_full = 0
        self._partials = 0
        self._force_full = False
        self._start: dict[str, Any] | None = None
        self._opening = False
        self._last_interaction: int | None = None
        self._partial_pixels = 0
        self._masks: list[Any] = []

    # ---- screens -------------------------------------------------------------------------------------

    def start(self, device: DeviceInfo, screen: Screen) -> None:
        """Begin recording: the device and the screen (points and density).

        The start events are stamped when the first thing is recorded (the adapter's first screenshot,
        right after this): a session then starts with its first full frame, so its first moment shows
        the screen rather than nothing."""
        self._set_screen(screen)
        self._start = {"type": "start", "timestamp": 0, **device.wire(), "screen": self._screen_wire(screen)}
        self._opening = True

    def _open(self, now: int) -> None:
        """Record the start events at `now`, once, before anything else of the recording."""
        if not self._opening or self._start is None:
            return
        self._opening = False
        self._start = {**self._start, "timestamp": now}
        self._add(self._start)
        self._add({"type": "lifecycle", "timestamp": now, "state": "start"})

    def _set_screen(self, screen: Screen) -> None:
        self.screen = screen
        self.encoder = FrameEncoder(screen, self.config.encoder)
        self._previous = None

    @staticmethod
    def _screen_wire(screen: Screen) -> dict[str, float]:
        return {"width": screen.width, "height": screen.height, "density": screen.density}

    def orientation(self, screen: Screen) -> None:
        """The screen turned (or was resized): the next frame is a full one at the new size."""
        self._set_screen(screen)
        self._add(
            {
                "type": "orientation",
                "timestamp": self.clock(),
                "orientation": screen.orientation,
                "width": screen.width,
                "height": screen.height,
            }
        )

    def capture(self, screenshot: Image.Image, view: str, masks: Sequence[Rect] = ()) -> Capture:
        """Offer a screenshot (device pixels) of `view`, with the rectangles (points) to mask."""
        if self.screen is None or self.encoder is None:
            raise RuntimeError("call start() before capture()")
        now = self.clock()
        if self._last_capture is not None and now - self._last_capture < 1000 / self.config.max_fps:
            return Capture.DEFERRED
        self._last_capture = now
        masked = paint_masks(screenshot, masks, self.screen.density)
        keyframe = (
            self._force_full
            or now - self._last_full >= self.config.keyframe_interval_ms
            or self._partials >= self.config.keyframe_after_partials
        )
        change = diff_frames(
            self._previous,
            masked,
            view_changed=view != self.view or keyframe,
            full_share=self.config.full_share,
        )
        if not change.changed:
            return Capture.UNCHANGED
        if view != self.view:
            self._add({"type": "view", "timestamp": now, "name": view})
        self._previous, self.view, self._force_full = masked, view, False
        prepared = self.encoder.prepare(masked)
        self._masks = [m.wire() for m in masks]
        if not change.full:
            rects = [pixels.scaled(1 / self.screen.density) for pixels in change.rects]
            crops = [self.encoder.crop(prepared, rect) for rect in rects]
            pixels = sum(c.width * c.height for c in crops)
            # The partial frames after a full frame may hold as many pixels as it (the server's pixel
            # budget, docs/contracts/mobile-beacon.md): past that, a full frame costs less to draw.
            if self._partial_pixels + pixels <= self.encoder.size[0] * self.encoder.size[1]:
                for rect, crop in zip(rects, crops, strict=True):
                    self._add_frame(now, view, False, rect, self.encoder.encode(crop), self._masks)
                self._partials += len(rects)
                self._partial_pixels += pixels
                return Capture.PARTIAL
        self._full_frame(now, view, prepared)
        return Capture.FULL

    def _full_frame(self, now: int, view: str, prepared: Image.Image) -> None:
        """Send the whole screen (a screenshot already prepared by the encoder)."""
        if self.screen is None or self.encoder is None:
            return
        self._last_full, self._partials, self._partial_pixels = now, 0, 0
        whole = Rect(0, 0, self.screen.width, self.screen.height)
        self._add_frame(now, view, True, whole, self.encoder.encode(prepared), self._masks)

    def _add_frame(self, ts: int, view: str, full: bool, rect: Rect, image: bytes, masks: list[Any]) -> None:
        fmt = self.config.encoder.format
        event = {
            "type": "frame",
            "timestamp": ts,
            "view": view,
            "full": full,
            "rect": rect.wire(),
            "format": fmt,
            "masks": masks,
        }
        self._add(event, image)

    # ---- interactions --------------------------------------------------------------------------------

    def _interaction(self) -> None:
        """The user did something: after the idle timeout, that starts a new session, which opens with
        the device facts again and a full frame."""
        now = self.clock()
        if self._last_interaction is not None and now - self._last_interaction >= self.config.idle_timeout_ms:
            self.flush()  # a beacon belongs to one session
            self.session_id = str(uuid.uuid4())
            if self._start is not None:
                self._add({**self._start, "timestamp": now})
            if self._previous is not None and self.encoder is not None:
                # The screen as last captured opens the new session at its first moment.
                self._full_frame(now, self.view, self.encoder.prepare(self._previous))
            else:
                self._force_full = True
        self._last_interaction = now

    def gestures(self, events: Sequence[dict[str, Any]]) -> None:
        """Gesture events as a `GestureTracker` returns them."""
        if events:
            self._interaction()
        for event in events:
            self._add(dict(event))

    def tap(self, x: float, y: float, target: str = "") -> None:
        """A tap at (x, y) points on `target`."""
        self._interaction()
        self._add({"type": "tap", "timestamp": self.clock(), "x": x, "y": y, "target": target})

    def keys(self, count: int, target: str = "") -> None:
        """`count` keystrokes into the field `target`; never what they typed."""
        if count > 0:
            self._interaction()
            self._add({"type": "keys", "timestamp": self.clock(), "count": count, "target": target})

    def keyboard(self, visible: bool, height: float = 0) -> None:
        """The on-screen keyboard appeared or went away."""
        self._add({"type": "keyboard", "timestamp": self.clock(), "visible": visible, "height": height})

    def lifecycle(self, state: str) -> None:
        """start, foreground, background or stop; going to the background sends what is batched."""
        self._add({"type": "lifecycle", "timestamp": self.clock(), "state": state})
        if state == "background":
            self.flush()

    def identify(self, user_id: str) -> None:
        """Name the user (the app's own id for them)."""
        self._add({"type": "identify", "timestamp": self.clock(), "user_id": user_id})

    def event(self, name: str) -> None:
        """A custom event worth listing."""
        self._add({"type": "event", "timestamp": self.clock(), "name": name})

    def crash(self, kind: str, where: str = "", *, fatal: bool = True) -> None:
        """The app crashed (`kind`: the exception's type; `where`: file and line). In crash-only mode
        this uploads the last window; otherwise it sends everything batched."""
        self._add({"type": "crash", "timestamp": self.clock(), "kind": kind, "where": where, "fatal": fatal})
        if self.ring is not None:
            self.trigger()
        else:
            self.flush(final=fatal)

    def trigger(self) -> None:
        """Crash-only mode: upload the last window now (a crash does this by itself)."""
        if self.ring is None or self.encoder is None:
            return
        for item in self.ring.take(self.clock(), self.encoder.encode):
            self._queue(item)
        self.flush()

    # ---- batching ------------------------------------------------------------------------------------

    def tick(self) -> None:
        """Call every second or so: sends a batch once the flush interval has passed."""
        if self.clock() - self._last_flush >= self.config.flush_interval_ms:
            self.flush()

    def stop(self) -> None:
        """End of the recording: the last beacon is marked final."""
        self._add({"type": "lifecycle", "timestamp": self.clock(), "state": "stop"})
        self.flush(final=True)

    def _add(self, event: dict[str, Any], image: bytes | None = None) -> None:
        self._open(int(event["timestamp"]))
        item = Item(event, image)
        if self.ring is not None:
            self.ring.add(item, self.clock())
        else:
            self._queue(item)

    def _queue(self, item: Item) -> None:
        self._pending.append(item)
        self._pending_bytes += EVENT_OVERHEAD + len(item.image or b"")
        if self._pending_bytes >= self.config.max_batch_bytes:
            self.flush()

    def flush(self, *, final: bool = False) -> None:
        """Cut a beacon of what is batched and hand it to the sink."""
        now = self.clock()
        self._open(now)
        self._last_flush = now
        if not self._pending and (not final or self.ring is not None):
            return  # in crash-only mode even the end of a recording sends nothing unasked
        events: list[dict[str, Any]] = []
        images: list[bytes] = []
        for item in self._pending:
            event = dict(item.event)
            if item.image is not None:
                event["image"] = len(images)
                images.append(item.image)
            events.append(event)
        envelope = Envelope(self.recording_id, self.session_id, self.seq, now, final, self.rules_version)
        body = encode_body(envelope, events, images)
        self.sink.put(f"{now:015d}-{self.recording_id}-{self.seq:010d}", body)
        self.seq += 1
        self._pending, self._pending_bytes = [], 0
        if self.on_beacon is not None:
            self.on_beacon()
