"""DOM mirror: style sheet rules, declarations and adopted (constructed) sheets, and the CSS splitter."""

from __future__ import annotations

from typing import Any

import pytest
from test_mirror_mutations import el, mirror_of, mutation, page, txt
from test_mirror_state import find, incremental

from reel.dom.mirror.css import split_rules
from reel.dom.mirror.sheets import Sheet

Event = dict[str, Any]


def rule(ts: int = 200, **data: Any) -> Event:
    return incremental({"source": 8, **data}, ts)


def declaration(ts: int = 200, **data: Any) -> Event:
    return incremental({"source": 13, **data}, ts)


def styled_page() -> list[Event]:
    return page(el(6, "style", {}, txt(7, "a{color:red} @media print{b{x:y}}")))


def test_rules_insert_and_delete_by_index_and_fold_into_css_text() -> None:
    """insertRule/deleteRule on a <style>'s sheet; the snapshot carries the result as _cssText."""
    events = [
        *styled_page(),
        rule(id=6, adds=[{"rule": "c{z:w}", "index": 1}, {"rule": "first{}"}]),
        rule(id=6, removes=[{"index": 1}]),
    ]
    mirror = mirror_of(events)
    assert mirror.problems == []
    snapshot = mirror.snapshot()
    assert snapshot is not None
    style = find(snapshot["node"], 6)
    assert style["attributes"]["_cssText"] == "first{}c{z:w}@media print{b{x:y}}"
    assert style["childNodes"][0]["textContent"] == ""


def test_edited_sheets_go_as_one_rule_event_that_replaces_the_original_rules() -> None:
    """The tree keeps the style's text; one event at T inserts the current rules and deletes the rest."""
    mirror = mirror_of([*styled_page(), rule(id=6, adds=[{"rule": "c{z:w}", "index": 2}])])
    out = mirror.state_events(300)
    assert find(out[1]["data"]["node"], 7)["textContent"] == "a{color:red} @media print{b{x:y}}"
    assert out[2]["data"] == {
        "source": 8,
        "id": 6,
        "adds": [
            {"rule": "a{color:red}", "index": 0},
            {"rule": "@media print{b{x:y}}", "index": 1},
            {"rule": "c{z:w}", "index": 2},
        ],
        "removes": [{"index": 3}, {"index": 3}],
    }
    again = mirror_of(out)
    assert again.problems == [] and again.snapshot() == mirror.snapshot()


def test_nested_rules_and_declarations_are_edited_in_place() -> None:
    """Index paths reach into @media blocks; setProperty/removeProperty edit one rule's declarations."""
    events = [
        *styled_page(),
        rule(id=6, adds=[{"rule": "i{j:k}", "index": [1, 1]}]),
        declaration(id=6, index=[1, 0], set={"property": "x", "value": "z", "priority": "important"}),
        declaration(id=6, index=[0], remove={"property": "color"}),
        declaration(id=6, index=[0], set={"property": "margin", "value": "0", "priority": None}),
    ]
    mirror = mirror_of(events)
    assert mirror.problems == []
    sheet = mirror.nodes[6].sheet
    assert sheet is not None
    assert sheet.rule_texts() == ["a { margin: 0; }", "@media print { b { x: z !important; } i{j:k} }"]


def test_a_text_change_resets_the_sheet_to_the_new_text() -> None:
    """As in a browser, CSSOM edits are lost when the style's text changes."""
    events = [
        *styled_page(),
        rule(id=6, adds=[{"rule": "c{}"}]),
        mutation(300, texts=[{"id": 7, "value": "d{}"}]),
    ]
    mirror = mirror_of(events)
    snapshot = mirror.snapshot()
    assert snapshot is not None
    assert find(snapshot["node"], 6)["attributes"] == {}
    assert [e["data"]["source"] for e in mirror.state_events()[2:]] == []


def test_bad_rule_edits_are_reported_not_raised() -> None:
    """Out-of-range indexes, two rules in one insert, and sheets of unknown content are problems."""
    events = [
        *page(el(6, "style", {}, txt(7, "a{}")), el(8, "link", {"rel": "stylesheet", "href": "x.css"})),
        rule(id=6, removes=[{"index": 5}]),
        rule(id=6, adds=[{"rule": "a{} b{}", "index": 0}]),
        rule(id=6, adds=[{"rule": "c{}", "index": [0, 0]}]),
        rule(id=8, adds=[{"rule": "c{}", "index": 0}]),
        declaration(id=6, index=[3], set={"property": "color", "value": "red"}),
    ]
    reasons = [p.reason for p in mirror_of(events).problems]
    assert reasons == [
        "style sheet rule: delete: rule index 5 out of range",
        "style sheet rule: insert: rule text holds 2 rules",
        "style sheet rule: insert: rule at position 0 holds no rules",
        "style sheet rule: node 8 has no style sheet whose rules Reel knows",
        "style declaration: no rule at position 3",
    ]


def test_inlined_link_sheets_are_edited_through_their_css_text() -> None:
    """A <link> rrweb inlined (_cssText) has a sheet Reel knows."""
    mirror = mirror_of(
        [*page(el(6, "link", {"_cssText": "a{}"})), rule(id=6, adds=[{"rule": "b{}", "index": 1}])]
    )
    snapshot = mirror.snapshot()
    assert snapshot is not None
    assert find(snapshot["node"], 6)["attributes"]["_cssText"] == "a{}b{}"


def test_adopted_sheets_are_created_adopted_edited_and_sent_at_t() -> None:
    """Constructed sheets by styleId, adopted by the document and shadow hosts, edited later."""
    events = [
        *page(el(6, "div", {}, el(7, "span", {}))),
        incremental(
            {
                "source": 15,
                "id": 1,
                "styleIds": [1],
                "styles": [{"styleId": 1, "rules": [{"rule": "a{}", "index": 0}]}],
            }
        ),
        incremental({"source": 15, "id": 6, "styleIds": [2, 1], "styles": [{"styleId": 2, "rules": []}]}),
        rule(300, styleId=2, adds=[{"rule": "b{}", "index": 0}]),
        rule(300, styleId=1, replaceSync="c{} d{}"),
        declaration(300, styleId=1, index=[1], set={"property": "e", "value": "f", "priority": ""}),
    ]
    mirror = mirror_of(events)
    assert mirror.problems == []
    assert mirror.adopted == {1: [1], 6: [2, 1]}
    adopted = [e["data"] for e in mirror.state_events() if e["type"] == 3 and e["data"]["source"] == 15]
    assert adopted == [
        {
            "source": 15,
            "id": 1,
            "styleIds": [1],
            "styles": [
                {"styleId": 1, "rules": [{"rule": "c{}", "index": 0}, {"rule": "d { e: f; }", "index": 1}]},
                {"styleId": 2, "rules": [{"rule": "b{}", "index": 0}]},
            ],
        },
        {"source": 15, "id": 6, "styleIds": [2, 1]},
    ]
    removed = mirror_of([*events, mutation(400, removes=[{"parentId": 5, "id": 6}])])
    assert removed.adopted == {1: [1]}


@pytest.mark.parametrize(
    ("css", "rules"),
    [
        ('a{color:red} b { x: "}" }', ["a{color:red}", 'b { x: "}" }']),
        ("@import url(a;b.css); c{}", ["@import url(a;b.css);", "c{}"]),
        ("/* x */ d{e:f} /* unterminated", ["d{e:f}"]),
        ("g{h:i", ["g{h:i}"]),
        ("j{content:'k", ["j{content:'k'}"]),
        ("}} l{}", ["l{}"]),
    ],
)
def test_the_css_splitter_finds_rule_boundaries_and_is_stable(css: str, rules: list[str]) -> None:
    """Rules split where a browser would split them, and split again into themselves."""
    assert split_rules(css) == rules
    assert split_rules("".join(rules)) == rules
    for one in rules:
        assert split_rules(one) == [one]


def test_a_sheet_refuses_edits_that_would_not_read_back() -> None:
    """Values with a stray `;` or brace, or bad names, are refused so a snapshot reads back the same."""
    sheet = Sheet("a{b:c}")
    assert sheet.set_property([0], "color", "red; x: y", "") == "bad value for color"
    assert sheet.set_property([0], "co lor", "red", "") == "bad property name"
    assert sheet.set_property([0], "color", "url(a;b)", "") is None
    assert sheet.rule_texts() == ["a { b: c; color: url(a;b); }"]
