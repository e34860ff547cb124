"""DOM mirror: full snapshots out, input values, scroll offsets, meta, media, state_at and problems."""

from __future__ import annotations

import copy
from typing import Any

from test_mirror_mutations import el, mirror_of, mutation, page, txt

from reel.dom.mirror import MAX_PROBLEMS, DomMirror, prefix_end, state_at

Event = dict[str, Any]


def incremental(data: Event, ts: int = 200) -> Event:
    return {"type": 3, "data": data, "timestamp": ts}


def find(node: Event, node_id: int) -> Event:
    stack = [node]
    while stack:
        current = stack.pop()
        if current["id"] == node_id:
            return current
        stack.extend(current.get("childNodes", []))
    raise AssertionError(f"node {node_id} not found")


def test_a_recorded_snapshot_comes_back_unchanged_with_its_ids() -> None:
    """Loading a full snapshot and emitting it again gives the same tree, node ids included."""
    events = page(
        el(6, "div", {"class": "a", "needs": True}, txt(7, "hi")), {"type": 5, "textContent": "c", "id": 8}
    )
    events[1]["data"]["node"]["childNodes"][1]["childNodes"][1]["isSVG"] = True
    mirror = mirror_of(events)
    assert mirror.snapshot() == events[1]["data"]
    assert mirror.snapshot(fold=False) == events[1]["data"]


def test_the_mirror_never_modifies_its_input() -> None:
    """Events are read, never written: the same list can feed several mirrors."""
    events = [
        *page(el(6, "div", {"style": "color: red"}), el(7, "input", {"rr_scrollTop": 5})),
        mutation(attributes=[{"id": 6, "attributes": {"style": {"color": "blue"}, "class": "x"}}]),
        incremental({"source": 5, "id": 7, "text": "v", "isChecked": False}),
    ]
    before = copy.deepcopy(events)
    mirror_of(events).state_events()
    assert events == before


def test_before_the_first_full_snapshot_there_is_no_snapshot_only_the_meta() -> None:
    """No document yet: no snapshot; the state is the Meta event alone, so state + rest still plays."""
    mirror = mirror_of([page()[0]])
    assert mirror.snapshot() is None
    assert mirror.state_events(150) == [{**page()[0], "timestamp": 150}]
    assert mirror.href == "http://shop.test/" and (mirror.width, mirror.height) == (1280, 720)
    assert DomMirror().state_events() == []


def test_viewport_resizes_and_meta_update_href_and_size() -> None:
    """The latest Meta or viewport resize wins."""
    mirror = mirror_of([*page(), incremental({"source": 4, "width": 390, "height": 844})])
    assert (mirror.width, mirror.height) == (390, 844)
    meta = mirror.state_events()[0]
    assert meta == {
        "type": 4,
        "data": {"href": "http://shop.test/", "width": 390, "height": 844},
        "timestamp": 200,
    }


def test_input_values_fold_into_the_snapshot_like_rrwebs_serializer() -> None:
    """Typed text, checkedness and the selected option appear as value/checked/selected attributes."""
    select = el(
        8, "select", {}, el(9, "option", {"value": "s"}), el(10, "option", {"selected": True}, txt(11, "m"))
    )
    events = [
        *page(
            el(6, "input", {"type": "text", "value": "default"}), el(7, "input", {"type": "checkbox"}), select
        ),
        incremental({"source": 5, "id": 6, "text": "typed", "isChecked": False}),
        incremental({"source": 5, "id": 7, "text": "on", "isChecked": True}),
        incremental({"source": 5, "id": 8, "text": "s", "isChecked": False}),
    ]
    snapshot = mirror_of(events).snapshot()
    assert snapshot is not None
    root = snapshot["node"]
    assert find(root, 6)["attributes"] == {"type": "text", "value": "typed"}
    assert find(root, 7)["attributes"] == {"type": "checkbox", "checked": True}
    assert find(root, 9)["attributes"] == {"value": "s", "selected": True}
    assert find(root, 10)["attributes"] == {}


def test_state_events_carry_input_values_as_input_events() -> None:
    """For playback the value stays out of the tree: a later value-attribute change must not overwrite
    typed text, as in a browser; so the typed value goes as an Input event at T."""
    events = [
        *page(el(6, "input", {"value": "default"})),
        incremental({"source": 5, "id": 6, "text": "typed", "isChecked": False}),
    ]
    out = mirror_of(events).state_events(500)
    assert find(out[1]["data"]["node"], 6)["attributes"] == {"value": "default"}
    assert out[2] == {
        "type": 3,
        "data": {"source": 5, "id": 6, "text": "typed", "isChecked": False},
        "timestamp": 500,
    }


def test_window_scroll_is_the_initial_offset_and_element_scroll_an_attribute_or_event() -> None:
    """Scrolling the document moves initialOffset; an element's offset folds into rr_scroll* or goes
    as a Scroll event."""
    events = [
        *page(el(6, "div", {"rr_scrollTop": 40})),
        incremental({"source": 3, "id": 1, "x": 0, "y": 900}),
        incremental({"source": 3, "id": 6, "x": 15, "y": 60}),
    ]
    mirror = mirror_of(events)
    snapshot = mirror.snapshot()
    assert snapshot is not None
    assert snapshot["initialOffset"] == {"top": 900, "left": 0}
    assert find(snapshot["node"], 6)["attributes"] == {"rr_scrollLeft": 15, "rr_scrollTop": 60}
    out = mirror.state_events()
    assert out[1]["data"]["initialOffset"] == {"top": 900, "left": 0}
    assert find(out[1]["data"]["node"], 6)["attributes"] == {}
    assert out[2]["data"] == {"source": 3, "id": 6, "x": 15, "y": 60}


def test_a_playing_video_has_its_time_advanced_to_t() -> None:
    """rr_mediaCurrentTime is where the video is at T, not where it was at the last interaction."""
    events = [
        *page(el(6, "video", {"rr_mediaState": "paused", "rr_mediaCurrentTime": 0})),
        incremental({"source": 7, "id": 6, "type": 0, "currentTime": 10}, ts=1000),
        incremental({"source": 7, "id": 6, "type": 4, "playbackRate": 2}, ts=3000),
    ]
    snapshot = mirror_of(events).snapshot(at=4000)
    assert snapshot is not None
    attrs = find(snapshot["node"], 6)["attributes"]
    assert attrs["rr_mediaState"] == "played" and attrs["rr_mediaPlaybackRate"] == 2
    assert attrs["rr_mediaCurrentTime"] == 10 + 2 + 2


def test_state_at_starts_from_the_state_at_t_and_the_rest_continues_it() -> None:
    """state_at gives Meta + FullSnapshot at T; the original events after T then apply cleanly."""
    events = [
        *page(el(6, "ul")),
        mutation(200, adds=[{"parentId": 6, "nextId": None, "node": el(7, "li")}]),
        mutation(300, adds=[{"parentId": 7, "nextId": None, "node": txt(8, "first")}]),
        mutation(400, texts=[{"id": 8, "value": "second"}]),
    ]
    start = state_at(events, 300)
    assert [e["type"] for e in start] == [4, 2] and {e["timestamp"] for e in start} == {300}
    assert find(start[1]["data"]["node"], 8)["textContent"] == "first"
    rest = events[prefix_end(events, 300) :]
    assert rest == events[4:]
    resumed = mirror_of([*start, *rest])
    assert resumed.problems == [] and resumed.snapshot() == mirror_of(events).snapshot()
    assert state_at(events, 50) == []


def test_problems_are_capped_but_counted() -> None:
    """Untrusted input cannot grow the problem list without bound."""
    mirror = mirror_of(
        [*page(), *(mutation(texts=[{"id": 999, "value": "x"}]) for _ in range(MAX_PROBLEMS + 5))]
    )
    assert len(mirror.problems) == MAX_PROBLEMS and mirror.problem_count == MAX_PROBLEMS + 5


def test_events_that_do_not_change_the_dom_are_no_ops() -> None:
    """Mouse, touch, selection, custom and plugin events leave the state alone."""
    events = [
        *page(el(6, "p")),
        incremental({"source": 1, "positions": [{"x": 1, "y": 2, "id": 6, "timeOffset": -5}]}),
        incremental({"source": 2, "type": 2, "id": 6, "x": 1, "y": 2}),
        incremental({"source": 14, "ranges": []}),
        {"type": 5, "data": {"tag": "t", "payload": {}}, "timestamp": 300},
        {"type": 6, "data": {"plugin": "p", "payload": {}}, "timestamp": 300},
    ]
    mirror = mirror_of(events)
    assert mirror.problems == [] and mirror.snapshot() == mirror_of(page(el(6, "p"))).snapshot()


def test_fonts_are_kept_and_sent_at_t_and_canvas_drawing_is_reported_once() -> None:
    """Fonts added to the document survive into the state; canvas drawing is not mirrored."""
    font = {"source": 10, "family": "Inter", "fontSource": "url(inter.woff2)", "buffer": False}
    canvas = {"source": 9, "id": 5, "type": 0, "commands": []}
    mirror = mirror_of([*page(), incremental(font), incremental(canvas), incremental(canvas)])
    assert [p.reason for p in mirror.problems] == ["canvas drawing is not mirrored (reported once)"]
    assert mirror.state_events()[2]["data"] == font
