"""A user driving the demo Qt app step by step, with the app's own screenshot of every moment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

from mobile_support import ClientTransport, DeviceClock
from reel.capture.mobile.model import DeviceInfo, Rect
from reel.capture.mobile.qt import QtCapture, to_pil
from reel.capture.mobile.queue import Transport, UploadQueue
from reel.capture.mobile.recorder import Recorder, RecorderConfig
from reel.demo.mobile_app import MobileShop
from reel.domain.records import Application

TYPED = ("Ada Lovelace", "ada@example.com")


@dataclass(frozen=True)
class Moment:
    """What the app showed at `ts` (its own screenshot) and where the recorder masked."""

    label: str
    ts: int
    screenshot: Image.Image
    masks: list[Rect]


class Script:
    """Drives the shop like a user, one step at a time, noting each moment."""

    def __init__(self, shop: MobileShop, capture: QtCapture, clock: DeviceClock) -> None:
        self.shop, self.capture, self.clock = shop, capture, clock
        self.moments: list[Moment] = []

    def step(self, label: str, action: Any = None, *args: Any) -> None:
        self.clock.advance(700)
        if action is not None:
            action(*args)
        self.clock.advance(600)  # past the frame-rate limit, so this capture is not deferred
        self.capture.capture_now()
        shot = to_pil(self.shop.grab().toImage())
        self.moments.append(Moment(label, self.clock.now, shot, self.capture.masks()))

    def idle(self, ms: int) -> None:
        """The user reads for a while; nothing changes."""
        self.clock.advance(ms)


def record_shop_session(
    tmp_path: Path,
    client: TestClient | None,
    app: Application | None,
    *,
    transport: Transport | None = None,
    clock: DeviceClock | None = None,
) -> tuple[Script, Any]:
    """The scripted shop visit, recorded through the SDK and uploaded to `client` (or by `transport`)."""
    clock = clock or DeviceClock()
    if transport is None:
        assert client is not None and app is not None
        transport = ClientTransport(client, app.app_key)
    queue = UploadQueue(tmp_path / "queue", transport, clock=clock)
    shop = MobileShop()
    shop.show()
    recorder = Recorder(RecorderConfig(), queue, clock=clock)
    capture = QtCapture(shop, recorder, device=DeviceInfo(model="offscreen", app_id="reel.demo.shop"))
    capture.start(auto=False)
    script = Script(shop, capture, clock)
    script.step("catalogue")
    script.step("product", shop.tap_product, 2)
    script.step("checkout", shop.tap, shop.buy_button)
    script.step("typed name", shop.type_into, shop.name_field, TYPED[0])
    script.step("typed email", shop.type_into, shop.email_field, TYPED[1])
    script.step("typed coupon", shop.type_into, shop.coupon_field, "SPRING24")
    script.step("thanks", shop.tap, shop.pay_button)
    script.step("back to the list", shop.tap, shop.back)
    script.step("scrolled", shop.scroll_list, 1)
    capture.stop()
    report = queue.send_pending()
    assert report.pending == 0 and report.dropped == 0, report
    shop.close()
    return script, transport
