"""Rage clicks: one detector for web clicks and mobile taps, fed literal events."""

from __future__ import annotations

from typing import Any

from reel.dom.mirror import DomMirror
from reel.processing.actions import ActionExtractor
from reel.processing.mobile.actions import MobileActionExtractor
from reel.processing.rage import Press, RageDetector

T0 = 1_700_000_000_000


def _presses(*spec: tuple[int, float, float]) -> list[int]:
    """Feed presses (ms after T0, x, y); the index of each press that starts a rage report."""
    detector: RageDetector[int] = RageDetector()
    out = []
    for index, (dt, x, y) in enumerate(spec):
        burst = detector.press(Press(T0 + dt, x, y, index))
        if burst is not None:
            out.append(burst.first.item)
    return out


def test_three_close_clicks_within_a_second_are_one_rage_click_at_the_first() -> None:
    assert _presses((0, 10, 10), (300, 20, 15), (600, 12, 30)) == [0]


def test_a_burst_is_reported_once_however_long() -> None:
    assert _presses(*[(i * 200, 10, 10) for i in range(8)]) == [0]


def test_clicks_too_far_apart_in_time_or_space_are_not_rage() -> None:
    assert _presses((0, 10, 10), (600, 10, 10), (1700, 10, 10)) == []
    assert _presses((0, 10, 10), (100, 41, 10), (200, 72, 10)) == []


def test_a_new_burst_after_a_pause_is_reported_again() -> None:
    first = [(i * 100, 10, 10) for i in range(3)]
    second = [(5000 + i * 100, 10, 10) for i in range(3)]
    assert _presses(*first, *second) == [0, 3]


def _web_click(ts: int, x: int, y: int) -> dict[str, Any]:
    return {"type": 3, "timestamp": ts, "data": {"source": 2, "type": 2, "id": 99, "x": x, "y": y}}


def test_web_and_mobile_report_the_same_bursts() -> None:
    spec = [(0, 10, 10), (250, 15, 12), (500, 11, 14), (900, 13, 10), (4000, 200, 200)]
    web = ActionExtractor("https://shop.test/")
    mirror = DomMirror()
    for dt, x, y in spec:
        web.feed(_web_click(T0 + dt, x, y), mirror)
    mobile = MobileActionExtractor("Cart")
    for dt, x, y in spec:
        mobile.feed({"type": "tap", "timestamp": T0 + dt, "x": x, "y": y, "target": "Button#pay"})
    web_rage = [(a.ts, a.data["clicks"]) for a in web.finish() if a.kind == "rage_click"]
    mobile_rage = [(a.ts, a.data["clicks"]) for a in mobile.drain() if a.kind == "rage_click"]
    assert web_rage == mobile_rage == [(T0, 3)]
