"""DOM mirror: deep and wide trees without recursion or quadratic work, and malformed input reported."""

from __future__ import annotations

import time
from typing import Any

import pytest
from test_mirror_mutations import el, mirror_of, mutation, page, txt

from reel.dom.mirror import state_at

Event = dict[str, Any]
DEPTH = 10_000


def deep_chain(first_id: int, depth: int) -> Event:
    """div > div > ... `depth` deep, built without recursion (orjson could not parse it: depth > 1024)."""
    top = el(first_id, "div")
    current = top
    for i in range(1, depth):
        child = el(first_id + i, "div")
        current["childNodes"].append(child)
        current = child
    current["childNodes"].append(txt(first_id + depth, "bottom"))
    return top


def flat(node: Event) -> list[tuple[Any, ...]]:
    """A tree as (parent id, id, type, tag, attributes, text) rows, pre-order, without recursion
    (== on 10,000-deep dicts would itself recurse too deep)."""
    rows: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, Event]] = [(None, node)]
    while stack:
        parent, current = stack.pop()
        rows.append(
            (
                parent,
                current["id"],
                current["type"],
                current.get("tagName"),
                current.get("attributes"),
                current.get("textContent"),
            )
        )
        stack.extend((current["id"], c) for c in reversed(current.get("childNodes", [])))
    return rows


def test_a_tree_10000_deep_loads_emits_and_is_removed() -> None:
    """Every walk is a loop: a 10,000-deep snapshot loads, is emitted, and its removal forgets it all."""
    events = page(deep_chain(10, DEPTH))
    mirror = mirror_of(events)
    assert mirror.problems == [] and len(mirror.nodes) == 5 + DEPTH + 1
    snapshot = mirror.snapshot()
    assert snapshot is not None
    assert flat(snapshot["node"]) == flat(events[1]["data"]["node"])
    out = state_at([*events, mutation(300, texts=[{"id": 10 + DEPTH, "value": "changed"}])], 300)
    resumed = mirror_of(out)
    assert resumed.nodes[10 + DEPTH].text == "changed"
    mirror.apply(mutation(400, removes=[{"parentId": 5, "id": 10}]))
    assert len(mirror.nodes) == 5


def test_a_chain_10000_deep_added_in_reverse_order_resolves() -> None:
    """Adds whose parents come later in the batch wait for them, in time linear in the batch."""
    adds = [
        {"parentId": 5 if i == 0 else 100 + i - 1, "nextId": None, "node": el(100 + i, "b")}
        for i in range(DEPTH)
    ]
    mirror = mirror_of([*page(), mutation(adds=adds[::-1])])
    assert mirror.problems == [] and len(mirror.nodes) == 5 + DEPTH
    assert mirror.nodes[100 + DEPTH - 1].parent is mirror.nodes[100 + DEPTH - 2]


def test_a_parent_with_20000_children_adds_and_removes_in_linear_time() -> None:
    """Children are a linked list: inserting before a sibling and removing are O(1)."""
    kids = [el(100 + i, "li") for i in range(20_000)]
    removes = [{"parentId": 6, "id": 100 + i} for i in range(0, 20_000, 2)]
    adds = [{"parentId": 6, "nextId": 100 + i + 1, "node": el(50_000 + i, "li")} for i in range(0, 20_000, 2)]
    started = time.process_time()  # CPU time: a loaded machine stretches wall time, not this
    mirror = mirror_of([*page(el(6, "ul", {}, *kids)), mutation(removes=removes, adds=adds)])
    assert time.process_time() - started < 5
    assert mirror.problems == [] and len(mirror.nodes) == 6 + 20_000


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        "x",
        {"type": "2"},
        {"type": 2, "data": {"node": []}},
        {"type": 2, "data": {"node": {"type": 2, "tagName": "div", "id": 1}}},
        {"type": 3},
        {"type": 3, "data": {"source": 99}},
        {"type": 3, "data": {"source": 0, "adds": {"a": 1}}},
        {"type": 3, "data": {"source": 0, "adds": [{"parentId": 5, "node": {"id": "7", "type": 2}}]}},
        {"type": 3, "data": {"source": 0, "removes": [{"id": [1], "parentId": {}}]}},
        {"type": 3, "data": {"source": 0, "attributes": [{"id": 5, "attributes": {"style": {"color": 1}}}]}},
        {"type": 3, "data": {"source": 5, "id": 5, "text": 3}},
        {"type": 3, "data": {"source": 3, "id": 5, "x": "1", "y": 2}},
        {"type": 3, "data": {"source": 8, "id": 5, "adds": [{"rule": 3}]}},
        {"type": 3, "data": {"source": 13, "styleId": 4, "index": [0]}},
        {"type": 3, "data": {"source": 15, "id": 5, "styleIds": "x"}},
        {"type": 4, "data": {"href": None, "width": True, "height": 1}},
        {"type": 9, "data": {}},
    ],
)
def test_malformed_events_are_reported_and_leave_the_state_alone(event: Any) -> None:
    """Untrusted input: wrong types anywhere are a problem and a skip, never an exception."""
    mirror = mirror_of(page(el(6, "p")))
    before = mirror.snapshot()
    mirror.apply(event)
    assert mirror.problems, "a problem is recorded"
    assert not [p for p in mirror.problems if p.reason.startswith("internal error")]
    assert mirror.snapshot() == before
