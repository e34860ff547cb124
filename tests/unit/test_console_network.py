"""Console messages, errors with stack frames and failed or slow requests: replay masking, actions, the
`capture` section of the rules document, and the masked image and viewport settings (pure parts)."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from reel.dom.mirror import DomMirror
from reel.domain.records import Session, StoredAction
from reel.domain.rules import DEFAULT_RULES, Capture, RuleSet, parse_rules, rules_document
from reel.domain.sessions import with_counters
from reel.errors import InvalidField
from reel.processing.actions import ActionExtractor
from reel.replay.masking import mask_events
from reel.replay.masking.policy import is_viewport

Event = dict[str, Any]
T = 1_764_240_000_000
CANARY = "QzCanary9"


def custom(tag: str, ts: int = 1, **payload: Any) -> Event:
    return {"type": 5, "timestamp": T + ts, "data": {"tag": tag, "payload": payload}}


def meta() -> Event:
    return {"type": 4, "timestamp": T, "data": {"href": "https://shop.test/", "width": 800, "height": 600}}


def masked(events: list[Event], doc: dict[str, Any] | None = None) -> list[Event]:
    """Masked events; the input is untouched and masking twice equals masking once."""
    rules = DEFAULT_RULES if doc is None else parse_rules(doc, version=1)
    before = copy.deepcopy(events)
    out = mask_events(events, rules)
    assert events == before
    assert mask_events(out, rules) == out
    return out


FRAMES = [
    {"fn": "explodeCheckout", "file": "https://shop.test/app.js?token=abc#frag", "line": 12, "col": 7},
    {"fn": "HTMLButtonElement.onclick", "file": "https://shop.test/", "line": 1, "col": 1},
]


def test_console_messages_are_masked_and_keep_level_and_stack_function_names() -> None:
    events = [
        meta(),
        custom("reel.console", level="log", message=f"{CANARY}-log ada@example.com", extra=f"{CANARY}-x"),
        custom("reel.console", level="error", message=f"TypeError: {CANARY}-err", frames=FRAMES),
        custom(
            "reel.error",
            message=f"Error: {CANARY}-thrown",
            source="https://shop.test/app.js?k=v",
            frames=FRAMES,
        ),
    ]
    out = masked(events)
    text = orjson.dumps(out).decode()
    assert CANARY not in text and "ada@example.com" not in text
    log, err, thrown = (e["data"]["payload"] for e in out[1:])
    assert log == {"level": "log", "message": "******** ******** ******** ********"}
    assert err["message"].startswith("TypeError: *") and err["level"] == "error"
    assert [f["fn"] for f in err["frames"]] == ["explodeCheckout", "HTMLButtonElement.onclick"]
    assert err["frames"][0] == {
        "fn": "explodeCheckout",
        "file": "https://shop.test/app.js?token=***",
        "line": 12,
        "col": 7,
    }
    assert thrown["source"] == "https://shop.test/app.js?k=***" and thrown["frames"][0]["line"] == 12
    # Under mask_inputs messages are shown, but the detectors still apply.
    relaxed = orjson.dumps(masked(events, {"preset": "mask_inputs"})).decode()
    assert f"{CANARY}-log" in relaxed and "ada@example.com" not in relaxed


def test_a_function_name_holding_personal_data_goes_through_the_detectors() -> None:
    out = masked([meta(), custom("reel.error", message="x", frames=[{"fn": "ada@example.com", "line": 1}])])
    assert "ada@example.com" not in orjson.dumps(out).decode()


def test_network_events_keep_their_figures_and_mask_the_url() -> None:
    events = [
        meta(),
        custom(
            "reel.network",
            method="POST",
            url=f"https://api.shop.test/users/ada@example.com/cart?session={CANARY}#t",
            status=404,
            duration=125,
            req=42,
            res=9,
            via="fetch",
            headers={"Authorization": CANARY},
            body=CANARY,
        ),
        custom("reel.network", method="get /x", url="/slow", status=0, duration=5000, error="network"),
    ]
    out = masked(events)
    assert CANARY not in orjson.dumps(out).decode()
    assert out[1]["data"]["payload"] == {
        "method": "POST",
        "url": "https://api.shop.test/users/***/cart?session=***",
        "status": 404,
        "duration": 125,
        "req": 42,
        "res": 9,
        "via": "fetch",
    }
    assert out[2]["data"]["payload"] == {
        "method": "***",
        "url": "/slow",
        "status": 0,
        "duration": 5000,
        "error": "network",
    }


def actions_of(events: list[Event]) -> list[Any]:
    extractor = ActionExtractor()
    mirror = DomMirror()
    out = []
    for event in events:
        mirror.apply(event)
        extractor.feed(event, mirror)
        out.extend(extractor.drain())
    return out + extractor.finish()


def test_failed_requests_and_errors_are_actions_slow_ones_and_logs_are_not() -> None:
    events = [
        meta(),
        custom("reel.console", 1, level="log", message="hello"),
        custom("reel.console", 2, level="error", message="Error: bad", frames=FRAMES),
        custom("reel.network", 3, method="GET", url="/missing?x=1", status=404, duration=12),
        custom("reel.network", 4, method="POST", url="/down", status=0, duration=3, error="network"),
        custom("reel.network", 5, method="GET", url="/slow", status=200, duration=4000),
        custom("reel.error", 6, message="TypeError: x", frames=FRAMES),
    ]
    actions = [a for a in actions_of(events) if a.kind != "load"]
    assert [(a.kind, a.label) for a in actions] == [
        ("error", "Error: bad"),
        ("network_error", "GET 404"),
        ("network_error", "POST network"),
        ("error", "TypeError: x"),
    ]
    assert actions[1].data["source"] == "/missing?x=1" and actions[1].data["status"] == 404
    assert actions[3].data["source"] == FRAMES[0]["file"]  # no `source`: the innermost frame's file
    # Failed requests count as the session's errors, which the list's "has errors" filter reads.
    stored = [
        StoredAction("r", "s", "a", a.ts, a.kind, a.url, a.target, a.label, dict(a.data)) for a in actions
    ]
    session = Session("s", "a", "r", "c", 0, T, T + 6, "", "", 1, 1, 7, 0, 0, True, True, True, T, T)
    assert with_counters(session, stored).errors == 4


def test_the_capture_section_is_parsed_defaulted_and_served() -> None:
    assert DEFAULT_RULES.capture == Capture(("error", "warn"), True, 3000)
    assert rules_document(DEFAULT_RULES)["capture"] == {
        "console": ["error", "warn"],
        "network": True,
        "slow_ms": 3000,
    }
    rules = parse_rules({"capture": {"console": ["debug", "log", "error"], "network": False, "slow_ms": 800}})
    assert rules.capture == Capture(("debug", "log", "error"), False, 800)
    assert parse_rules(rules_document(rules)) == rules


@pytest.mark.parametrize(
    ("capture", "field"),
    [
        ("all", "capture"),
        ({"console": ["trace"]}, "capture.console"),
        ({"console": "error"}, "capture.console"),
        ({"network": "yes"}, "capture.network"),
        ({"slow_ms": 0}, "capture.slow_ms"),
        ({"slow_ms": 1.5}, "capture.slow_ms"),
        ({"bodies": True}, "capture.bodies"),
    ],
)
def test_a_bad_capture_section_is_refused_naming_the_field(capture: object, field: str) -> None:
    with pytest.raises(InvalidField) as err:
        parse_rules({"capture": capture})
    assert err.value.field == field


def _snapshot(*head: Event, body: tuple[Event, ...] = ()) -> list[Event]:
    def el(node_id: int, tag: str, attrs: dict[str, Any], *kids: Event) -> Event:
        return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": list(kids)}

    doc = {
        "type": 0,
        "id": 1,
        "childNodes": [el(2, "html", {}, el(3, "head", {}, *head), el(4, "body", {}, *body))],
    }
    return [
        meta(),
        {"type": 2, "timestamp": T, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
    ]


def _node(events: list[Event], node_id: int) -> Event:
    stack = [events[1]["data"]["node"]]
    while stack:
        n = stack.pop()
        if n.get("id") == node_id:
            return n  # type: ignore[no-any-return]
        stack.extend(n.get("childNodes", []))
    raise AssertionError(node_id)


def test_a_masked_image_keeps_its_size_and_an_empty_alt_and_the_viewport_stays_usable() -> None:
    viewport = {
        "type": 2,
        "id": 10,
        "tagName": "meta",
        "attributes": {"name": "viewport", "content": "width=device-width, initial-scale=1"},
        "childNodes": [],
    }
    author = {
        "type": 2,
        "id": 11,
        "tagName": "meta",
        "attributes": {"name": "author", "content": "Ada Lovelace"},
        "childNodes": [],
    }
    image = {
        "type": 2,
        "id": 12,
        "tagName": "img",
        "attributes": {"src": "/p.png", "alt": f"{CANARY}-alt", "width": "120", "height": "80"},
        "childNodes": [],
    }
    out = masked(_snapshot(viewport, author, body=(image,)))
    assert _node(out, 10)["attributes"]["content"] == "width=device-width, initial-scale=1"
    assert _node(out, 11)["attributes"]["content"] == "******** ********"
    img = _node(out, 12)["attributes"]
    assert "src" not in img and img["alt"] == "" and img["rr_width"] == "120px" and img["rr_height"] == "80px"
    # Under allow_list images are kept, their alt masked as an attribute of the default list.
    kept = _node(masked(_snapshot(body=(image,)), {"preset": "allow_list"}), 12)["attributes"]
    assert kept["src"] == "/p.png" and kept["alt"] == "******** ********"


@pytest.mark.parametrize(
    ("content", "kept"),
    [
        ("width=device-width, initial-scale=1", True),
        ("width=device-width,initial-scale=1.0,maximum-scale=1,user-scalable=no", True),
        ("  WIDTH = 1024 ; viewport-fit=cover ", True),
        ("width=ada", False),
        ("Ada Lovelace", False),
        ("width=device-width, note=ada", False),
        ("", False),
    ],
)
def test_viewport_settings_are_recognised_by_their_keys_and_values_only(content: str, kept: bool) -> None:
    assert is_viewport(content) is kept


def test_rule_sets_without_a_capture_section_compare_equal_to_the_default() -> None:
    assert parse_rules({}) == RuleSet()
