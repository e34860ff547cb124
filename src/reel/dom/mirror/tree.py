"""Building mirrored subtrees from serialized nodes, and removing them, without recursion."""

from __future__ import annotations

from collections.abc import Mapping

from reel.dom.mirror.model import MirrorData
from reel.dom.mirror.nodes import (
    HAS_CHILDREN,
    OBJECT,
    Node,
    append_child,
    children,
    children_of,
    detach,
    make_node,
    number,
    walk,
)
from reel.dom.types import DOCTYPE, DOCUMENT, ELEMENT, TEXT

SPLIT_MARK = "/* rr_split */"


def on_load(m: MirrorData, node: Node, settle: list[Node] | None) -> None:
    """Move what rrweb serialises as attributes but a browser keeps beside the DOM into node state."""
    attrs = node.attrs
    if not attrs:
        return
    if "rr_scrollLeft" in attrs or "rr_scrollTop" in attrs:
        left = number(attrs.get("rr_scrollLeft", 0))
        top = number(attrs.get("rr_scrollTop", 0))
        if left is not None and top is not None:
            node.scroll = (left, top)
            writable = node.writable_attrs()
            writable.pop("rr_scrollLeft", None)
            writable.pop("rr_scrollTop", None)
    tag = node.tag
    if (tag == "video" or tag == "audio") and number(attrs.get("rr_mediaCurrentTime")) is not None:
        node.media = m.timestamp
    if settle is not None and (
        (tag == "style" and "_cssText" in attrs) or (tag == "textarea" and "value" in attrs)
    ):
        settle.append(node)


def mark_shadow_host(parent: Node, child: Node) -> None:
    """A child in a shadow root makes its parent a shadow host: the replayer attaches a shadow root to
    a rebuilt element only when the snapshot says isShadowHost (a mutation attaches one on demand)."""
    extra = child.extra
    if extra is not None and extra.get("isShadow") is True and parent.kind == ELEMENT:
        host = parent.extra
        if host is None:
            parent.extra = {"isShadowHost": True}
        elif host.get("isShadowHost") is not True:
            host["isShadowHost"] = True


def settle_loaded(m: MirrorData, node: Node) -> None:
    """Apply what rrweb's rebuild does to a fully built node: _cssText fills the style's text children,
    a textarea's value attribute replaces its children."""
    attrs = node.attrs
    if node.tag == "style":
        css = attrs.get("_cssText")
        texts = [c for c in children(node) if c.kind == TEXT]
        if not isinstance(css, str) or not texts:
            return
        splits = css.split(SPLIT_MARK)
        while len(splits) > 1 and len(splits) > len(texts):
            splits[-2:] = ["".join(splits[-2:])]
        for child, part in zip(texts, splits, strict=False):
            child.text = part
        del node.writable_attrs()["_cssText"]
    elif isinstance(attrs.get("value"), str) and node.first is not None:
        for child in list(children(node)):
            remove_subtree(m, child)


def remove_subtree(m: MirrorData, node: Node) -> None:
    """Detach `node` and forget the ids of its whole subtree."""
    detach(node)
    nodes = m.nodes
    adopted = m.adopted
    for n in walk(node):
        if nodes.get(n.id) is n:
            del nodes[n.id]
            if adopted:
                adopted.pop(n.id, None)


def build(m: MirrorData, sn: Mapping[str, object], *, full: bool, under: Node | None) -> Node | None:
    """Build and register a node from its serialized form, with its descendants when `full`.

    `under` is the parent it will be linked to (None for a full snapshot's root). An id already in
    use elsewhere is taken over (the old node is removed); the node itself is not linked to `under`.
    """
    node, problem = make_node(sn)
    if problem is not None:
        m.report(problem)
    if node is None:
        return None
    if not _allowed(node, under):
        m.report(f"node {node.id}: a {_KIND_NAMES[node.kind]} cannot go under {_describe(under)}")
        return None
    nodes = m.nodes
    existing = nodes.get(node.id)
    if existing is not None:
        m.report(f"node {node.id}: id already in use, the old node is replaced")
        remove_subtree(m, existing)
        if under is not None and nodes.get(under.id) is not under:
            m.report(f"node {node.id}: its parent went away with the replaced node")
            return None
    nodes[node.id] = node
    settle: list[Node] | None = [] if full else None
    if node.kind == ELEMENT:
        on_load(m, node, settle)
    if full and node.kind in HAS_CHILDREN:
        _build_children(m, node, sn, settle)
    if settle:
        for loaded in settle:
            settle_loaded(m, loaded)
    return node


def _build_children(
    m: MirrorData, top: Node, top_sn: Mapping[str, object], settle: list[Node] | None
) -> None:
    nodes = m.nodes
    fresh = {top.id}
    stack: list[tuple[Node, list[object]]] = [(top, children_of(top_sn))]
    # Children are taken in order with an index per level, so the walk is pre-order and iterative.
    positions = [0]
    while stack:
        parent, kids = stack[-1]
        i = positions[-1]
        if i >= len(kids):
            stack.pop()
            positions.pop()
            continue
        positions[-1] = i + 1
        sn = kids[i]
        if not isinstance(sn, OBJECT):
            m.report(f"node {parent.id}: a child is not an object")
            continue
        node, problem = make_node(sn)
        if problem is not None:
            m.report(problem)
        if node is None:
            continue
        if not _allowed(node, parent):
            m.report(f"node {node.id}: a {_KIND_NAMES[node.kind]} cannot go under {_describe(parent)}")
            continue
        if node.id in fresh:
            m.report(f"node {node.id}: id used twice in one tree, the second is dropped")
            continue
        existing = nodes.get(node.id)
        if existing is not None:
            m.report(f"node {node.id}: id already in use, the old node is replaced")
            remove_subtree(m, existing)
        fresh.add(node.id)
        nodes[node.id] = node
        append_child(parent, node)
        if node.extra is not None:
            mark_shadow_host(parent, node)
        if node.kind == ELEMENT:
            on_load(m, node, settle)
        if node.kind in HAS_CHILDREN:
            stack.append((node, children_of(sn)))
            positions.append(0)


_KIND_NAMES = ("document", "doctype", "element", "text node", "CDATA section", "comment")


def _describe(parent: Node | None) -> str:
    if parent is None:
        return "the snapshot root"
    return f"{_KIND_NAMES[parent.kind]} {parent.id}"


def _allowed(node: Node, parent: Node | None) -> bool:
    kind = node.kind
    if parent is None:
        return kind == DOCUMENT
    if parent.kind not in HAS_CHILDREN:
        return False
    if kind == DOCUMENT:
        return parent.kind == ELEMENT and parent.tag == "iframe"
    if kind == DOCTYPE:
        return parent.kind == DOCUMENT
    return True
