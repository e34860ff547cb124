"""DOM mirror: mutations (adds, removes, texts, attributes) applied as rrweb's replayer applies them."""

from __future__ import annotations

from typing import Any

from reel.dom.mirror import DomMirror

Event = dict[str, Any]


def el(node_id: int, tag: str, attrs: dict[str, Any] | None = None, *kids: Event) -> Event:
    return {"type": 2, "tagName": tag, "attributes": attrs or {}, "childNodes": list(kids), "id": node_id}


def txt(node_id: int, text: str) -> Event:
    return {"type": 3, "textContent": text, "id": node_id}


def page(*body: Event) -> list[Event]:
    """Meta + a full snapshot: document 1, doctype 2, html 3, head 4, body 5 holding `body`."""
    doc = {
        "type": 0,
        "childNodes": [
            {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": 2},
            el(3, "html", {}, el(4, "head"), el(5, "body", {}, *body)),
        ],
        "id": 1,
    }
    return [
        {"type": 4, "data": {"href": "http://shop.test/", "width": 1280, "height": 720}, "timestamp": 100},
        {"type": 2, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}, "timestamp": 100},
    ]


def mutation(ts: int = 200, **parts: list[Event]) -> Event:
    data: Event = {"source": 0, "adds": [], "removes": [], "texts": [], "attributes": []}
    data.update(parts)
    return {"type": 3, "data": data, "timestamp": ts}


def mirror_of(events: list[Event]) -> DomMirror:
    mirror = DomMirror()
    mirror.apply_all(events)
    return mirror


def child_ids(mirror: DomMirror, node_id: int) -> list[int]:
    snapshot = mirror.snapshot()
    assert snapshot is not None
    stack = [snapshot["node"]]
    while stack:
        node = stack.pop()
        if node["id"] == node_id:
            return [c["id"] for c in node.get("childNodes", [])]
        stack.extend(node.get("childNodes", []))
    raise AssertionError(f"node {node_id} not in the snapshot")


def test_adds_resolve_next_siblings_and_parents_added_later_in_the_batch() -> None:
    """An add may name a next sibling or a parent that a later add in the same batch creates."""
    adds = [
        {"parentId": 10, "nextId": 12, "node": el(11, "li")},  # parent and next sibling come later
        {"parentId": 5, "nextId": None, "node": el(10, "ul")},
        {"parentId": 10, "nextId": None, "node": el(12, "li")},
        {"parentId": 10, "nextId": 11, "node": el(13, "li")},
    ]
    mirror = mirror_of([*page(), mutation(adds=adds)])
    assert child_ids(mirror, 5) == [10]
    assert child_ids(mirror, 10) == [13, 11, 12]
    assert mirror.problems == []


def test_an_add_whose_next_sibling_never_comes_is_appended_and_reported() -> None:
    """A missing next sibling is a problem, not an exception: the node goes last."""
    mirror = mirror_of(
        [*page(el(6, "p")), mutation(adds=[{"parentId": 5, "nextId": 99, "node": el(7, "p")}])]
    )
    assert child_ids(mirror, 5) == [6, 7]
    assert [p.reason for p in mirror.problems] == ["add: next sibling 99 of node 7 unknown, appended"]
    assert mirror.problems[0].index == 2 and mirror.problems[0].timestamp == 200


def test_adds_waiting_on_an_appended_node_still_resolve() -> None:
    """When a node is appended for want of its next sibling, the adds waiting for it follow it in."""
    adds = [
        {"parentId": 8, "nextId": None, "node": el(9, "i")},  # waits for 8
        {"parentId": 7, "nextId": 98, "node": el(8, "b")},  # waits for 7, then for 98 that never comes
        {"parentId": 5, "nextId": 99, "node": el(7, "p")},  # waits for 99 that never comes
    ]
    mirror = mirror_of([*page(), mutation(adds=adds)])
    assert child_ids(mirror, 5) == [7] and child_ids(mirror, 7) == [8] and child_ids(mirror, 8) == [9]
    assert [p.reason for p in mirror.problems] == [
        "add: next sibling 99 of node 7 unknown, appended",
        "add: next sibling 98 of node 8 unknown, appended",
    ]


def test_an_add_under_an_unknown_parent_is_dropped_and_reported() -> None:
    """A missing parent drops the node."""
    mirror = mirror_of([*page(), mutation(adds=[{"parentId": 77, "nextId": None, "node": el(7, "p")}])])
    assert 7 not in mirror.nodes
    assert "parent 77" in mirror.problems[0].reason


def test_children_inside_an_added_node_are_ignored_as_by_the_replayer() -> None:
    """rrweb sends one node per add (children come as their own adds); the replayer skips any others."""
    mirror = mirror_of(
        [*page(), mutation(adds=[{"parentId": 5, "nextId": None, "node": el(7, "p", {}, txt(8, "x"))}])]
    )
    assert child_ids(mirror, 7) == []
    assert 8 not in mirror.nodes


def test_removing_a_node_removes_its_subtree_from_the_id_map() -> None:
    """Descendants of a removed node are forgotten; later changes to them are problems."""
    events = [
        *page(el(6, "div", {}, el(7, "p", {}, txt(8, "a")))),
        mutation(removes=[{"parentId": 5, "id": 6}]),
        mutation(300, texts=[{"id": 8, "value": "b"}]),
    ]
    mirror = mirror_of(events)
    assert not {6, 7, 8} & mirror.nodes.keys()
    assert child_ids(mirror, 5) == []
    assert [p.reason for p in mirror.problems] == ["text: node 8 unknown"]


def test_changes_to_nodes_removed_in_the_same_batch_are_not_problems() -> None:
    """rrweb lists removed descendants and texts of removed nodes; both are expected."""
    batch = mutation(
        removes=[{"parentId": 5, "id": 6}, {"parentId": 6, "id": 7}],
        texts=[{"id": 7, "value": "gone"}],
        attributes=[{"id": 6, "attributes": {"class": "x"}}],
    )
    mirror = mirror_of([*page(el(6, "div", {}, txt(7, "a"))), batch])
    assert mirror.problems == []


def test_a_moved_node_keeps_its_id() -> None:
    """A move is a remove plus an add of the same id."""
    batch = mutation(
        removes=[{"parentId": 6, "id": 8}], adds=[{"parentId": 7, "nextId": None, "node": el(8, "b")}]
    )
    mirror = mirror_of([*page(el(6, "div", {}, el(8, "b")), el(7, "div")), batch])
    assert child_ids(mirror, 6) == [] and child_ids(mirror, 7) == [8]


def test_texts_and_attributes_apply_after_adds() -> None:
    """Texts and attributes may target nodes added in the batch; null text is empty, null attr removes."""
    batch = mutation(
        adds=[{"parentId": 5, "nextId": None, "node": txt(9, "old")}],
        texts=[{"id": 9, "value": None}, {"id": 6, "value": "new"}],
        attributes=[{"id": 5, "attributes": {"class": "dark", "lang": None}}],
    )
    mirror = mirror_of([*page(txt(6, "hello")), batch])
    assert mirror.nodes[9].text == "" and mirror.nodes[6].text == "new"
    assert mirror.nodes[5].attrs == {"class": "dark"}


def test_style_attribute_objects_set_prioritise_and_remove_properties() -> None:
    """rrweb's style diffs: a value, [value, priority], or false to remove."""
    changes = {"style": {"color": "red", "width": ["10px", "important"], "margin": False, "top": "0"}}
    events = [
        *page(el(6, "div", {"style": "margin: 1px; color: blue"})),
        mutation(attributes=[{"id": 6, "attributes": changes}]),
    ]
    mirror = mirror_of(events)
    assert mirror.nodes[6].attrs["style"] == "color: red; width: 10px !important; top: 0;"


def test_a_bad_style_value_is_reported_and_the_rest_applied() -> None:
    """A value that would break the declaration block is refused."""
    changes = {"style": {"color": "red; background: blue", "width": "1px"}}
    mirror = mirror_of([*page(el(6, "div")), mutation(attributes=[{"id": 6, "attributes": changes}])])
    assert mirror.nodes[6].attrs["style"] == "width: 1px;"
    assert "bad value for 'color'" in mirror.problems[0].reason


def test_an_id_added_twice_replaces_the_old_node() -> None:
    """A duplicate id (a recorder bug) moves the id to the new node instead of keeping two."""
    mirror = mirror_of(
        [*page(el(6, "p")), mutation(adds=[{"parentId": 5, "nextId": None, "node": el(6, "div")}])]
    )
    assert child_ids(mirror, 5) == [6] and mirror.nodes[6].tag == "div"
    assert "already in use" in mirror.problems[0].reason


def test_a_reopened_document_gets_its_new_html_and_doctype() -> None:
    """A new <html> or doctype under the document replaces the old one, as in the replayer."""
    adds = [
        {
            "parentId": 1,
            "nextId": None,
            "node": {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": 20},
        },
        {"parentId": 1, "nextId": None, "node": el(21, "html")},
    ]
    mirror = mirror_of([*page(el(6, "p")), mutation(adds=adds)])
    assert child_ids(mirror, 1) == [20, 21]
    assert 6 not in mirror.nodes


def test_textarea_and_style_text_follow_the_replayer() -> None:
    """A textarea keeps one text child; a style's inlined _cssText moves into its first text child."""
    events = [
        *page(el(6, "textarea", {}, txt(7, "a")), el(8, "style", {"_cssText": "p{color:red}"})),
        mutation(
            adds=[
                {"parentId": 6, "nextId": None, "node": txt(9, "b")},
                {"parentId": 8, "nextId": None, "node": txt(10, "")},
            ]
        ),
    ]
    mirror = mirror_of(events)
    assert child_ids(mirror, 6) == [9] and 7 not in mirror.nodes
    assert mirror.nodes[10].text == "p{color:red}" and "_cssText" not in mirror.nodes[8].attrs


def test_an_iframe_document_is_attached_whole_and_sent_as_an_attach_mutation() -> None:
    """Iframe documents come whole; the snapshot leaves them out and state_events attaches them."""
    frame_doc = {
        "type": 0,
        "childNodes": [el(11, "html", {}, el(12, "body", {}, txt(13, "inner")))],
        "id": 10,
    }
    attach = mutation(adds=[{"parentId": 6, "nextId": None, "node": frame_doc}], isAttachIframe=True)  # type: ignore[arg-type]
    mirror = mirror_of(
        [*page(el(6, "iframe")), attach, mutation(300, texts=[{"id": 13, "value": "changed"}])]
    )
    assert mirror.problems == []
    assert child_ids(mirror, 6) == []
    events = mirror.state_events()
    attaches = [e["data"] for e in events if e["type"] == 3 and e["data"]["source"] == 0]
    assert len(attaches) == 1 and attaches[0]["isAttachIframe"] is True
    assert attaches[0]["adds"][0]["parentId"] == 6
    assert (
        attaches[0]["adds"][0]["node"]["childNodes"][0]["childNodes"][0]["childNodes"][0]["textContent"]
        == "changed"
    )
