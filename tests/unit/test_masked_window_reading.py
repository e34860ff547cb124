"""A masked window read one event at a time gives exactly the events read whole, at any depth."""

from __future__ import annotations

from typing import Any

from reel.jsonio import dumps
from reel.replay.assemble import MaskedWindow
from reel.replay.windows import Window


def deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": 3, "textContent": 'leaf ✓ \u2028 "quoted"'}
    for _ in range(levels):
        node = {"type": 2, "tagName": "div", "childNodes": [node]}
    return node


def window_of(head: list[dict[str, Any]], events: list[dict[str, Any]]) -> MaskedWindow:
    return MaskedWindow(Window(0, 0, None, "keyframe"), dumps(head), dumps(events))


def test_events_read_one_by_one_are_the_events_read_whole() -> None:
    head = [{"type": 4, "data": {"href": "https://shop.test/é", "width": 1.5}, "timestamp": 1}]
    events = [
        {"type": 2, "data": {"node": deep(20)}, "timestamp": 2},
        {"type": 3, "data": {"source": 0, "texts": [], "big": 2**62, "none": None}, "timestamp": 3},
    ]
    built = window_of(head, events)
    assert list(built.iter_events()) == built.as_events() == head + events
    assert list(window_of([], []).iter_events()) == []


def test_a_document_nested_past_the_json_module_is_read_too() -> None:
    snapshot = {"type": 2, "data": {"node": deep(500)}, "timestamp": 2}
    events = [{"type": 4, "data": {}, "timestamp": 1}, snapshot]
    built = window_of([], events)
    assert dumps(list(built.iter_events())) == dumps(events)  # compared as JSON: == recurses too deep
