"""The mirror's node: one DOM node with its id, kind, fields and links, plus the state a browser keeps
beside the DOM tree (a typed input value, a scroll offset, a style sheet edited through CSSOM).

Children are a doubly linked list, so inserting before a sibling and removing are O(1) however many
children a parent has, and every walk is a loop (no recursion, so a tree 10,000 deep is fine).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from reel.dom.mirror.css import Declaration
from reel.dom.mirror.sheets import Sheet
from reel.dom.types import CDATA, COMMENT, DOCTYPE, DOCUMENT, ELEMENT, OPTIONAL_NODE_FIELDS, TEXT

HAS_CHILDREN = (DOCUMENT, ELEMENT)
HAS_TEXT = (TEXT, CDATA, COMMENT)

AttrValue = str | int | float | bool | None
OBJECT: Final = (dict, Mapping)
"""For isinstance: a JSON object; dict first, as orjson makes dicts and that check is the fast one."""
_SCALARS = frozenset({str, int, float, bool, type(None)})
_DOCTYPE_FIELDS = ("name", "publicId", "systemId")
_BASE = frozenset({"id", "type", "childNodes", "attributes", "tagName", "textContent", *_DOCTYPE_FIELDS})


class Node:
    """One node of the mirrored DOM."""

    __slots__ = (
        "attrs",
        "extra",
        "first",
        "id",
        "kind",
        "last",
        "live",
        "media",
        "next",
        "owned",
        "parent",
        "prev",
        "scroll",
        "sheet",
        "style",
        "tag",
        "text",
    )

    def __init__(self, node_id: int, kind: int) -> None:
        self.id = node_id
        self.kind = kind
        self.parent: Node | None = None
        self.first: Node | None = None
        self.last: Node | None = None
        self.prev: Node | None = None
        self.next: Node | None = None
        self.tag = ""
        # Shared with the event that created the node until first written (copy on write, `owned`):
        # read freely, write only through writable_attrs().
        self.attrs: dict[str, AttrValue] = _EMPTY
        self.owned = False
        self.text = ""
        self.extra: dict[str, object] | None = None
        # The browser's state beside the DOM tree: the typed value and checkedness, the scroll offset
        # (x, y), the time rr_mediaCurrentTime was true at, a sheet edited through CSSOM.
        self.live: tuple[str, bool] | None = None
        self.scroll: tuple[float, float] | None = None
        self.media: float | None = None
        self.sheet: Sheet | None = None
        # The style attribute's declarations as last parsed, with the string they were parsed from:
        # animations send a style diff per frame, and reparsing each time would dominate.
        self.style: tuple[str, list[Declaration | str]] | None = None

    def writable_attrs(self) -> dict[str, AttrValue]:
        """The attributes, copied first if still shared with an event."""
        if not self.owned:
            self.attrs = dict(self.attrs)
            self.owned = True
        return self.attrs

    def __repr__(self) -> str:
        return f"Node(id={self.id}, kind={self.kind}, tag={self.tag!r})"


_EMPTY: dict[str, AttrValue] = {}


def make_node(sn: Mapping[str, object]) -> tuple[Node | None, str | None]:
    """A node from its serialized form (children not read): the node or None, and what was wrong."""
    node_id = sn.get("id")
    if type(node_id) is not int:
        return None, "node without an integer id"
    kind = sn.get("type")
    if type(kind) is not int or not 0 <= kind <= 5:
        return None, f"node {node_id}: unknown node type {kind!r}"
    node = Node(node_id, kind)
    problem: str | None = None
    extra: dict[str, object] | None = None
    for key, value in sn.items():
        if key in _BASE:
            continue
        wanted = OPTIONAL_NODE_FIELDS.get(key)
        if wanted is None or value is None:
            continue
        if type(value) is wanted:
            if extra is None:
                extra = {}
            extra[key] = value
        else:
            problem = f"node {node_id}: dropped malformed field {key!r}"
    if kind == ELEMENT:
        tag = sn.get("tagName")
        if not isinstance(tag, str) or not tag:
            return None, f"node {node_id}: element without a tag name"
        node.tag = tag
        attrs = sn.get("attributes")
        if isinstance(attrs, dict):
            for value in attrs.values():
                if type(value) not in _SCALARS:
                    attrs = {k: v for k, v in attrs.items() if type(v) in _SCALARS}
                    problem = f"node {node_id}: dropped attributes that are not strings or numbers"
                    break
            node.attrs = attrs
        elif attrs is not None:
            problem = f"node {node_id}: attributes are not an object"
    elif kind in HAS_TEXT:
        text = sn.get("textContent")
        if isinstance(text, str):
            node.text = text
        elif text is not None:
            problem = f"node {node_id}: text is not a string"
    elif kind == DOCTYPE:
        if extra is None:
            extra = {}
        for key in _DOCTYPE_FIELDS:
            value = sn.get(key)
            extra[key] = value if isinstance(value, str) else ""
    node.extra = extra
    return node, problem


def children_of(sn: Mapping[str, object]) -> list[object]:
    """The serialized children of a serialized node, [] if it has none or they are malformed."""
    children = sn.get("childNodes")
    return children if isinstance(children, list) else []


def append_child(parent: Node, child: Node) -> None:
    """Link `child` as the last child of `parent` (child must be detached)."""
    last = parent.last
    child.parent = parent
    child.prev = last
    child.next = None
    if last is None:
        parent.first = child
    else:
        last.next = child
    parent.last = child


def insert_before(parent: Node, child: Node, ref: Node) -> None:
    """Link `child` before `ref`, a child of `parent` (child must be detached)."""
    prev = ref.prev
    child.parent = parent
    child.prev = prev
    child.next = ref
    ref.prev = child
    if prev is None:
        parent.first = child
    else:
        prev.next = child


def detach(node: Node) -> None:
    """Unlink `node` from its parent and siblings (its own subtree stays linked)."""
    parent = node.parent
    if parent is None:
        return
    prev, nxt = node.prev, node.next
    if prev is None:
        parent.first = nxt
    else:
        prev.next = nxt
    if nxt is None:
        parent.last = prev
    else:
        nxt.prev = prev
    node.parent = node.prev = node.next = None


def walk(root: Node) -> Iterator[Node]:
    """`root` and its descendants in document order, without recursion."""
    node: Node | None = root
    while node is not None:
        yield node
        if node.first is not None:
            node = node.first
            continue
        while node is not None and node is not root and node.next is None:
            node = node.parent
        if node is None or node is root:
            return
        node = node.next


def children(node: Node) -> Iterator[Node]:
    """The children of `node`, in order."""
    child = node.first
    while child is not None:
        nxt = child.next
        yield child
        child = nxt


def is_ancestor(node: Node, of: Node) -> bool:
    """Whether `node` is `of` or one of its ancestors."""
    current: Node | None = of
    while current is not None:
        if current is node:
            return True
        current = current.parent
    return False


def text_children(node: Node) -> list[Node]:
    """The text-node children of `node`."""
    return [c for c in children(node) if c.kind == TEXT]


def css_source(node: Node) -> str | None:
    """The CSS text an element's own sheet is parsed from; None when Reel cannot know it."""
    if node.kind != ELEMENT:
        return None
    inlined = node.attrs.get("_cssText")
    if node.tag == "style":
        texts = "".join(c.text for c in children(node) if c.kind == TEXT)
        return (inlined if isinstance(inlined, str) else "") + texts
    if node.tag == "link" and isinstance(inlined, str):
        return inlined
    return None


def number(value: object) -> float | None:
    """`value` if it is a JSON number (not a boolean), else None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None


def media_time(node: Node, at: float | None) -> float | None:
    """The media element's current time at `at`, advanced from the last interaction if it plays."""
    attrs = node.attrs
    current = number(attrs.get("rr_mediaCurrentTime"))
    if current is None or node.media is None or at is None or attrs.get("rr_mediaState") != "played":
        return current
    rate = number(attrs.get("rr_mediaPlaybackRate"))
    return current + max(at - node.media, 0) / 1000 * (1 if rate is None else rate)
