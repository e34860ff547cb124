"""Emitting the mirror's state: an rrweb full snapshot, and the events that start playback at a time T."""

from __future__ import annotations

from typing import TypedDict

from reel.dom.mirror.css import split_rules
from reel.dom.mirror.model import MirrorData
from reel.dom.mirror.nodes import AttrValue, Node, css_source, media_time, walk
from reel.dom.mirror.sheets import Sheet
from reel.dom.types import DOCTYPE, DOCUMENT, ELEMENT, TEXT, EventType
from reel.dom.types import IncrementalSource as Source
from reel.jsonio import MAX_NESTING

MAX_TREE_DEPTH = (MAX_NESTING - 24) // 2
"""Deepest node of the state events Reel stores (checkpoints, processing state; the top is at 0): each
level is two levels of JSON (node, childNodes), and what is stored must read back within the parser's
limit, the events around the tree included. Mutations can build a DOM deeper than any one beacon
holds; what lies below this is left out of what is stored."""

Serialized = dict[str, object]
"""A serialized node (rrweb's serializedNodeWithId) or any other JSON object."""


class Offset(TypedDict):
    """The window's scroll offset in a full snapshot."""

    top: float
    left: float


class FullSnapshotData(TypedDict):
    """The `data` of an rrweb full-snapshot event (type 2)."""

    node: Serialized
    initialOffset: Offset


class _Live:
    """What a walk collects besides the tree: state that goes out as incremental events."""

    __slots__ = ("hosts", "iframes", "inputs", "scrolls", "sheets")

    def __init__(self) -> None:
        self.iframes: list[tuple[int, Node]] = []
        self.inputs: list[tuple[int, str, bool]] = []
        self.scrolls: list[tuple[int, float, float]] = []
        self.sheets: list[tuple[Node, Sheet]] = []
        self.hosts: list[int] = []


def serialize(
    m: MirrorData, top: Node, at: float | None, live: _Live | None, max_depth: int | None = None
) -> Serialized:
    """`top` and its subtree as fresh rrweb dicts, without recursion.

    With `live`, browser state beside the DOM is left out and collected for events, and iframe documents
    are collected for attach mutations. Without it, that state is folded into attributes the way rrweb's
    serializer writes a fresh snapshot (value, checked, selected, rr_scroll*, _cssText), and iframe
    documents are left out (a full snapshot never holds them). Nodes deeper than `max_depth` below
    `top` are left out.
    """
    out: list[Serialized] = []
    adopted = m.adopted if live is not None else None
    stack: list[tuple[Node, list[Serialized], str | None, int]] = [(top, out, None, 0)]
    while stack:
        node, siblings, selected, depth = stack.pop()
        kind = node.kind
        kids: list[Serialized] | None = None
        d: Serialized
        if kind == ELEMENT:
            attrs: dict[str, AttrValue] = dict(node.attrs)
            if node.media is not None and "rr_mediaCurrentTime" in attrs:
                attrs["rr_mediaCurrentTime"] = media_time(node, at)
            if live is None:
                _fold(node, attrs, selected)
                if node.tag == "select" and node.live is not None:
                    selected = node.live[0]
            else:
                if node.live is not None:
                    live.inputs.append((node.id, *node.live))
                if node.scroll is not None:
                    live.scrolls.append((node.id, *node.scroll))
                if node.sheet is not None and edited(node):
                    live.sheets.append((node, node.sheet))
            kids = []
            d = {"type": ELEMENT, "tagName": node.tag, "attributes": attrs, "childNodes": kids}
        elif kind == TEXT:
            parent = node.parent
            text = node.text
            if live is None and parent is not None and parent.sheet is not None and edited(parent):
                text = ""  # the edited sheet went into the parent's _cssText
            d = {"type": TEXT, "textContent": text}
        elif kind == DOCUMENT:
            kids = []
            d = {"type": DOCUMENT, "childNodes": kids}
            if live is not None and node.scroll is not None and node is not m.root:
                live.scrolls.append((node.id, *node.scroll))
        elif kind == DOCTYPE:
            d = {"type": DOCTYPE}
        else:
            d = {"type": kind, "textContent": node.text}
        d["id"] = node.id
        if node.extra:
            d.update(node.extra)
        if adopted and node.id in adopted and live is not None:
            live.hosts.append(node.id)
        siblings.append(d)
        if kids is None or (max_depth is not None and depth >= max_depth):
            continue
        iframe = kind == ELEMENT and node.tag == "iframe"
        child = node.last
        while child is not None:
            if iframe and child.kind == DOCUMENT:
                if live is not None:
                    live.iframes.append((node.id, child))
            else:
                stack.append((child, kids, selected, depth + 1))
            child = child.prev
    return out[0]


def _fold(node: Node, attrs: dict[str, AttrValue], selected: str | None) -> None:
    """Fold input values, scroll offsets and an edited sheet into the attributes."""
    state = node.live
    tag = node.tag
    if state is not None:
        text, checked = state
        kind = attrs.get("type")
        if tag == "input" and isinstance(kind, str) and kind.lower() in ("checkbox", "radio"):
            if checked:
                attrs["checked"] = True
            else:
                attrs.pop("checked", None)
        else:
            attrs["value"] = text
    if selected is not None and tag == "option":
        value = attrs.get("value")
        if value is None:
            value = "".join(c.text for c in walk(node) if c.kind == TEXT).strip()
        if value == selected:
            attrs["selected"] = True
        else:
            attrs.pop("selected", None)
    if node.scroll is not None:
        left, top = node.scroll
        if left:
            attrs["rr_scrollLeft"] = left
        if top:
            attrs["rr_scrollTop"] = top
    sheet = node.sheet
    if sheet is not None and edited(node):
        attrs["_cssText"] = sheet.text()


def edited(node: Node) -> bool:
    """True if the node's sheet was edited through CSSOM into rules other than its own text's."""
    sheet = node.sheet
    if sheet is None or not sheet.dirty:
        return False
    # Edits that end where the text already is (say, an empty sheet left empty) change nothing.
    return sheet.rule_texts() != split_rules(css_source(node) or "")


def full_snapshot(m: MirrorData, at: float | None, fold: bool) -> FullSnapshotData | None:
    """The full-snapshot data of the current state, None before the first full snapshot."""
    root = m.root
    if root is None:
        return None
    left, top = root.scroll if root.scroll is not None else (0, 0)
    node = serialize(m, root, at, None if fold else _Live())
    return {"node": node, "initialOffset": {"top": top, "left": left}}


def _incremental(data: Serialized, at: float) -> Serialized:
    return {"type": EventType.INCREMENTAL_SNAPSHOT.value, "data": data, "timestamp": at}


def state_events(m: MirrorData, at: float, max_depth: int | None = None) -> list[Serialized]:
    """Meta + full snapshot at `at`, then the state the snapshot cannot hold, as events at `at`; trees
    cut below `max_depth` (MAX_TREE_DEPTH for what is stored)."""
    root = m.root
    meta: Serialized = {
        "type": EventType.META.value,
        "data": {"href": m.href, "width": m.width, "height": m.height},
        "timestamp": at,
    }
    if root is None:
        return [meta] if m.has_meta else []
    live = _Live()
    left, top = root.scroll if root.scroll is not None else (0, 0)
    events: list[Serialized] = [
        meta,
        {
            "type": EventType.FULL_SNAPSHOT.value,
            "data": {
                "node": serialize(m, root, at, live, max_depth),
                "initialOffset": {"top": top, "left": left},
            },
            "timestamp": at,
        },
    ]
    # Iframe documents go in attach mutations, outer before inner, as rrweb's recorder sends them.
    i = 0
    while i < len(live.iframes):
        iframe_id, document = live.iframes[i]
        add = {"parentId": iframe_id, "nextId": None, "node": serialize(m, document, at, live, max_depth)}
        mutation = {"source": Source.MUTATION.value, "adds": [add], "removes": [], "texts": []}
        events.append(_incremental({**mutation, "attributes": [], "isAttachIframe": True}, at))
        i += 1
    events.extend(_incremental(d, at) for d in _sheet_events(m, live))
    for family_source in m.fonts.values():
        events.append(_incremental({"source": Source.FONT.value, **family_source}, at))
    for node_id, text, checked in live.inputs:
        data = {"source": Source.INPUT.value, "id": node_id, "text": text, "isChecked": checked}
        events.append(_incremental(data, at))
    for node_id, x, y in live.scrolls:
        events.append(_incremental({"source": Source.SCROLL.value, "id": node_id, "x": x, "y": y}, at))
    return events


def _sheet_events(m: MirrorData, live: _Live) -> list[Serialized]:
    out: list[Serialized] = []
    for node, sheet in live.sheets:
        # The element's text still parses into its original rules; replace them all with the current
        # ones: insert the current rules first, then delete the originals (the replayer applies adds
        # before removes).
        current = sheet.rule_texts()
        original = len(split_rules(css_source(node) or ""))
        out.append(
            {
                "source": Source.STYLE_SHEET_RULE.value,
                "id": node.id,
                "adds": [{"rule": rule, "index": i} for i, rule in enumerate(current)],
                "removes": [{"index": len(current)} for _ in range(original)],
            }
        )
    root = m.root
    if root is None or not (m.styles or m.adopted):
        return out
    # Constructed sheets are created by the first adopted-sheets event, on the document; every host
    # then adopts by id. Sheets no host adopts right now are created too: later events may use them.
    styles = [
        {"styleId": sid, "rules": [{"rule": r, "index": i} for i, r in enumerate(sheet.rule_texts())]}
        for sid, sheet in sorted(m.styles.items())
    ]
    out.append(
        {
            "source": Source.ADOPTED_STYLE_SHEET.value,
            "id": root.id,
            "styleIds": list(m.adopted.get(root.id, [])),
            "styles": styles,
        }
    )
    for host in live.hosts:
        if host != root.id:
            ids = list(m.adopted[host])
            out.append({"source": Source.ADOPTED_STYLE_SHEET.value, "id": host, "styleIds": ids})
    return out
