"""P7: bytes stored per minute of a scripted 2-minute mobile session, against full-frame JPEG at 1 fps.

The demo Qt app (offscreen, 360x640 points at density 1, so no downscaling helps us) is driven through
a user's two minutes: browsing and scrolling the catalogue, opening products, going back, checking out
with typing into masked and unmasked fields. Time is simulated in 250 ms ticks; on each tick the Qt
adapter does what its timer does (offer a screenshot if something was painted; the recorder keeps at
most 2 a second), and beacons go through the real ingest into the stores.

Baseline, measured in the same run on the same screens: one JPEG (quality 80, full resolution) of the
window every second, which is what a screenshot-per-second recorder would upload and store.

Run: `python -m bench mobile_bytes` or `python bench/mobile_bytes.py`.
"""

from __future__ import annotations

import io
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fastapi.testclient import TestClient
from PySide6.QtWidgets import QApplication

from reel.admin.applications import create_application
from reel.capture.mobile.qt import QtCapture, to_pil
from reel.capture.mobile.queue import SendResult, UploadQueue
from reel.capture.mobile.recorder import Recorder, RecorderConfig
from reel.capture.mobile.wire import CONTENT_TYPE
from reel.clock import FixedClock
from reel.config import Settings
from reel.demo.mobile_app import MobileShop
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore

T0 = 1_764_240_000_000
TICK_MS = 250
DURATION_MS = 120_000
TARGET = 0.3


def script(shop: MobileShop) -> dict[int, Callable[[], None]]:
    """What the user does, by second: about one action every 2-4 s, as people use a shop app."""
    plan: list[tuple[int, Callable[[], None]]] = [
        (2, lambda: shop.scroll_list(1)),
        (4, lambda: shop.scroll_list(1)),
        (7, lambda: shop.tap_product(3)),
        (12, lambda: shop.tap(shop.back)),
        (14, lambda: shop.scroll_list(2)),
        (17, lambda: shop.tap_product(6)),
        (23, lambda: shop.tap(shop.back)),
        (25, lambda: shop.scroll_list(-3)),
        (28, lambda: shop.tap_product(1)),
        (34, lambda: shop.tap(shop.buy_button)),
        (37, lambda: shop.type_into(shop.name_field, "Margaret Hamilton")),
        (44, lambda: shop.type_into(shop.email_field, "margaret@example.com")),
        (52, lambda: shop.type_into(shop.coupon_field, "APOLLO11")),
        (58, lambda: shop.tap(shop.back)),
        (61, lambda: shop.tap(shop.back)),
        (64, lambda: shop.scroll_list(4)),
        (67, lambda: shop.scroll_list(2)),
        (70, lambda: shop.tap_product(8)),
        (78, lambda: shop.tap(shop.buy_button)),
        (81, lambda: shop.type_into(shop.name_field, "M. Hamilton")),
        (86, lambda: shop.type_into(shop.coupon_field, "X")),
        (90, lambda: shop.tap(shop.pay_button)),
        (97, lambda: shop.tap(shop.back)),
        (100, lambda: shop.scroll_list(-6)),
        (104, lambda: shop.tap_product(0)),
        (110, lambda: shop.tap(shop.back)),
        (113, lambda: shop.scroll_list(3)),
        (117, lambda: shop.tap_product(5)),
    ]
    return {second * 1000: action for second, action in plan}


class Transport:
    """The SDK's transport over the test client; counts wire bytes."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client, self.key, self.bytes, self.beacons = client, key, 0, 0

    def send(self, body: bytes, sent_at: int) -> SendResult:
        self.bytes += len(body)
        self.beacons += 1
        response = self.client.post(
            "/v1/mobile/beacons",
            params={"k": self.key, "sent_at": sent_at},
            content=body,
            headers={"Content-Type": CONTENT_TYPE},
        )
        return SendResult(response.status_code)


def jpeg_size(shop: MobileShop) -> int:
    out = io.BytesIO()
    to_pil(shop.grab().toImage()).save(out, format="JPEG", quality=80)
    return out.tell()


def run(folder: Path) -> dict[str, float]:
    qt = QApplication.instance() or QApplication([])
    QApplication.setCursorFlashTime(0)
    blobs = MemoryReplayStore()
    sessions = memory_session_store()
    server = create_app(
        Settings(data_dir=folder / "data"),
        sessions=sessions,
        blobs=blobs,
        clock=FixedClock(T0),
        operators=MemoryOperatorStore(),
    )
    now = [T0]
    with TestClient(server) as client:
        app = create_application(sessions, "Bench app", [], now_ms=T0, mobile=True)
        transport = Transport(client, app.app_key)
        queue = UploadQueue(folder / "queue", transport, clock=lambda: now[0])
        recorder = Recorder(RecorderConfig(), queue, clock=lambda: now[0])
        shop = MobileShop()
        shop.show()
        qt.processEvents()
        capture = QtCapture(shop, recorder)
        capture.start(auto=False)
        plan = script(shop)
        baseline = frames = 0
        started = time.perf_counter()
        for elapsed in range(0, DURATION_MS + 1, TICK_MS):
            now[0] = T0 + elapsed
            action = plan.get(elapsed)
            if action is not None:
                action()
            qt.processEvents()
            capture._on_timer()  # what the adapter's timer does every tick
            if elapsed % 1000 == 0:
                baseline += jpeg_size(shop)
                frames += 1
        capture.stop()
        queue.send_pending()
        elapsed_s = time.perf_counter() - started
        shop.close()
    stored = sum(len(blobs.get(k)) for k in blobs.keys(""))
    images = sum(1 for k in blobs.keys("") if "/img-" in k)
    minutes = DURATION_MS / 60_000
    return {
        "stored_per_min": stored / minutes,
        "wire_per_min": transport.bytes / minutes,
        "baseline_per_min": baseline / minutes,
        "baseline_frames": frames,
        "images": images,
        "beacons": transport.beacons,
        "seconds": elapsed_s,
    }


def main() -> None:
    """Print P7's ratio, the absolute figures and the machine."""
    with tempfile.TemporaryDirectory() as tmp:
        r = run(Path(tmp))
    ratio = r["stored_per_min"] / r["baseline_per_min"]
    wire_ratio = r["wire_per_min"] / r["baseline_per_min"]
    print(f"machine: {platform.platform()} · {platform.machine()} · {os.cpu_count()} CPUs")
    print("session: 2 min scripted on the demo Qt app, 360x640 at density 1 (offscreen), WebP frames")
    print(f"stored:   {r['stored_per_min'] / 1024:8.1f} KiB/min  ({r['images']:.0f} distinct images)")
    print(f"wire:     {r['wire_per_min'] / 1024:8.1f} KiB/min  ({r['beacons']:.0f} beacons)")
    print(f"baseline: {r['baseline_per_min'] / 1024:8.1f} KiB/min  (full-frame JPEG q80 at 1 fps)")
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio stored/baseline: {ratio:.3f}  (wire {wire_ratio:.3f}; target <= {TARGET}: {verdict})")
    print(f"simulated in {r['seconds']:.1f} s")


if __name__ == "__main__":
    main()
