"""The DOM as replay masking needs it: ids, parents, tags, attributes and each node's masking context.

Replay masking keeps its own small tree rather than a `DomMirror`: it needs no text, sheets, media or
scroll state, and the full mirror alone runs at about 0.3x of JSON parsing (bench/mirror_throughput.py),
the whole budget of brief §7 P6. Nodes satisfy the selector matcher's protocol, as mirror nodes do.

Contexts are computed lazily from the parent's and cached per node; a change to an attribute that a
selector reads clears the cache below that element. Every walk is a loop, so any depth is fine.
"""

from __future__ import annotations

from typing import Any

from reel.dom.types import CDATA, COMMENT, DOCUMENT, ELEMENT, TEXT
from reel.replay.masking.policy import MASK, Policy

_EMPTY: dict[str, Any] = {}


class MNode:
    """One node: its id, kind, lower-case tag, attributes (shared with the event until written)."""

    __slots__ = ("attrs", "ctx", "extra", "id", "kids", "kind", "mode", "owned", "parent", "tag")

    def __init__(self, node_id: int, kind: int, tag: str, attrs: dict[str, Any] | None) -> None:
        self.id = node_id
        self.kind = kind
        self.tag = tag
        self.attrs: dict[str, Any] = attrs if attrs is not None else _EMPTY
        self.owned = False
        self.parent: MNode | None = None
        self.kids: dict[int, MNode] | None = {} if kind in (DOCUMENT, ELEMENT) else None
        self.ctx = -1
        """Context bits (policy.BLOCK, MASK, UNMASK) from this node and its ancestors; -1: not known."""
        self.mode = 0
        """For a text node, set with `ctx`: how its text is masked (see `Policy.text_mode`)."""
        self.extra: dict[str, object] | None = None
        """{"isShadow": True} for a child of a shadow root (the selector matcher stops there)."""

    def __repr__(self) -> str:
        return f"MNode({self.id}, {self.kind}, {self.tag!r})"


class MaskTree:
    """The nodes of one recording as masking has seen them."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.nodes: dict[int, MNode] = {}
        self.gone: set[int] = set()
        """Ids dropped because they were inside a blocked element: the player never got them, so every
        later event about them is dropped too (even if the element stops being blocked)."""
        self.secret: set[int] = set()
        """Inputs that were ever password fields: their value stays masked whatever their type becomes."""
        self.needed = policy.watched | _NEEDED
        """The attributes masking reads from the tree (the rest it reads from the event at hand)."""

    def reset(self) -> None:
        """Forget the DOM (a full snapshot replaces it); password fields stay known."""
        for node in self.nodes.values():
            node.parent = None  # no cycles left for the collector
            if node.kids:
                node.kids = {}
        self.nodes = {}
        self.gone = set()

    def context(self, node: MNode) -> int:
        """The context bits of `node`, computed from the nearest ancestor that knows its own."""
        ctx = node.ctx
        if ctx >= 0:
            return ctx
        chain: list[MNode] = []
        current: MNode | None = node
        while current is not None and current.ctx < 0:
            chain.append(current)
            current = current.parent
        # Above the chain: a known context, a document root, or (for any other parentless node, added
        # under a parent Reel never saw) masked.
        ctx = current.ctx if current is not None else 0 if chain[-1].kind == DOCUMENT else MASK
        policy = self.policy
        own = policy.has_selectors
        for n in reversed(chain):
            if own and n.kind == ELEMENT:
                ctx |= policy.own(n)
            elif n.kind in _HAS_TEXT:
                n.mode = policy.text_mode(ctx, n.parent)
            n.ctx = ctx
        return ctx

    def parent_context(self, node: MNode) -> int:
        """The context of the node's parent (what the node inherits)."""
        parent = node.parent
        if parent is not None:
            return self.context(parent)
        return 0 if node.kind == DOCUMENT else MASK

    def link(self, node: MNode, parent: MNode | None) -> None:
        """Register `node` (taking over its id) under `parent`, or as a root when None."""
        old = self.nodes.get(node.id)
        if old is not None:
            self.remove(old)
        self.gone.discard(node.id)
        self.nodes[node.id] = node
        if parent is not None and parent.kids is not None:
            node.parent = parent
            parent.kids[node.id] = node

    def remove(self, node: MNode) -> None:
        """Unlink `node` and forget its subtree's ids."""
        parent = node.parent
        if parent is not None and parent.kids is not None and parent.kids.get(node.id) is node:
            del parent.kids[node.id]
        node.parent = None
        nodes = self.nodes
        stack = [node]
        while stack:
            n = stack.pop()
            if nodes.get(n.id) is n:
                del nodes[n.id]
            n.parent = None  # no parent/child cycles left behind: freed at once, not by the collector
            if n.kids:
                stack.extend(n.kids.values())
                n.kids = {}

    def drop_subtree_ids(self, sn: dict[str, Any]) -> None:
        """Mark every id of a serialized subtree as gone (it is inside a blocked element)."""
        stack = [sn]
        gone = self.gone
        while stack:
            current = stack.pop()
            nid = current.get("id")
            if type(nid) is int:
                gone.add(nid)
            kids = current.get("childNodes")
            if isinstance(kids, list):
                stack.extend(k for k in kids if isinstance(k, dict))

    def set_attributes(self, node: MNode, change: dict[str, Any]) -> bool:
        """Apply an attribute change; True if it may change what selectors match (contexts below the
        element are then recomputed).

        Only attributes masking reads are kept up to date (`needed`, by their name as rrweb sends it:
        lower case): animations send a style change per frame, and copying those would cost more than
        all the masking.
        """
        needed = self.needed
        if needed.isdisjoint(change):
            return False
        if not node.owned:
            node.attrs = dict(node.attrs)
            node.owned = True
        attrs = node.attrs
        policy = self.policy
        stale = changed_field = False
        for name, value in change.items():
            if name not in needed:
                continue
            old = attrs.get(name)
            if value is None:
                attrs.pop(name, None)
            elif isinstance(value, str | int | float):
                attrs[name] = value
            else:
                continue
            if not stale and name in policy.watched and policy.changes_matches(name, old, value):
                stale = True
            if name == "type" or name == "data-rr-is-password":
                changed_field = True  # a field may have become a secret one: its attributes mask more
                if isinstance(value, str) and value.lower() == "password":
                    self.secret.add(node.id)
        if stale and policy.has_selectors:
            self.invalidate(node)
            return True
        return changed_field

    def invalidate(self, node: MNode) -> None:
        """Forget the contexts of `node` and its descendants."""
        stack = [node]
        while stack:
            n = stack.pop()
            n.ctx = -1
            if n.kids:
                stack.extend(n.kids.values())

    def secret_input(self, node: MNode) -> bool:
        """A password field (now or ever) or a hidden input: every attribute of the default list of it
        is masked, `unmask` or not."""
        if node.tag != "input":
            return False
        if node.id in self.secret or "data-rr-is-password" in node.attrs:
            return True
        kind = node.attrs.get("type")
        return isinstance(kind, str) and kind.lower() in ("password", "hidden")


# What masking reads besides selectors: an input's type, and a box's or image placeholder's class and size.
_HAS_TEXT = (TEXT, CDATA, COMMENT)
_NEEDED = frozenset({"type", "data-rr-is-password", "class", "width", "height", "rr_width", "rr_height"})
