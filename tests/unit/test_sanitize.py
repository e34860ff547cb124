"""Replay sanitising: nothing recorded can run script or navigate when replayed."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reel.replay.sanitize import clean_attributes, clean_node, is_script_url, sanitize_event


def element(
    tag: str, attrs: dict[str, Any], children: list[Any] | None = None, node_id: int = 10
) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": children or []}


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:x",
        "vbscript:x",
        "data:text/html,<script>alert(1)</script>",
        "DATA: text/html;base64,AAAA",
    ],
)
def test_script_urls_are_recognised(url: str) -> None:
    assert is_script_url(url)


@pytest.mark.parametrize(
    "url", ["https://shop.example/", "/cart", "#top", "data:image/png;base64,AAAA", "mailto:a@b"]
)
def test_ordinary_urls_pass(url: str) -> None:
    assert not is_script_url(url)


def test_handlers_srcdoc_and_script_urls_are_removed() -> None:
    attrs = {
        "onclick": "x()",
        "ONLOAD": "y()",
        "onerror": "z",
        "srcdoc": "<script>",
        "href": "javascript:x",
        "src": "https://ok.example/a.png",
        "class": "btn",
        "srcset": "a.png 1x, javascript:x 2x",
    }
    assert clean_attributes(attrs, "a") == {"src": "https://ok.example/a.png", "class": "btn"}


def test_meta_refresh_is_disarmed() -> None:
    assert clean_attributes({"http-equiv": "refresh", "content": "0;url=https://evil.example"}, "meta") == {}
    assert clean_attributes({"name": "viewport", "content": "width=device-width"}, "meta") == {
        "name": "viewport",
        "content": "width=device-width",
    }


def test_fields_get_autocomplete_off() -> None:
    assert clean_attributes({"type": "text", "autocomplete": "on"}, "input")["autocomplete"] == "off"
    assert clean_attributes({}, "textarea") == {"autocomplete": "off"}


def test_scripts_become_inert_but_keep_their_id() -> None:
    tree = element(
        "body",
        {},
        [
            element(
                "script",
                {"src": "https://evil.example/x.js"},
                [{"type": 3, "id": 12, "textContent": "alert(1)"}],
                11,
            )
        ],
    )
    cleaned = clean_node(tree)
    [script] = cleaned["childNodes"]
    assert (script["id"], script["tagName"], script["attributes"], script["childNodes"]) == (
        11,
        "noscript",
        {},
        [],
    )


def test_the_input_is_not_modified() -> None:
    tree = element("img", {"onerror": "alert(1)", "src": "x.png"})
    event = {"type": 2, "timestamp": 1, "data": {"node": tree, "initialOffset": {"top": 0, "left": 0}}}
    out = sanitize_event(event)
    assert "onerror" in tree["attributes"]
    assert "onerror" not in out["data"]["node"]["attributes"]


def test_mutations_are_cleaned() -> None:
    event = {
        "type": 3,
        "timestamp": 1,
        "data": {
            "source": 0,
            "texts": [],
            "removes": [],
            "adds": [{"parentId": 1, "nextId": None, "node": element("svg", {"onload": "alert(1)"})}],
            "attributes": [
                {"id": 5, "attributes": {"onclick": "x", "href": "javascript:void(0)", "title": "ok"}}
            ],
        },
    }
    out = sanitize_event(event)
    assert out["data"]["adds"][0]["node"]["attributes"] == {}
    assert out["data"]["attributes"][0]["attributes"] == {"title": "ok"}


def test_a_tree_10000_deep_is_cleaned_without_recursion() -> None:
    node: dict[str, Any] = {"type": 3, "id": 0, "textContent": "leaf"}
    for i in range(1, 10_001):
        node = element("div", {"onclick": "x"}, [node], i)
    cleaned = clean_node(node)
    depth = 0
    while cleaned.get("childNodes"):
        assert "onclick" not in cleaned["attributes"]
        cleaned = cleaned["childNodes"][0]
        depth += 1
    assert depth == 10_000


names = st.one_of(
    st.sampled_from(["onclick", "OnLoad", "srcdoc", "href", "src", "title", "onx", "formaction"]),
    st.text(max_size=12),
)
values = st.one_of(
    st.text(max_size=30), st.sampled_from(["javascript:alert(1)", " jAvAsCrIpT:x", "java\nscript:1"])
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(names, values, max_size=8), st.sampled_from(["a", "iframe", "img", "form", "div", None])
)
def test_no_handler_or_script_url_survives(attrs: dict[str, str], tag: str | None) -> None:
    """Whatever the attributes, none that can run script comes out, and cleaning twice changes nothing."""
    clean = clean_attributes(attrs, tag)
    for name, value in clean.items():
        assert not name.lower().startswith("on") and name.lower() != "srcdoc"
        if name.lower() in ("href", "src", "formaction"):
            assert not is_script_url(value)
    assert clean_attributes(clean, tag) == clean


def test_base_ping_and_image_data_only_in_rr_dataurl() -> None:
    """Issue 15: `<base>` would move every URL the player writes, `ping` is a request on a click, and
    rrweb loads `rr_dataURL` as an image source."""
    tree = element(
        "div",
        {},
        [
            element("base", {"href": "http://trap.invalid/"}, node_id=11),
            element("a", {"href": "#x", "ping": "http://trap.invalid/p"}, node_id=12),
            element("canvas", {"rr_dataURL": "http://trap.invalid/c"}, node_id=13),
            element("img", {"rr_dataURL": "data:image/png;base64,AAAA"}, node_id=14),
        ],
    )
    base, link, canvas, img = clean_node(tree)["childNodes"]
    assert (base["tagName"], base["attributes"], base["id"]) == ("noscript", {}, 11)
    assert link["attributes"] == {"href": "#x"}
    assert canvas["attributes"] == {}
    assert img["attributes"] == {"rr_dataURL": "data:image/png;base64,AAAA"}


def test_svg_animations_may_not_retarget_a_url_or_a_handler() -> None:
    for target in ("href", "xlink:href", " HREF", "src", "onclick"):
        attrs = {"attributeName": target, "to": "http://trap.invalid/x", "values": "a;b", "dur": "1s"}
        assert clean_attributes(attrs, "set") == {"dur": "1s"}, target
    kept = {"attributeName": "opacity", "from": "0", "to": "1"}
    assert clean_attributes(kept, "animate") == kept
    assert clean_attributes({"values": "0;javascript:x"}, None) == {}


def test_frames_may_not_load_xml_documents_from_data_urls() -> None:
    svg = "data:image/svg+xml,<svg onload='x'/>"
    for tag in ("embed", "iframe", "object", "use", None):
        name = "data" if tag == "object" else "src"
        assert clean_attributes({name: svg}, tag) == ({"autocomplete": "off"} if tag == "form" else {}), tag
    assert clean_attributes({"src": svg}, "img") == {"src": svg}  # an image runs nothing
