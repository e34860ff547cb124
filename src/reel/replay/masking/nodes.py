"""Masking serialized nodes (full snapshots, added nodes, iframe documents) while registering them (pure).

Output nodes are built fresh from the fields Reel knows (unknown fields are dropped: a forged recording
must not carry content past masking in a field nobody reads). A blocked element becomes an empty box of
its size with the same id; whatever was inside it is never sent, and its ids are remembered as gone.
"""

from __future__ import annotations

from typing import Any

from reel.dom.types import CDATA, COMMENT, DOCTYPE, DOCUMENT, ELEMENT, OPTIONAL_NODE_FIELDS
from reel.dom.types import TEXT as TEXT_NODE
from reel.replay.masking.policy import (
    BLOCK,
    IMAGE_TAGS,
    INPUTS,
    LIST,
    PLAIN,
    TEXT,
    TEXT_MASKED,
    TEXT_SPECIAL,
    box_attributes,
)
from reel.replay.masking.text import mask_text
from reel.replay.masking.tree import MaskTree, MNode

Serialized = dict[str, Any]
SHADOW: dict[str, object] = {"isShadow": True}
_CSS_TEXT, _FIELD_TEXT, _PLAIN_TEXT = 0, 1, 2


def make_node(sn: Serialized) -> MNode | None:
    """A tree node for a serialized node (children not read), or None if it is malformed."""
    nid = sn.get("id")
    kind = sn.get("type")
    if type(nid) is not int or type(kind) is not int or not DOCUMENT <= kind <= COMMENT:
        return None
    if kind == ELEMENT:
        tag = sn.get("tagName")
        if not isinstance(tag, str) or not tag:
            return None
        attrs = sn.get("attributes")
        node = MNode(nid, kind, tag.lower(), attrs if isinstance(attrs, dict) else None)
    else:
        node = MNode(nid, kind, "", None)
    if sn.get("isShadow") is True:
        node.extra = SHADOW
    return node


def allowed_under(node: MNode, parent: MNode | None) -> bool:
    """Whether the DOM (and rrweb's rebuild) lets `node` go under `parent` (None: a snapshot's root)."""
    if parent is None:
        return node.kind == DOCUMENT
    if parent.kids is None:
        return False
    if node.kind == DOCUMENT:
        return parent.kind == ELEMENT and parent.tag == "iframe"
    if node.kind == DOCTYPE:
        return parent.kind == DOCUMENT
    return True


def register(tree: MaskTree, node: MNode, parent: MNode | None) -> None:
    """Link a new node and note password fields."""
    tree.link(node, parent)
    if node.tag == "input":
        register_secret(tree, node)


def register_secret(tree: MaskTree, node: MNode) -> None:
    """Note an input that is a password field: it stays secret whatever its type becomes."""
    kind = node.attrs.get("type")
    if isinstance(kind, str) and kind.lower() == "password":
        tree.secret.add(node.id)


def mask_node(tree: MaskTree, sn: Serialized, node: MNode) -> Serialized | None:
    """The output form of a registered node, without children; None when it is inside a blocked element.

    A blocked element itself comes back as its box; the ids of its serialized children become gone.
    """
    ctx = node.ctx if node.ctx >= 0 else tree.context(node)
    if ctx & BLOCK:
        if tree.parent_context(node) & BLOCK:
            tree.drop_subtree_ids(sn)
            return None
        for kid in sn.get("childNodes") or ():
            if isinstance(kid, dict):
                tree.drop_subtree_ids(kid)
        box = _with_optional(
            {"type": ELEMENT, "tagName": sn["tagName"], "attributes": box_attributes(_sent_attributes(sn))},
            sn,
            node,
        )
        box["childNodes"] = []
        box["needBlock"] = True
        return box
    policy = tree.policy
    effect = policy.effects[ctx]
    kind = node.kind
    out: Serialized
    if kind == ELEMENT:
        # What the event sent, not the tree's copy: that one may already hold later changes of the same
        # mutation (sent masked on their own), and it changes further as the stream goes on.
        attrs = _sent_attributes(sn)
        if node.tag in _SPECIAL:
            masked = _special_attributes(tree, node, attrs, effect)
        else:
            masked = attrs
            kinds = policy.kinds
            for name, value in attrs.items():
                if type(value) is not str or kinds.get(name) != PLAIN:
                    masked = policy.attributes(attrs, node.tag, effect, False)
                    break
        out = {
            "type": ELEMENT,
            "tagName": sn["tagName"],
            "attributes": masked,
            "childNodes": [],
            "id": node.id,
        }
    elif kind == TEXT_NODE:
        text = sn.get("textContent")
        text = text if type(text) is str else ""
        text = mask_text_node(tree, node, text, effect, sn.get("isStyle") is True) if text else text
        out = {"type": TEXT_NODE, "textContent": text, "id": node.id}
    elif kind == DOCUMENT:
        out = {"type": DOCUMENT, "childNodes": [], "id": node.id}
    elif kind == DOCTYPE:
        out = {"type": DOCTYPE, "id": node.id}
        for key in ("name", "publicId", "systemId"):
            value = sn.get(key)
            out[key] = value if isinstance(value, str) else ""
    else:
        text = sn.get("textContent")
        text = text if isinstance(text, str) else ""
        out = {"type": kind, "textContent": mask_text_node(tree, node, text, effect), "id": node.id}
    if len(sn) > _BASE_KEYS.get(kind, 0):
        _with_optional(out, sn, node)
    return out


def mask_text_node(tree: MaskTree, node: MNode, text: str, effect: int, is_style: bool = False) -> str:
    """A text node's text: CSS inside <style>, an input value inside <textarea>, else text."""
    how = _text_kind(node, is_style)
    if how == _PLAIN_TEXT:
        return mask_text(text) if effect & TEXT else tree.policy.detect(text)
    if how == _FIELD_TEXT:
        return mask_text(text)
    return tree.policy.css(text, tree.policy.document)  # a style sheet belongs to no element


def _text_kind(node: MNode, is_style: bool) -> int:
    if node.kind == CDATA or node.kind == COMMENT:
        return _PLAIN_TEXT
    parent = node.parent
    tag = parent.tag if parent is not None else ""
    if is_style or tag == "style":
        return _CSS_TEXT
    if tag == "textarea" or parent is None:
        return _FIELD_TEXT  # a textarea's text is its value; a text node Reel cannot place is masked
    return _PLAIN_TEXT


def _with_optional(out: Serialized, sn: Serialized, node: MNode) -> Serialized:
    out["id"] = node.id
    for key, value in sn.items():
        wanted = OPTIONAL_NODE_FIELDS.get(key)
        if wanted is not None and type(value) is wanted:
            out[key] = value
    return out


def mask_subtree(tree: MaskTree, sn: Serialized, parent: MNode | None) -> Serialized | None:
    """Mask a whole serialized subtree (a full snapshot's document, or one attached to an iframe),
    registering its nodes under `parent`; None if its root is unusable or inside a blocked element.

    The hot loop of replay masking (a snapshot holds thousands of nodes): written out flat, with the
    common cases first, rather than calling `make_node`, `register` and `mask_node` for every node.
    """
    root = make_node(sn)
    if root is None or not allowed_under(root, parent):
        return None
    register(tree, root, parent)
    top = mask_node(tree, sn, root)
    if top is None:
        return None
    policy = tree.policy
    effects, own, has_selectors, kinds = policy.effects, policy.own, policy.has_selectors, policy.kinds
    text_mode = policy.text_mode
    nodes, gone = tree.nodes, tree.gone
    # A full snapshot starts from an empty tree: an id already known is then a duplicate in the tree.
    # An iframe document may take ids over from elsewhere, so it remembers which ids it has seen.
    seen: set[int] | None = None if len(nodes) == 1 else {root.id}
    stack: list[tuple[list[Any], MNode, int, list[Serialized]]] = []
    kids = sn.get("childNodes")
    if isinstance(kids, list) and root.kids is not None and not tree.context(root) & BLOCK:
        stack.append((kids, root, root.ctx, top["childNodes"]))
    while stack:
        kids, pnode, pctx, siblings = stack.pop()
        pkids = pnode.kids
        if pkids is None:
            continue
        pmode = text_mode(pctx, pnode)  # how this parent's text children are masked
        pending: list[tuple[list[Any], MNode, int, list[Serialized]]] = []
        for ksn in kids:
            if type(ksn) is not dict:
                continue
            nid: Any = ksn.get("id")
            if type(nid) is not int:
                continue
            if nid in nodes:
                if seen is None or nid in seen:
                    continue  # the same id twice in one tree: the second is dropped, as the mirror does
                tree.remove(nodes[nid])
            kind: Any = ksn.get("type")
            out: Serialized | None
            ctx = pctx
            if kind == TEXT_NODE:
                text = ksn.get("textContent")
                if type(text) is not str:
                    text = ""
                if pmode == TEXT_MASKED:
                    text = mask_text(text)
                elif ksn.get("isStyle") is True or pnode.tag == "style":
                    text = policy.css(text, policy.document)
                elif pmode == TEXT_SPECIAL:
                    text = mask_text(text)  # a textarea's text is its value
                elif text:
                    text = policy.detect(text)
                node = MNode(nid, TEXT_NODE, "", None)
                node.mode = pmode
                out = {"type": TEXT_NODE, "textContent": text, "id": nid}
                extra = len(ksn) > 3
            elif kind == ELEMENT:
                tag = ksn.get("tagName")
                if type(tag) is not str or not tag:
                    continue
                attrs = ksn.get("attributes")
                lower = tag.lower()
                node = MNode(nid, ELEMENT, lower, attrs if type(attrs) is dict else None)
                if has_selectors:
                    if ksn.get("isShadow") is True:
                        node.extra = SHADOW
                    node.parent = pnode
                    ctx |= own(node)
                if ctx & BLOCK:
                    out = _box(tree, ksn, node, tag)
                else:
                    attrs = attrs if type(attrs) is dict else {}  # never the tree's shared empty dict
                    if lower in _SPECIAL:
                        masked = _special_attributes(tree, node, attrs, effects[ctx])
                    else:
                        masked = attrs
                        for name, value in attrs.items():
                            if type(value) is not str or kinds.get(name) != PLAIN:
                                masked = policy.attributes(attrs, lower, effects[ctx], False)
                                break
                    out = {"type": ELEMENT, "tagName": tag, "attributes": masked, "childNodes": [], "id": nid}
                    grandkids = ksn.get("childNodes")
                    if type(grandkids) is list and grandkids:
                        pending.append((grandkids, node, ctx, out["childNodes"]))
                extra = len(ksn) > 5
            else:
                maybe = make_node(ksn)
                if maybe is None or not allowed_under(maybe, pnode):
                    continue
                node = maybe
                node.parent = pnode
                if node.kind == DOCUMENT:
                    out = {"type": DOCUMENT, "childNodes": [], "id": nid}
                    grandkids = ksn.get("childNodes")
                    if type(grandkids) is list:
                        pending.append((grandkids, node, ctx, out["childNodes"]))
                else:
                    node.ctx = ctx
                    node.mode = text_mode(ctx, pnode)  # a comment or CDATA section: text too
                    out = mask_node(tree, ksn, node)
                if out is None:
                    continue
                extra = True
            if seen is not None:
                seen.add(nid)
            if gone:
                gone.discard(nid)
            nodes[nid] = node
            node.parent = pnode
            pkids[nid] = node
            node.ctx = ctx
            if extra:
                if ksn.get("isShadow") is True:
                    node.extra = SHADOW
                _with_optional(out, ksn, node)
            siblings.append(out)
        stack.extend(reversed(pending))
    return top


def _box(tree: MaskTree, sn: Serialized, node: MNode, tag: str) -> Serialized:
    """A blocked element's box; the ids below it become gone."""
    for blocked in sn.get("childNodes") or ():
        if type(blocked) is dict:
            tree.drop_subtree_ids(blocked)
    return {
        "type": ELEMENT,
        "tagName": tag,
        "attributes": box_attributes(node.attrs),
        "childNodes": [],
        "id": node.id,
        "needBlock": True,
    }


def _sent_attributes(sn: Serialized) -> dict[str, Any]:
    attrs = sn.get("attributes")
    return attrs if type(attrs) is dict else {}


def _special_attributes(tree: MaskTree, node: MNode, attrs: dict[str, Any], effect: int) -> dict[str, Any]:
    """Attributes of fields (their value is an input value), options, images and meta elements."""
    if node.tag == "option":
        return tree.policy.attributes(without_choice(attrs), "option", effect, False)
    field = node.tag in _FIELDS
    if node.tag == "input":
        if _is_password(attrs):
            tree.secret.add(node.id)
        if tree.secret_input(node):
            effect |= LIST | INPUTS
    return tree.policy.attributes(attrs, node.tag, effect, field)


_BASE_KEYS = {ELEMENT: 5, TEXT_NODE: 3}
"""How many keys an element or text node has without optional fields (most have exactly these)."""
_FIELDS = frozenset({"input", "textarea", "select"})
_SPECIAL = _FIELDS | IMAGE_TAGS | {"meta", "option"}
"""Elements whose attributes depend on the tag (the rest go by attribute name alone)."""


def without_choice(attrs: dict[str, Any]) -> dict[str, Any]:
    """An option's attributes without `selected`: which option is chosen is the select's value, an input
    value (rrweb leaves it out too when it masks selects)."""
    return {k: v for k, v in attrs.items() if k != "selected"} if "selected" in attrs else attrs


def _is_password(attrs: dict[str, Any]) -> bool:
    kind = attrs.get("type")
    return isinstance(kind, str) and kind.lower() == "password"
