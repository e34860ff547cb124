"""Replay-time masking, channel by channel (brief §8's canary list, as far as an rrweb stream holds it)."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from reel.domain.rules import DEFAULT_RULES, RuleSet, parse_rules
from reel.replay.masking import mask_events

Event = dict[str, Any]
T = 1_764_240_000_000


def el(node_id: int, tag: str, attrs: dict[str, Any] | None = None, *kids: Event, **extra: Any) -> Event:
    return {
        "type": 2,
        "id": node_id,
        "tagName": tag,
        "attributes": attrs or {},
        "childNodes": list(kids),
        **extra,
    }


def text(node_id: int, value: str, **extra: Any) -> Event:
    return {"type": 3, "id": node_id, "textContent": value, **extra}


def page(*body: Event, head: tuple[Event, ...] = (), href: str = "https://shop.test/") -> list[Event]:
    """Meta + full snapshot of <html><head>…</head><body>…</body></html> (ids 1-4)."""
    doc = {
        "type": 0,
        "id": 1,
        "childNodes": [el(2, "html", {}, el(3, "head", {}, *head), el(4, "body", {}, *body))],
    }
    return [
        {"type": 4, "timestamp": T, "data": {"href": href, "width": 1000, "height": 800}},
        {"type": 2, "timestamp": T, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
    ]


def mutation(ts: int = 1, **parts: Any) -> Event:
    data = {"source": 0, "texts": [], "attributes": [], "removes": [], "adds": [], **parts}
    return {"type": 3, "timestamp": T + ts, "data": data}


def incremental(source: int, ts: int = 2, **data: Any) -> Event:
    return {"type": 3, "timestamp": T + ts, "data": {"source": source, **data}}


def rules(doc: dict[str, Any] | None = None) -> RuleSet:
    return DEFAULT_RULES if doc is None else parse_rules(doc, version=1)


def run(events: list[Event], doc: dict[str, Any] | None = None) -> list[Event]:
    """Masked events; the input is never modified and masking again changes nothing."""
    before = copy.deepcopy(events)
    out = mask_events(events, rules(doc))
    assert events == before, "the input was modified"
    assert mask_events(out, rules(doc)) == out, "masking is not idempotent"
    orjson.dumps(out)
    return out


def shown(events: list[Event], doc: dict[str, Any] | None = None) -> str:
    return orjson.dumps(run(events, doc)).decode()


def find(events: list[Event], node_id: int) -> Event:
    """A node by id in the masked snapshots and adds."""
    stack: list[Any] = []
    for event in events:
        data = event["data"]
        if event["type"] == 2:
            stack.append(data["node"])
        stack.extend(a["node"] for a in data.get("adds", []) if isinstance(data.get("adds"), list))
    while stack:
        node = stack.pop()
        if node.get("id") == node_id:
            return node  # type: ignore[no-any-return]
        stack.extend(node.get("childNodes", []))
    raise KeyError(node_id)


ALLOW_NAV = {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "nav"}]}
MASK_INPUTS = {"preset": "mask_inputs"}


# --- text ---------------------------------------------------------------------------------------------------


def test_text_is_masked_by_default_and_where_not_unmasked() -> None:
    events = page(el(10, "nav", {}, text(11, "Shop CANARY-NAV")), el(12, "p", {}, text(13, "CANARY-TEXT")))
    default = shown(events)
    assert "CANARY" not in default and find(run(events), 13)["textContent"] == "******** ********"
    allowed = shown(events, ALLOW_NAV)
    assert "Shop CANARY-NAV" in allowed and "CANARY-TEXT" not in allowed
    assert "CANARY-TEXT" in shown(events, MASK_INPUTS)


def test_mask_wins_over_unmask_and_reaches_descendants() -> None:
    doc = {
        "preset": "allow_list",
        "rules": [{"type": "unmask", "selector": "nav"}, {"type": "mask", "selector": "[data-private]"}],
    }
    events = page(
        el(10, "nav", {}, el(11, "span", {"data-private": ""}, el(12, "b", {}, text(13, "CANARY"))))
    )
    assert "CANARY" not in shown(events, doc)
    assert "CANARY" not in shown(events, {"preset": "mask_inputs", "rules": [doc["rules"][1]]})


def test_later_text_changes_and_added_text_follow_where_the_node_is() -> None:
    events = [
        *page(el(10, "nav", {}, text(11, "a")), el(12, "p", {}, text(13, "b"))),
        mutation(
            texts=[{"id": 11, "value": "CANARY-SHOWN"}, {"id": 13, "value": "CANARY-HIDDEN"}],
            adds=[
                {"parentId": 12, "nextId": None, "node": text(14, "CANARY-ADDED")},
                {"parentId": 10, "nextId": None, "node": text(15, "CANARY-ADDED-NAV")},
            ],
        ),
    ]
    out = shown(events, ALLOW_NAV)
    assert "CANARY-SHOWN" in out and "CANARY-ADDED-NAV" in out
    assert "CANARY-HIDDEN" not in out and '"CANARY-ADDED"' not in out


def test_detectors_mask_shown_text_and_shown_attributes() -> None:
    nav = el(
        10, "nav", {"title": "mail ada@example.com"}, text(11, "card 4111 1111 1111 1111, ada@example.com")
    )
    out = shown(page(nav), ALLOW_NAV)
    assert "ada@example.com" not in out and "4111" not in out and "card " in out and "mail " in out


def test_page_title_svg_text_and_contenteditable_are_text() -> None:
    events = page(
        el(20, "svg", {}, el(21, "text", {}, text(22, "CANARY-SVG")), isSVG=True),
        el(23, "div", {"contenteditable": "true"}, text(24, "CANARY-EDITABLE")),
        head=(el(10, "title", {}, text(11, "CANARY-TITLE")),),
    )
    events.append(mutation(texts=[{"id": 24, "value": "CANARY-TYPED-INTO-EDITABLE"}]))
    assert "CANARY" not in shown(events)
    assert find(run(events), 20)["isSVG"] is True


def test_a_text_node_reel_cannot_place_is_masked() -> None:
    out = shown([*page(), mutation(texts=[{"id": 999, "value": "CANARY"}])], MASK_INPUTS)
    assert "CANARY" not in out


# --- inputs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [None, ALLOW_NAV, MASK_INPUTS])
def test_input_values_are_masked_under_every_preset_inside_unmask_too(doc: dict[str, Any] | None) -> None:
    events = [
        *page(
            el(
                10,
                "nav",
                {},
                el(11, "input", {"type": "text", "value": "CANARY-VALUE"}),
                el(12, "input", {"type": "hidden", "value": "CANARY-HIDDEN", "placeholder": "CANARY-PH"}),
                el(13, "textarea", {"value": "CANARY-AREA"}, text(14, "CANARY-AREA")),
                el(15, "select", {}, el(16, "option", {"value": "CANARY-OPT"}, text(17, "CANARY-OPT"))),
                el(18, "input", {"type": "checkbox", "value": "CANARY-BOX"}),
            )
        ),
        incremental(5, id=11, text="CANARY-TYPED", isChecked=False),
        incremental(5, id=11, text="CANARY-TYPED-MORE", isChecked=False, ts=3),
        incremental(5, id=15, text="CANARY-SELECTED", isChecked=False, ts=4),
        incremental(5, id=18, text="CANARY-BOX", isChecked=True, ts=5),
        mutation(6, attributes=[{"id": 11, "attributes": {"value": "CANARY-SET"}}]),
        mutation(7, texts=[{"id": 14, "value": "CANARY-AREA-2"}]),
    ]
    out = shown(events, doc)
    for canary in ("VALUE", "HIDDEN", "PH", "AREA", "TYPED", "SELECTED", "BOX", "SET"):
        assert f"CANARY-{canary}" not in out, canary
    if doc is MASK_INPUTS:
        assert "CANARY-OPT" in out  # option text is text, shown under mask_inputs
    inputs = [e for e in run(events, doc) if e["type"] == 3 and e["data"]["source"] == 5]
    assert [e["data"]["isChecked"] for e in inputs] == [False, False, False, True]


def test_a_password_field_toggled_to_text_stays_masked() -> None:
    events = [
        *page(el(10, "nav", {}, el(11, "input", {"type": "password", "placeholder": "pw", "value": ""}))),
        mutation(attributes=[{"id": 11, "attributes": {"type": "text"}}]),
        incremental(5, id=11, text="CANARY-PASSWORD", isChecked=False),
        mutation(
            3, attributes=[{"id": 11, "attributes": {"value": "CANARY-VALUE", "title": "CANARY-TITLE"}}]
        ),
    ]
    out = shown(events, ALLOW_NAV)
    assert "CANARY" not in out
    assert '"placeholder":"****"' in out  # a secret field keeps the default list masked inside unmask


# --- attributes ---------------------------------------------------------------------------------------------

ATTRS = {
    "title": "CANARY-TITLE",
    "alt": "CANARY-ALT",
    "placeholder": "CANARY-PLACEHOLDER",
    "aria-label": "CANARY-ARIA",
    "aria-description": "CANARY-DESCRIPTION",
    "label": "CANARY-LABEL",
    "data-user": "CANARY-DATA",
    "value": "CANARY-BUTTON-VALUE",
}


def test_default_list_attributes_are_masked_outside_unmask() -> None:
    events = [
        *page(
            el(10, "button", ATTRS), head=(el(11, "meta", {"name": "description", "content": "CANARY-META"}),)
        ),
        mutation(attributes=[{"id": 10, "attributes": {"title": "CANARY-LATER", "class": "keep"}}]),
    ]
    out = shown(events)
    assert "CANARY" not in out and '"class":"keep"' in out
    assert "CANARY" not in shown(events, {"preset": "allow_list"})


def test_inside_unmask_the_default_list_shows_but_attribute_rules_still_mask() -> None:
    doc = {
        "preset": "allow_list",
        "rules": [
            {"type": "unmask", "selector": "nav"},
            {"type": "attribute", "names": ["data-user", "x-*"]},
        ],
    }
    events = page(el(10, "nav", {}, el(11, "a", {**ATTRS, "x-secret": "CANARY-X", "data-other": "shown"})))
    out = shown(events, doc)
    assert "CANARY-TITLE" in out and "CANARY-ALT" in out and '"data-other":"shown"' in out
    assert "CANARY-DATA" not in out and "CANARY-X" not in out


def test_mask_inputs_masks_only_value_and_placeholder() -> None:
    out = shown(page(el(10, "button", ATTRS)), MASK_INPUTS)
    assert "CANARY-PLACEHOLDER" not in out and "CANARY-BUTTON-VALUE" not in out
    assert "CANARY-TITLE" in out and "CANARY-DATA" in out


def test_srcdoc_is_never_sent() -> None:
    events = [
        *page(el(10, "iframe", {"srcdoc": "<b>CANARY</b>"})),
        mutation(attributes=[{"id": 10, "attributes": {"srcdoc": "<i>CANARY</i>"}}]),
    ]
    for doc in (
        None,
        ALLOW_NAV,
        MASK_INPUTS,
        {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "*"}]},
    ):
        assert "srcdoc" not in shown(events, doc)


# --- CSS ----------------------------------------------------------------------------------------------------


def test_css_content_strings_are_masked_in_every_place_css_travels() -> None:
    style = el(
        10,
        "style",
        {"_cssText": 'a::after{content:"CANARY-INLINED"}'},
        text(11, 'b::after{content:"CANARY-SHEET"}', isStyle=True),
    )
    events = [
        *page(el(20, "p", {"style": 'content: "CANARY-STYLE-ATTR"'}), head=(style,)),
        incremental(8, id=10, adds=[{"rule": 'q::before{content:"CANARY-RULE"}', "index": 0}]),
        incremental(8, styleId=1, replaceSync='r::before{content:"CANARY-REPLACE"}', ts=3),
        incremental(
            13, id=10, index=[0], set={"property": "content", "value": '"CANARY-DECL"', "priority": ""}, ts=4
        ),
        incremental(
            15,
            id=1,
            styleIds=[1],
            styles=[{"styleId": 1, "rules": [{"rule": 's{content:"CANARY-ADOPTED"}', "index": 0}]}],
            ts=5,
        ),
        mutation(
            6, attributes=[{"id": 20, "attributes": {"style": {"content": '"CANARY-DIFF"', "color": "red"}}}]
        ),
        mutation(7, texts=[{"id": 11, "value": 't{content:"CANARY-TEXT-CHANGE"}'}]),
    ]
    assert "CANARY" not in shown(events)
    # Style sheets belong to no element, so unmask does not reach them; style attributes are the element's.
    unmasked = shown(events, {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "*"}]})
    assert "CANARY-STYLE-ATTR" in unmasked and "CANARY-DIFF" in unmasked
    for sheet in ("INLINED", "SHEET", "RULE", "REPLACE", "DECL", "ADOPTED", "TEXT-CHANGE"):
        assert f"CANARY-{sheet}" not in unmasked, sheet
    under_mask_inputs = shown(events, MASK_INPUTS)
    assert "CANARY-SHEET" in under_mask_inputs  # only the detectors apply under mask_inputs
    assert "ada" not in shown(
        [*page(head=(el(10, "style", {}, text(11, 'a{content:"ada@x.com"}')),))], MASK_INPUTS
    )


def test_css_urls_go_through_the_url_rules() -> None:
    style = el(10, "style", {}, text(11, 'a{background:url("/img.png?user=CANARY")}'))
    out = shown(
        [*page(el(20, "div", {"style": "background: url(/b.png?t=CANARY)"}), head=(style,))], MASK_INPUTS
    )
    assert "CANARY" not in out and "/img.png?user=***" in out


# --- URLs ---------------------------------------------------------------------------------------------------


def test_page_urls_links_and_navigation_lose_query_values_and_fragments() -> None:
    events = [
        *page(
            el(10, "a", {"href": "/orders?token=CANARY-Q#CANARY-F"}),
            el(11, "form", {"action": "/pay?card=CANARY-A"}),
            href="https://shop.test/checkout?session=CANARY-META#step",
        ),
        {
            "type": 5,
            "timestamp": T + 1,
            "data": {"tag": "reel.navigation", "payload": {"href": "/x?q=CANARY-NAV"}},
        },
    ]
    for doc in (None, MASK_INPUTS, {"preset": "allow_list", "rules": [{"type": "unmask", "selector": "*"}]}):
        out = shown(events, doc)
        assert "CANARY" not in out and "https://shop.test/checkout?session=***" in out


def test_url_rules_replace_the_default() -> None:
    doc = {
        "preset": "mask_inputs",
        "rules": [{"type": "url", "params": ["token"], "path_segments": "^u\\d+$"}],
    }
    out = shown(page(el(10, "a", {"href": "/users/u123/cart?token=CANARY&page=2"})), doc)
    assert '"/users/***/cart?token=***&page=2"' in out


# --- images -------------------------------------------------------------------------------------------------


def test_images_become_same_size_placeholders_under_mask_all() -> None:
    img = el(10, "img", {"src": "/CANARY.png", "srcset": "/CANARY-2x.png 2x", "width": "120", "height": "80"})
    kept = el(11, "nav", {}, el(12, "img", {"src": "/logo.png"}))
    events = [*page(img, kept, el(13, "img", {"src": "/a.png", "rr_width": "5px", "rr_height": "6px"}))]
    events.append(mutation(attributes=[{"id": 10, "attributes": {"src": "/CANARY-LATER.png"}}]))
    out = run(events, {"preset": "mask_all", "rules": [{"type": "unmask", "selector": "nav"}]})
    assert "CANARY" not in orjson.dumps(out).decode()
    assert find(out, 10)["attributes"] == {
        "width": "120",
        "height": "80",
        "rr_width": "120px",
        "rr_height": "80px",
    }
    assert find(out, 12)["attributes"] == {"src": "/logo.png"}  # inside unmask
    assert find(out, 13)["attributes"] == {"rr_width": "5px", "rr_height": "6px"}
    assert find(run(events, {"preset": "allow_list"}), 10)["attributes"]["src"] == "/CANARY.png"


# --- blocking -----------------------------------------------------------------------------------------------

BLOCK = {"preset": "mask_inputs", "rules": [{"type": "block", "selector": "#pay, .secret"}]}


def test_a_blocked_element_is_an_empty_box_and_nothing_about_its_inside_follows() -> None:
    inside = el(11, "div", {"title": "CANARY"}, text(12, "CANARY-TEXT"), el(13, "input", {}))
    events = [
        *page(el(10, "section", {"id": "pay", "class": "card", "width": "300", "height": "100"}, inside)),
        mutation(
            texts=[{"id": 12, "value": "CANARY-T2"}],
            attributes=[
                {"id": 11, "attributes": {"title": "CANARY-A"}},
                {"id": 10, "attributes": {"title": "x", "class": "c2"}},
            ],
            adds=[{"parentId": 11, "nextId": None, "node": text(14, "CANARY-ADD")}],
        ),
        incremental(5, id=13, text="CANARY-INPUT", isChecked=False),
        mutation(3, adds=[{"parentId": 14, "nextId": None, "node": text(15, "CANARY-DEEP")}]),
        mutation(4, removes=[{"parentId": 11, "id": 12}]),
    ]
    out = run(events, BLOCK)
    assert "CANARY" not in orjson.dumps(out).decode()
    box = find(out, 10)
    assert box["childNodes"] == [] and box["needBlock"] is True
    assert box["attributes"] == {"class": "card", "rr_width": "300px", "rr_height": "100px"}
    assert out[2]["data"]["attributes"] == [{"id": 10, "attributes": {"class": "c2"}}]
    assert [e["data"].get("source") for e in out[2:]] == [0, 0, 0]  # the input event is gone
    assert out[-1]["data"]["removes"] == []


def test_an_element_blocked_later_stops_its_inside_and_what_was_dropped_stays_dropped() -> None:
    events = [
        *page(el(10, "div", {"class": "open"}, text(11, "before"))),
        mutation(attributes=[{"id": 10, "attributes": {"class": "secret"}}]),
        mutation(2, texts=[{"id": 11, "value": "CANARY-WHILE-BLOCKED"}]),
        mutation(3, adds=[{"parentId": 10, "nextId": None, "node": text(12, "CANARY-ADDED")}]),
        mutation(4, attributes=[{"id": 10, "attributes": {"class": "open"}}]),
        mutation(5, texts=[{"id": 12, "value": "CANARY-NEVER-SENT-NODE"}, {"id": 11, "value": "after"}]),
    ]
    out = shown(events, BLOCK)
    assert "CANARY" not in out and "before" in out and "after" in out


def test_a_blocked_iframe_drops_its_document_and_a_same_origin_frame_is_masked() -> None:
    frame_doc = {
        "type": 0,
        "id": 30,
        "childNodes": [
            el(31, "html", {}, el(32, "body", {}, text(33, "CANARY-FRAME", rootId=30)), rootId=30)
        ],
        "rootId": 30,
    }
    attach = mutation(adds=[{"parentId": 10, "nextId": None, "node": frame_doc}], isAttachIframe=True)
    events = [*page(el(10, "iframe", {"class": "f"})), attach]
    out = run(events)
    assert "CANARY" not in orjson.dumps(out).decode() and out[-1]["data"]["isAttachIframe"] is True
    assert find(out, 33)["rootId"] == 30
    shown_frame = shown(events, {"preset": "allow_list", "rules": [{"type": "unmask", "selector": ".f"}]})
    assert "CANARY-FRAME" in shown_frame  # a frame is inside its iframe element
    assert "CANARY" not in shown(
        events, {"preset": "mask_inputs", "rules": [{"type": "block", "selector": ".f"}]}
    )


def test_shadow_dom_is_masked_and_inside_its_host() -> None:
    host = el(
        10,
        "div",
        {"class": "host"},
        el(11, "span", {}, text(12, "CANARY-SHADOW"), isShadow=True),
        isShadowHost=True,
    )
    events = [
        *page(host),
        mutation(adds=[{"parentId": 10, "nextId": None, "node": el(13, "b", {}, isShadow=True)}]),
    ]
    events.append(mutation(2, adds=[{"parentId": 13, "nextId": None, "node": text(14, "CANARY-SHADOW-ADD")}]))
    assert "CANARY" not in shown(events)
    unmasked = shown(events, {"preset": "allow_list", "rules": [{"type": "unmask", "selector": ".host"}]})
    assert "CANARY-SHADOW" in unmasked and "CANARY-SHADOW-ADD" in unmasked
    assert find(run(events), 11)["isShadow"] is True


# --- messages -----------------------------------------------------------------------------------------------


def error_event(**payload: Any) -> Event:
    return {"type": 5, "timestamp": T + 1, "data": {"tag": "reel.error", "payload": payload}}


def test_error_and_console_messages_keep_only_their_error_name() -> None:
    events = [
        *page(),
        error_event(
            message="TypeError: CANARY-MSG", stack="at CANARY-STACK", source="/app.js?v=CANARY", line=3
        ),
        error_event(kind="console", level="warn", message="CANARY-CONSOLE ada@example.com"),
        {
            "type": 6,
            "timestamp": T + 2,
            "data": {
                "plugin": "rrweb/console@1",
                "payload": {"level": "log", "payload": ['"CANARY-LOG"'], "trace": ["CANARY-TRACE"]},
            },
        },
        incremental(11, level="info", payload=["CANARY-OLD-LOG"], trace=["x"]),
    ]
    out = run(events)
    text_out = orjson.dumps(out).decode()
    assert "CANARY" not in text_out
    assert out[2]["data"]["payload"] == {
        "line": 3,
        "message": "TypeError: ******** ********",
        "source": "/app.js?v=***",
    }
    assert out[3]["data"]["payload"]["kind"] == "console" and out[3]["data"]["payload"]["level"] == "warn"
    relaxed = orjson.dumps(run(events, MASK_INPUTS)).decode()
    assert "CANARY-MSG" in relaxed and "CANARY-STACK" in relaxed and "ada@example.com" not in relaxed


def test_identify_and_custom_event_payloads_are_the_applications_choice() -> None:
    events = [
        *page(),
        {
            "type": 5,
            "timestamp": T + 1,
            "data": {"tag": "reel.identify", "payload": {"userId": "ada@example.com"}},
        },
        {
            "type": 5,
            "timestamp": T + 2,
            "data": {"tag": "shop.other", "payload": {"note": ["call 555 123 4567"]}},
        },
    ]
    out = shown(events)
    assert "ada@example.com" in out and "555 123 4567" not in out


# --- robustness ---------------------------------------------------------------------------------------------


def test_events_masking_cannot_read_are_dropped_never_passed_on() -> None:
    events: list[Any] = [
        *page(el(10, "p", {}, text(11, "x"))),
        "not an event",
        {"type": 9, "timestamp": T, "data": {"CANARY": 1}},
        {"type": 3, "timestamp": T, "data": {"source": 99, "text": "CANARY"}},
        {"type": 6, "timestamp": T, "data": {"plugin": "someone/else@1", "payload": {"x": "CANARY"}}},
        {
            "type": 2,
            "timestamp": T,
            "data": {"node": {"type": 2, "id": 1, "tagName": "p", "textContent": "CANARY"}},
        },
        {
            "type": 3,
            "timestamp": T,
            "data": {"source": 0, "adds": "CANARY", "texts": [{"id": "x", "value": "CANARY"}]},
        },
        {
            "type": 3,
            "timestamp": T,
            "data": {
                "source": 0,
                "adds": [
                    {
                        "parentId": 10,
                        "node": {"type": 3, "id": 12, "textContent": "CANARY", "extra": "CANARY"},
                    }
                ],
            },
        },
    ]
    out = mask_events(events, DEFAULT_RULES)
    assert "CANARY" not in orjson.dumps(out).decode()
    assert len(out) == 4  # meta, snapshot and the two mutations (masked, or emptied)


def test_unknown_fields_of_nodes_and_events_are_not_passed_on() -> None:
    events = page(el(10, "p", {"class": "a"}, text(11, "x", secret="CANARY"), note="CANARY"))
    events[0]["extra"] = "CANARY"
    assert "CANARY" not in shown(events, MASK_INPUTS)


def test_mutations_refer_to_nodes_in_any_order_and_ids_taken_over() -> None:
    adds = [
        {"parentId": 21, "nextId": None, "node": text(22, "CANARY-CHILD")},
        {"parentId": 20, "nextId": None, "node": el(21, "span")},
        {"parentId": 4, "nextId": None, "node": el(20, "nav")},
    ]
    out = shown([*page(), mutation(adds=adds)], ALLOW_NAV)
    assert "CANARY-CHILD" in out  # its parent was added after it, under the unmasked nav


def test_comments_are_text() -> None:
    events = [
        *page(el(10, "p", {}, {"type": 5, "id": 11, "textContent": "CANARY-COMMENT"})),
        mutation(
            texts=[{"id": 11, "value": "CANARY-LATER"}],
            adds=[
                {"parentId": 10, "nextId": None, "node": {"type": 5, "id": 12, "textContent": "CANARY-ADDED"}}
            ],
        ),
        mutation(2, texts=[{"id": 12, "value": "CANARY-CHANGED"}]),
    ]
    out = run(events)
    assert "CANARY" not in orjson.dumps(out).decode()
    assert [t["id"] for t in out[-1]["data"]["texts"]] == [12]  # masked, not dropped


def test_references_to_elements_of_the_document_are_kept_but_fragment_tokens_dropped() -> None:
    """SVG sprites (`<use href="#icon-cart">`) and in-page links keep their target; tokens never do."""
    from reel.domain.rules import UrlPolicy
    from reel.replay.masking.urls import mask_url

    policy = UrlPolicy(detectors=("email", "card", "phone", "iban"))
    assert mask_url("#icon-cart", policy) == "#icon-cart"
    assert mask_url("#reviews", policy) == "#reviews"
    assert mask_url("#access_token=abc123&state=x", policy) == ""
    assert mask_url("/cart#icon", policy) == "/cart"
    assert mask_url("#ada@example.com", policy) != "#ada@example.com"


def test_which_option_is_chosen_is_never_sent_inside_unmask_either() -> None:
    doc = {"preset": "mask_all", "rules": [{"type": "unmask", "selector": "select"}]}
    events = [
        *page(el(5, "select", {}, el(6, "option", {"value": "a", "selected": True}, text(7, "Alpha")))),
        mutation(attributes=[{"id": 6, "attributes": {"selected": ""}}]),
        mutation(ts=2, attributes=[{"id": 6, "attributes": {"selected": None, "label": "A"}}]),
    ]
    out = run(events, doc)
    assert find(out, 6)["attributes"] == {"value": "a"}
    assert [e["data"]["attributes"] for e in out[2:]] == [
        [{"id": 6, "attributes": {}}],
        [{"id": 6, "attributes": {"label": "A"}}],
    ]
