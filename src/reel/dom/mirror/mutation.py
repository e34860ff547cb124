"""Applying an rrweb mutation (incremental source 0): removes, then adds, then texts, then attributes,
in the order and with the special cases of rrweb's replayer."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from reel.dom.mirror.css import (
    Declaration,
    format_declarations,
    is_valid_property,
    is_valid_value,
    parse_declarations,
    remove_declaration,
    set_declaration,
)
from reel.dom.mirror.model import MirrorData
from reel.dom.mirror.nodes import (
    HAS_CHILDREN,
    HAS_TEXT,
    OBJECT,
    AttrValue,
    Node,
    append_child,
    children,
    insert_before,
    walk,
)
from reel.dom.mirror.tree import build, mark_shadow_host, remove_subtree
from reel.dom.types import DOCTYPE, DOCUMENT, ELEMENT, TEXT


def _list(m: MirrorData, data: Mapping[str, object], key: str) -> Sequence[object]:
    value = data.get(key)
    if isinstance(value, list):
        return value
    if value is not None:
        m.report(f"mutation: {key} is not a list")
    return ()


def apply_mutation(m: MirrorData, data: Mapping[str, object]) -> None:
    """Apply one mutation event's data."""
    removes = _list(m, data, "removes")
    adds = _list(m, data, "adds")
    texts = _list(m, data, "texts")
    attributes = _list(m, data, "attributes")
    removed: set[int] = set()
    if removes:
        _apply_removes(m, removes, removed)
    if adds:
        _Adds(m, adds).run()
    if texts:
        _apply_texts(m, texts, removed)
    if attributes:
        _apply_attributes(m, attributes, removed)


def _apply_removes(m: MirrorData, removes: Sequence[object], removed: set[int]) -> None:
    nodes = m.nodes
    # Looked up before any removal: a node gone with an ancestor removed earlier in the same batch
    # is expected (rrweb lists both), a node unknown from the start is a problem.
    targets: list[tuple[Node, Mapping[str, object]] | None] = []
    for r in removes:
        if not isinstance(r, OBJECT):
            m.report("mutation: a remove is not an object")
            targets.append(None)
            continue
        rid = r.get("id")
        node = None
        if type(rid) is int:
            removed.add(rid)
            node = nodes.get(rid)
        if node is None:
            m.report(f"remove: node {rid!r} unknown")
            targets.append(None)
        else:
            targets.append((node, r))
    for target in targets:
        if target is None:
            continue
        node, r = target
        if nodes.get(node.id) is not node:
            continue
        pid = r.get("parentId")
        parent = nodes.get(pid) if type(pid) is int else None
        if parent is None:
            m.report(f"remove: parent {pid!r} of node {node.id} unknown, node kept")
            continue
        old_parent = node.parent
        if old_parent is None:
            m.report(f"remove: node {node.id} is the document root, kept")
            continue
        if old_parent is not parent:
            m.report(f"remove: node {node.id} is not a child of {pid}, removed anyway")
        remove_subtree(m, node)
        if node.kind == TEXT and old_parent.sheet is not None:
            old_parent.sheet = None


class _Adds:
    """One batch of adds. An add whose parent or next sibling is not there yet waits for that id and is
    retried when a node with it arrives; what still waits at the end is appended if its parent is
    there (next sibling missing) or dropped, with a problem each. Linear in the batch size."""

    __slots__ = ("adds", "done", "m", "pending", "waiting")

    def __init__(self, m: MirrorData, adds: Sequence[object]) -> None:
        self.m = m
        self.adds = adds
        self.done = bytearray(len(adds))
        self.waiting: dict[int, list[int]] = {}
        self.pending: deque[int] = deque()

    def run(self) -> None:
        count = len(self.adds)
        for i in range(count):
            self.attempt(i, False)
        if not self.waiting:
            return
        for i in range(count):  # appending may bring parents that others wait for
            if not self.done[i]:
                self.attempt(i, True)
        for i in range(count):
            if not self.done[i]:
                self.done[i] = 1
                add = self.adds[i]
                assert isinstance(add, OBJECT)  # noqa: S101 - only well-formed adds are left waiting
                sn = add.get("node")
                node_id = sn.get("id") if isinstance(sn, OBJECT) else None
                self.m.report(
                    f"add: parent {add.get('parentId')!r} of node {node_id!r} unknown, node dropped"
                )

    def attempt(self, first: int, force: bool) -> None:
        pending = self.pending
        pending.append(first)
        while pending:
            i = pending.popleft()
            if not self.done[i]:
                self._attempt(i, force)

    def _attempt(self, i: int, force: bool) -> None:
        m = self.m
        add = self.adds[i]
        if not isinstance(add, OBJECT):
            self.done[i] = 1
            m.report("mutation: an add is not an object")
            return
        pid = add.get("parentId")
        sn = add.get("node")
        if type(pid) is not int or not isinstance(sn, OBJECT):
            self.done[i] = 1
            m.report("add: parentId or node missing")
            return
        nodes = m.nodes
        parent = nodes.get(pid)
        if parent is None:
            self.waiting.setdefault(pid, []).append(i)
            return
        nid = add.get("nextId")
        nxt: Node | None = None
        if type(nid) is int and nid != -1:
            nxt = nodes.get(nid)
            if nxt is None:
                if not force:
                    self.waiting.setdefault(nid, []).append(i)
                    return
                m.report(f"add: next sibling {nid} of node {sn.get('id')!r} unknown, appended")
        elif nid is not None and nid != -1:
            m.report(f"add: nextId {nid!r} is not an id, appended")
        self.done[i] = 1
        node = insert(m, parent, nxt, add.get("previousId"), sn)
        if node is not None and self.waiting:
            waiting = self.waiting
            released = waiting.pop(node.id, None)
            if released:
                self.pending.extend(released)
            if node.kind == DOCUMENT:  # an iframe document comes whole: its descendants arrive too
                for descendant in walk(node):
                    released = waiting.pop(descendant.id, None)
                    if released:
                        self.pending.extend(released)


def insert(
    m: MirrorData, parent: Node, nxt: Node | None, prev_id: object, sn: Mapping[str, object]
) -> Node | None:
    """Build `sn` and link it under `parent` before `nxt` (or after the previous sibling, or last)."""
    if parent.kind not in HAS_CHILDREN:
        m.report(f"add: parent {parent.id} cannot have children")
        return None
    nodes = m.nodes
    root_id = sn.get("rootId")
    if type(root_id) is int and root_id not in nodes:
        m.report(f"add: node {sn.get('id')!r} belongs to unknown document {root_id}, dropped")
        return None
    # rrweb adds one node per entry (its children come as entries of their own), except a document
    # attached to an iframe, which comes whole and replaces the iframe's previous document.
    attach = parent.kind == ELEMENT and parent.tag == "iframe" and sn.get("type") == DOCUMENT
    if attach:
        for child in list(children(parent)):
            remove_subtree(m, child)
    node = build(m, sn, full=attach, under=parent)
    if node is None:
        return None
    if nodes.get(parent.id) is not parent:
        m.report(f"add: parent {parent.id} of node {node.id} went away, node dropped")
        remove_subtree(m, node)
        return None
    if node.extra is not None:
        mark_shadow_host(parent, node)
    kind = node.kind
    if kind == TEXT and parent.kind == ELEMENT:
        _text_into_element(m, parent, node)
    elif parent.kind == DOCUMENT and kind in (DOCTYPE, ELEMENT):
        # A reopened document gets a new doctype or <html> without the old one being removed first.
        for child in list(children(parent)):
            if child.kind == kind and (kind == DOCTYPE or node.tag == "html"):
                remove_subtree(m, child)
    prev = nodes.get(prev_id) if type(prev_id) is int else None
    if prev is not None and prev.parent is parent:
        if prev.next is None:
            append_child(parent, node)
        else:
            insert_before(parent, node, prev.next)
    elif nxt is not None and nxt.parent is parent:
        insert_before(parent, node, nxt)
    else:
        if nxt is not None:
            m.report(f"add: next sibling {nxt.id} of node {node.id} is not a child of {parent.id}, appended")
        append_child(parent, node)
    return node


def _text_into_element(m: MirrorData, parent: Node, node: Node) -> None:
    tag = parent.tag
    if tag == "textarea":
        # The replayer keeps one text child in a textarea: the new one replaces the rest.
        for child in list(children(parent)):
            if child.kind == TEXT:
                remove_subtree(m, child)
        if "value" in parent.attrs:
            del parent.writable_attrs()["value"]
    elif tag == "style":
        css = parent.attrs.get("_cssText")
        if isinstance(css, str) and not any(c.kind == TEXT for c in children(parent)):
            # The replayer's fix for a style serialized with _cssText whose text child arrives later:
            # the child takes the inlined CSS.
            node.text = css
            del parent.writable_attrs()["_cssText"]
    if parent.sheet is not None:
        parent.sheet = None


def _changed_node(
    m: MirrorData, change: object, removed: set[int], what: str, part: str
) -> tuple[Mapping[str, object], Node] | None:
    """A text or attribute change and the node it names; None, reported, when either is not usable (a
    node the same mutation removed is passed over quietly, as the replayer does)."""
    if not isinstance(change, OBJECT):
        m.report(f"mutation: {what} is not an object")
        return None
    nid = change.get("id")
    node = m.nodes.get(nid) if type(nid) is int else None
    if node is None:
        if type(nid) is not int or nid not in removed:
            m.report(f"{part}: node {nid!r} unknown")
        return None
    return change, node


def _apply_texts(m: MirrorData, texts: Sequence[object], removed: set[int]) -> None:
    for change in texts:
        found = _changed_node(m, change, removed, "a text change", "text")
        if found is None:
            continue
        t, node = found
        tid = node.id
        if node.kind not in HAS_TEXT:
            m.report(f"text: node {tid} has no text")
            continue
        value = t.get("value")
        if value is None:
            value = ""
        elif not isinstance(value, str):
            m.report(f"text: value for node {tid} is not a string")
            continue
        node.text = value
        parent = node.parent
        if parent is not None and parent.sheet is not None:
            parent.sheet = None


def _apply_attributes(m: MirrorData, changes: Sequence[object], removed: set[int]) -> None:
    for change in changes:
        found = _changed_node(m, change, removed, "an attribute change", "attributes")
        if found is None:
            continue
        values, node = found[0].get("attributes"), found[1]
        aid = node.id
        if node.kind != ELEMENT or not isinstance(values, OBJECT):
            m.report(f"attributes: node {aid} is not an element or the change is malformed")
            continue
        attrs = node.writable_attrs()
        for name, value in values.items():
            if name == "_cssText":
                node.sheet = None  # the sheet's source text changes
            if value is None:
                attrs.pop(name, None)
            elif isinstance(value, str):
                if (name == "_cssText" and node.tag in ("style", "link")) or (
                    name == "value" and node.tag == "textarea"
                ):
                    # The replayer rebuilds the element (or refills the textarea) without its children.
                    for child in list(children(node)):
                        remove_subtree(m, child)
                attrs[name] = value
            elif name == "style" and isinstance(value, OBJECT):
                _apply_style(m, node, attrs, value)
            else:
                m.report(f"attributes: value of {name!r} on node {aid} is not a string")


def _apply_style(
    m: MirrorData, node: Node, attrs: dict[str, AttrValue], changes: Mapping[str, object]
) -> None:
    current = attrs.get("style")
    cached = node.style
    items: list[Declaration | str]
    if cached is not None and cached[0] is current:
        items = cached[1]
    else:
        items = parse_declarations(current) if isinstance(current, str) else []
    changed = False
    for prop, value in changes.items():
        if not is_valid_property(prop):
            m.report(f"style: bad property name {prop!r} on node {node.id}")
            continue
        important = False
        if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
            important = value[1] == "important"
            value = value[0]
        if value is False or value == "":
            remove_declaration(items, prop)
        elif isinstance(value, str) and is_valid_value(value):
            set_declaration(items, prop, value.strip(), important)
        else:
            m.report(f"style: bad value for {prop!r} on node {node.id}")
            continue
        changed = True
    if changed:
        text = attrs["style"] = format_declarations(items)
        node.style = (text, items)
