"""The Qt adapter's hooks: touch gestures, turning the screen, going to the background."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest

from mobile_support import DeviceClock
from reel.capture.mobile.qt import QtCapture
from reel.capture.mobile.recorder import Capture, Recorder, RecorderConfig
from reel.demo.mobile_app import MobileShop


class Sink:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def put(self, name: str, body: bytes) -> None:
        self.bodies.append(body)


def recorded(shop: MobileShop, clock: DeviceClock) -> tuple[QtCapture, Sink]:
    assert QTest.qWaitForWindowExposed(shop)  # touch goes through the window system: it must be up
    sink = Sink()
    capture = QtCapture(shop, Recorder(RecorderConfig(), sink, clock=clock))
    capture.start(auto=False)
    return capture, sink


def pending(capture: QtCapture) -> list[dict[str, object]]:
    return [item.event for item in capture.recorder._pending]


def test_two_fingers_apart_are_a_pinch_and_one_finger_a_tap(qapp: object) -> None:
    clock = DeviceClock()
    shop = MobileShop()
    shop.show()
    capture, _ = recorded(shop, clock)
    device = QTest.createTouchDevice()
    QTest.touchEvent(shop, device).press(0, QPoint(100, 400), shop).press(1, QPoint(200, 400), shop).commit()
    clock.advance(80)
    QTest.touchEvent(shop, device).move(0, QPoint(50, 400), shop).move(1, QPoint(250, 400), shop).commit()
    clock.advance(80)
    QTest.touchEvent(shop, device).release(0, QPoint(50, 400), shop).release(
        1, QPoint(250, 400), shop
    ).commit()
    clock.advance(500)
    QTest.touchEvent(shop, device).press(0, QPoint(30, 30), shop).commit()
    QTest.touchEvent(shop, device).release(0, QPoint(30, 30), shop).commit()
    gestures = [e for e in pending(capture) if e["type"] in ("pinch", "tap", "swipe", "scroll")]
    assert [e["type"] for e in gestures] == ["pinch", "tap"]
    assert gestures[0]["scale"] == 2.0 and (gestures[1]["x"], gestures[1]["y"]) == (30, 30)
    shop.close()


def test_turning_the_screen_sends_a_full_frame_at_the_new_size(qapp: object) -> None:
    clock = DeviceClock()
    shop = MobileShop()
    shop.show()
    capture, _ = recorded(shop, clock)
    clock.advance(1000)
    shop.resize(640, 360)
    assert capture.capture_now() is Capture.FULL
    events = pending(capture)
    turned = next(e for e in events if e["type"] == "orientation")
    assert (turned["orientation"], turned["width"], turned["height"]) == ("landscape", 640, 360)
    assert events[-1]["type"] == "frame" and events[-1]["rect"] == [0, 0, 640, 360]
    shop.close()


def test_going_to_the_background_sends_what_is_batched(qapp: object) -> None:
    from PySide6.QtCore import Qt

    clock = DeviceClock()
    shop = MobileShop()
    shop.show()
    capture, sink = recorded(shop, clock)
    assert sink.bodies == []
    capture._on_state(Qt.ApplicationState.ApplicationSuspended)
    assert len(sink.bodies) == 1 and pending(capture) == []
    capture._on_state(Qt.ApplicationState.ApplicationActive)
    assert pending(capture)[-1] == {"type": "lifecycle", "timestamp": clock.now, "state": "foreground"}
    shop.close()
