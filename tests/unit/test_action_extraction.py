"""Action extraction on literal rrweb events (no HTTP): clicks named from the DOM mirror, rage and dead
clicks, inputs, page loads and navigations, Reel's custom events, and the order actions come out in."""

from __future__ import annotations

from typing import Any

from reel.processing.actions import Action
from reel.processing.web import WebPlatform

Event = dict[str, Any]
T = 1_764_240_000_000
URL = "https://shop.test/cart"


def el(node_id: int, tag: str, attrs: dict[str, Any] | None = None, *kids: Event) -> Event:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs or {}, "childNodes": list(kids)}


def txt(node_id: int, value: str) -> Event:
    return {"type": 3, "id": node_id, "textContent": value}


# <html><head></head><body> a button with a span inside, a link, two fields, a select, a submit input </body>
BODY = (
    el(5, "button", {"id": "buy", "class": "primary big"}, el(6, "span", {}, txt(7, "Buy now"))),
    el(8, "a", {"href": "/help", "aria-label": "Help page"}, txt(9, "?")),
    el(10, "input", {"type": "text", "id": "name"}),
    el(11, "input", {"type": "email", "class": "mail"}),
    el(12, "select", {"id": "size"}, el(13, "option", {"value": "s"}, txt(14, "S"))),
    el(15, "input", {"type": "submit", "value": "Send"}),
    el(16, "div", {"class": "card"}, txt(17, "A plain box with text")),
)


def page(ts: int = T, href: str = URL) -> list[Event]:
    doc = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, el(3, "head"), el(4, "body", {}, *BODY))]}
    return [
        {"type": 4, "timestamp": ts, "data": {"href": href, "width": 1000, "height": 800}},
        {"type": 2, "timestamp": ts, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
    ]


def click(ts: int, node_id: int, x: float = 100, y: float = 100) -> Event:
    data = {"source": 2, "type": 2, "id": node_id, "x": x, "y": y}
    return {"type": 3, "timestamp": T + ts, "data": data}


def typed(ts: int, node_id: int, text: str = "a") -> Event:
    data = {"source": 5, "id": node_id, "text": text, "isChecked": False}
    return {"type": 3, "timestamp": T + ts, "data": data}


def changed(ts: int) -> Event:
    """A mutation that changes what the user sees (a text changes)."""
    data = {"source": 0, "texts": [{"id": 17, "value": "Added"}], "attributes": [], "removes": [], "adds": []}
    return {"type": 3, "timestamp": T + ts, "data": data}


def custom(ts: int, tag: str, payload: Any) -> Event:
    return {"type": 5, "timestamp": T + ts, "data": {"tag": tag, "payload": payload}}


def extract(*events: Event, finish: bool = True) -> list[Action]:
    """The actions of a stream, as processing finds them (mirror first, then the extractor)."""
    platform = WebPlatform()
    out: list[Action] = []
    for event in events:
        platform.observe(event)
        out += platform.extract(event)
    return out + (platform.finish() if finish else [])


def kinds(actions: list[Action]) -> list[tuple[int, str]]:
    return [(a.ts - T, a.kind) for a in actions]


# --- clicks ---------------------------------------------------------------------------------------------


def test_a_click_is_named_by_the_interactive_element_it_went_to() -> None:
    actions = extract(*page(), click(10, 7, 12.5, 30), changed(20))  # the span's text inside the button
    assert kinds(actions) == [(0, "load"), (10, "click")]
    clicked = actions[1]
    assert (clicked.target, clicked.label, clicked.url) == ("button#buy.primary.big", "Buy now", URL)
    assert clicked.data == {"x": 12.5, "y": 30.0}


def test_a_click_prefers_a_label_attribute_over_text_and_shows_a_submit_inputs_value() -> None:
    actions = extract(*page(), click(10, 9), changed(11), click(20, 15), changed(21))
    assert [(a.target, a.label) for a in actions[1:]] == [("a", "Help page"), ("input", "Send")]


def test_a_click_on_a_node_the_mirror_never_saw_has_no_target() -> None:
    actions = extract(*page(), click(10, 999), changed(11))
    assert [(a.kind, a.target, a.label) for a in actions[1:]] == [("click", "", "")]


# --- rage clicks ----------------------------------------------------------------------------------------


def test_three_clicks_within_a_second_and_30_px_are_one_rage_click_at_the_first() -> None:
    burst = [click(100, 5, 100, 100), changed(350), click(400, 5, 120, 90), click(1100, 5, 130, 110)]
    burst.append(click(1200, 5))  # the burst's fourth click: no second rage click
    actions = extract(*page(), *burst, changed(1300))
    # Each event's actions come out in time order; the rage click, found at the third click, is stamped
    # with the first.
    assert kinds(actions) == [
        (0, "load"),
        (100, "click"),
        (400, "click"),
        (100, "rage_click"),
        (1100, "click"),
        (1200, "click"),
    ]
    rage = actions[3]
    assert rage.data == {"x": 100.0, "y": 100.0, "clicks": 3}
    assert rage.target == "button#buy.primary.big"


def test_clicks_too_far_apart_in_space_or_time_are_not_rage() -> None:
    far = [click(100, 5, 100, 100), click(200, 5, 131, 100), click(300, 5, 100, 100)]
    slow = [click(2000, 5), click(2600, 5), click(3101, 5)]
    actions = extract(*page(), *far, changed(350), *slow, changed(3200))
    assert "rage_click" not in [a.kind for a in actions]


def test_a_rage_burst_spans_two_beacons() -> None:
    platform = WebPlatform()
    found: list[Action] = []
    for batch in ([*page(), click(100, 5), click(200, 5)], [click(300, 5), changed(400)]):
        for event in batch:
            platform.observe(event)
            found += platform.extract(event)
    assert kinds(found).count((100, "rage_click")) == 1


# --- dead clicks ----------------------------------------------------------------------------------------


def test_a_click_after_which_nothing_changes_within_a_second_is_dead() -> None:
    actions = extract(*page(), click(100, 16), typed(1101, 10), click(2000, 16), changed(3001))
    assert kinds(actions) == [
        (0, "load"),
        (100, "click"),
        (100, "dead_click"),
        (1101, "input"),
        (2000, "click"),
        (2000, "dead_click"),
    ]


def test_a_visible_change_within_the_second_keeps_a_click_alive() -> None:
    scroll = {"type": 3, "timestamp": T + 2900, "data": {"source": 3, "id": 1, "x": 0, "y": 50}}
    empty = {"source": 0, "texts": [], "attributes": [], "removes": [], "adds": []}
    actions = extract(
        *page(),
        click(100, 16),
        changed(1100),  # exactly one second later: still alive
        click(2000, 16),
        scroll,
        click(3000, 16),
        {"type": 3, "timestamp": T + 3500, "data": empty},  # a mutation changing nothing does not count
        custom(5000, "reel.event", {"name": "later"}),
    )
    assert [a.ts - T for a in actions if a.kind == "dead_click"] == [3000]


def test_clicks_on_fields_are_never_dead_but_a_submit_input_can_be() -> None:
    actions = extract(*page(), click(100, 10), click(2000, 12), click(4000, 15))
    assert [a.ts - T for a in actions if a.kind == "dead_click"] == [4000]


def test_a_click_still_waiting_at_the_end_of_the_stream_is_dead() -> None:
    assert kinds(extract(*page(), click(100, 5), finish=False)) == [(0, "load"), (100, "click")]
    assert kinds(extract(*page(), click(100, 5)))[-1] == (100, "dead_click")


# --- inputs ---------------------------------------------------------------------------------------------


def test_keystrokes_into_one_field_are_one_input_action() -> None:
    actions = extract(
        *page(),
        typed(100, 10, "A"),
        typed(150, 10, "Ad"),
        typed(200, 10, "Ada"),
        typed(300, 11, "a@b.co"),
        typed(400, 10, "Ada L"),  # back to the first field: a new action
        typed(500, 12, "s"),
    )
    assert kinds(actions) == [(0, "load"), (100, "input"), (300, "input"), (400, "input"), (500, "select")]
    assert [a.target for a in actions[1:]] == ["input#name", "input.mail", "input#name", "select#size"]


def test_a_click_between_keystrokes_starts_a_new_input_action() -> None:
    actions = extract(*page(), typed(100, 10), click(200, 10), typed(300, 10))
    assert kinds(actions) == [(0, "load"), (100, "input"), (200, "click"), (300, "input")]


# --- pages, navigation, custom events ----------------------------------------------------------------------


def test_page_loads_and_navigations_set_the_url_of_later_actions() -> None:
    actions = extract(
        *page(),
        *page(1000, URL),  # the same page again (a snapshot after a checkout): no new load
        custom(2000, "reel.navigation", {"href": "https://shop.test/pay"}),
        custom(2100, "reel.navigation", {"href": "https://shop.test/pay"}),
        click(2200, 5),
        changed(2300),
        *page(T + 3000, "https://shop.test/done"),
        custom(3100, "reel.event", {"name": "thanks"}),
    )
    want = [(0, "load"), (2000, "navigation"), (2200, "click"), (3000, "load"), (3100, "custom")]
    assert kinds(actions) == want
    pay, done = "https://shop.test/pay", "https://shop.test/done"
    assert [a.url for a in actions] == [URL, pay, pay, done, done]


def test_reels_custom_events_become_actions() -> None:
    actions = extract(
        *page(),
        custom(10, "reel.identify", {"userId": "u-42", "traits": {"plan": "pro"}}),
        custom(20, "reel.event", {"name": "checkout", "props": {"total": 3}}),
        custom(30, "reel.error", {"message": "TypeError: ****", "source": "https://shop.test/app.js"}),
        custom(40, "reel.error", {"kind": "console"}),
        custom(50, "reel.submit", {"target": "form#pay"}),
    )
    assert [(a.kind, a.label, a.target, dict(a.data)) for a in actions[1:]] == [
        ("identify", "u-42", "", {}),
        ("custom", "checkout", "", {}),
        ("error", "TypeError: ****", "", {"source": "https://shop.test/app.js"}),
        ("error", "Error", "", {"source": ""}),
        ("submit", "", "form#pay", {}),
    ]


def test_custom_events_without_what_names_them_and_unknown_tags_are_not_actions() -> None:
    actions = extract(
        *page(),
        custom(10, "reel.identify", {"userId": ""}),
        custom(20, "reel.event", {"props": {}}),
        custom(30, "reel.event", "not an object"),
        custom(40, "reel.navigation", {"href": URL}),  # where the user already is
        custom(50, "my.own", {"name": "x"}),
    )
    assert kinds(actions) == [(0, "load")]


def test_labels_and_long_texts_are_cut() -> None:
    actions = extract(*page(), custom(10, "reel.event", {"name": "n" * 500}))
    assert len(actions[1].label) == 200


def test_events_without_a_timestamp_or_data_are_ignored() -> None:
    broken = [
        {"type": 3, "data": {"source": 2, "type": 2, "id": 5}},
        {"type": 3, "timestamp": T + 5, "data": None},
        {"type": 5, "timestamp": "soon", "data": {"tag": "reel.event", "payload": {"name": "x"}}},
    ]
    assert kinds(extract(*page(), *broken)) == [(0, "load")]


# --- ordering ----------------------------------------------------------------------------------------------


def test_actions_come_out_in_time_order_a_dead_click_at_its_clicks_time() -> None:
    platform = WebPlatform()
    drained: list[list[tuple[int, str]]] = []
    events = [*page(), click(100, 16), custom(500, "reel.event", {"name": "x"})]
    for event in [*events, custom(1200, "reel.event", {"name": "y"})]:
        platform.observe(event)
        drained.append(kinds(platform.extract(event)))
    # The dead click is decided by the event 1.1 s later and comes out with it, before it, at 100.
    assert drained[-1] == [(100, "dead_click"), (1200, "custom")]
    assert [d for d in drained if d] == [[(0, "load")], [(100, "click")], [(500, "custom")], drained[-1]]
