"""Masking one rrweb mutation (incremental source 0) against the masking tree (pure).

The tree is updated first (removes, adds, attribute changes, as rrweb's replayer applies them), then
every part is masked with the contexts as they stand after the whole mutation: a class that makes an
element masked applies to text added beside it in the same batch.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from reel.dom.types import DOCUMENT, ELEMENT, TEXT
from reel.replay.masking.nodes import (
    SHADOW,
    allowed_under,
    make_node,
    mask_node,
    mask_subtree,
    mask_text_node,
    register,
    register_secret,
    without_choice,
)
from reel.replay.masking.policy import (
    BLOCK,
    FIELD_TAGS,
    INPUTS,
    LIST,
    TEXT_DETECTED,
    TEXT_DROPPED,
    TEXT_MASKED,
    box_attributes,
)
from reel.replay.masking.text import BY_LENGTH, MAX_STARS, mask_text
from reel.replay.masking.tree import MaskTree, MNode

Data = dict[str, Any]


def mask_mutation(tree: MaskTree, data: Data) -> Data:
    """The masked data of a mutation event; `tree` is updated."""
    removes, adds = data.get("removes"), data.get("adds")
    texts, changes = data.get("texts"), data.get("attributes")
    kept_removes = _removes(tree, removes) if type(removes) is list and removes else []
    added = _link_adds(tree, adds) if type(adds) is list and adds else []
    masked_changes: list[Data] = []
    if type(changes) is list and changes:
        # Applied and masked in one pass; should a change alter what selectors match, every change is
        # masked again, so all are masked with the contexts as they stand after the whole mutation.
        masked_changes, stale = _attributes(tree, changes, apply=True)
        if stale:
            masked_changes, _ = _attributes(tree, changes, apply=False)
    out: Data = {
        "source": 0,
        "texts": _texts(tree, texts) if type(texts) is list and texts else [],
        "attributes": masked_changes,
        "removes": kept_removes,
        "adds": [masked for add in added if (masked := _mask_add(tree, *add)) is not None] if added else [],
    }
    if data.get("isAttachIframe") is True:
        out["isAttachIframe"] = True
    return out


def _removes(tree: MaskTree, removes: list[Any]) -> list[Data]:
    """Removes to send (none inside a blocked element), applied to the tree after all are judged."""
    out: list[Data] = []
    doomed: list[MNode] = []
    for r in removes:
        if not isinstance(r, dict) or type(r.get("id")) is not int or type(r.get("parentId")) is not int:
            continue
        nid = r["id"]
        if nid in tree.gone:
            continue
        node = tree.nodes.get(nid)
        if node is not None:
            if tree.parent_context(node) & BLOCK:
                continue
            doomed.append(node)
        kept: Data = {"parentId": r["parentId"], "id": nid}
        if r.get("isShadow") is True:
            kept["isShadow"] = True
        out.append(kept)
    for node in doomed:
        if tree.nodes.get(node.id) is node:
            tree.remove(node)
    return out


_Added = tuple[dict[str, Any], MNode, Data | None]


def _link_adds(tree: MaskTree, adds: list[Any]) -> list[_Added]:
    """Link every add whose parent is known, in an order where parents come first (rrweb sends adds in
    any order); an add whose parent never shows up is kept as a root, masked (see MaskTree.context).

    An iframe document comes whole and is masked as it is linked; the result carries its output.
    """
    linked: list[_Added] = []
    waiting: dict[int, list[int]] = {}
    ready: deque[int] = deque()
    done = bytearray(len(adds))

    nodes, gone = tree.nodes, tree.gone

    def attempt(i: int, force: bool) -> None:
        add = adds[i]
        pid, sn = add.get("parentId"), add.get("node")
        parent = nodes.get(pid)
        nid, kind = sn.get("id"), sn.get("type")
        if (
            parent is not None
            and parent.kids is not None
            and type(nid) is int
            and nid != pid
            and nid not in nodes
            and (kind == TEXT or (kind == ELEMENT and type(sn.get("tagName")) is str and sn["tagName"]))
        ):
            # The common case, written out: a new text or element node under a known parent.
            done[i] = 1
            if kind == TEXT:
                fresh = MNode(nid, TEXT, "", None)
            else:
                attrs = sn.get("attributes")
                fresh = MNode(nid, ELEMENT, sn["tagName"].lower(), attrs if type(attrs) is dict else None)
                if fresh.tag == "input":
                    register_secret(tree, fresh)
            if sn.get("isShadow") is True:
                fresh.extra = SHADOW
            if gone:
                gone.discard(nid)
            nodes[nid] = fresh
            fresh.parent = parent
            parent.kids[nid] = fresh
            linked.append((add, fresh, None))
            released = waiting.pop(nid, None) if waiting else None
            if released:
                ready.extend(released)
            return
        if pid in gone:
            done[i] = 1
            if isinstance(sn, dict):
                tree.drop_subtree_ids(sn)
            return
        if parent is None and not force:
            waiting.setdefault(pid, []).append(i)
            return
        done[i] = 1
        node = make_node(sn)
        if node is None or node.id == pid:
            return
        if parent is not None and not allowed_under(node, parent):
            return
        if node.kind == DOCUMENT:
            if parent is None or tree.context(parent) & BLOCK:
                tree.drop_subtree_ids(sn)
                return
            # A document attached to an iframe replaces the one before it, and comes with its subtree.
            for old in list((parent.kids or {}).values()):
                tree.remove(old)
            whole = mask_subtree(tree, sn, parent)
            if whole is not None:
                linked.append((add, tree.nodes[node.id], whole))
                _release(tree, sn, waiting, ready)
            return
        register(tree, node, parent)
        if parent is not None and tree.nodes.get(parent.id) is not parent:
            tree.remove(node)  # its id was an ancestor's: the parent went away with it, as in the mirror
            return
        linked.append((add, node, None))
        released = waiting.pop(node.id, None)
        if released:
            ready.extend(released)

    for i, add in enumerate(adds):
        if (
            not isinstance(add, dict)
            or type(add.get("parentId")) is not int
            or not isinstance(add.get("node"), dict)
        ):
            done[i] = 1
            continue
        attempt(i, False)
        while ready:
            attempt(ready.popleft(), False)
    for i in range(len(adds)):
        if not done[i]:
            attempt(i, True)
            while ready:
                attempt(ready.popleft(), False)
    return linked


def _release(tree: MaskTree, sn: Data, waiting: dict[int, list[int]], ready: deque[int]) -> None:
    """Adds waiting for any node of a whole subtree just linked may go now."""
    stack = [sn]
    while stack and waiting:
        current = stack.pop()
        nid = current.get("id")
        released = waiting.pop(nid, None) if type(nid) is int else None
        if released:
            ready.extend(released)
        kids = current.get("childNodes")
        if isinstance(kids, list):
            stack.extend(k for k in kids if isinstance(k, dict))


def _mask_add(tree: MaskTree, add: Data, node: MNode, whole: Data | None) -> Data | None:
    if tree.nodes.get(node.id) is not node:
        return None  # replaced later in the same batch
    if whole is None:
        whole = mask_node(tree, add["node"], node)
        if whole is None:
            return None
    out: Data = {"parentId": add["parentId"], "nextId": add.get("nextId"), "node": whole}
    if type(out["nextId"]) is not int:
        out["nextId"] = None
    previous = add.get("previousId")
    if type(previous) is int:
        out["previousId"] = previous
    return out


def _texts(tree: MaskTree, texts: list[Any]) -> list[Data]:
    out: list[Data] = []
    append = out.append
    nodes, detect = tree.nodes, tree.policy.detect
    for t in texts:
        # The common case first, written out: a known text node whose masking is known (`mode`).
        try:
            nid, value = t["id"], t["value"]
            node = nodes[nid]
        except (KeyError, TypeError, IndexError):
            node = None
        if node is None or node.ctx < 0 or type(value) is not str or not value or type(nid) is not int:
            masked = _text_slowly(tree, t)
            if masked is not None:
                append(masked)
            continue
        mode = node.mode
        if mode == TEXT_MASKED:
            # mask_text's common case inlined (ASCII, nothing to trim, not masked yet): a lookup.
            if value.isascii() and value[0] > " " and value[-1] > " " and "*" not in value:
                size = len(value)
                new = BY_LENGTH[size] if size <= MAX_STARS else BY_LENGTH[MAX_STARS]
            else:
                new = mask_text(value)
        elif mode == TEXT_DETECTED:
            new = detect(value)
        elif mode == TEXT_DROPPED:
            continue
        else:
            new = mask_text_node(tree, node, value, tree.policy.effects[node.ctx])
        if new is value and len(t) == 2:
            append(t)
        else:
            append({"id": nid, "value": new})
    return out


def _text_slowly(tree: MaskTree, t: object) -> Data | None:
    """A text change off the common path: malformed, empty, about a node unknown or not placed yet."""
    if type(t) is not dict:
        return None
    nid, value = t.get("id"), t.get("value")
    if type(nid) is not int or nid in tree.gone or (value is not None and type(value) is not str):
        return None
    node = tree.nodes.get(nid)
    if node is None:
        return {"id": nid, "value": mask_text(value) if value else value}  # not placed: masked
    ctx = tree.context(node)
    if ctx & BLOCK:
        return None
    if value:
        value = mask_text_node(tree, node, value, tree.policy.effects[ctx])
    return {"id": nid, "value": value}


def _attributes(tree: MaskTree, changes: list[Any], *, apply: bool) -> tuple[list[Data], bool]:
    """The masked attribute changes (applied to the tree first when `apply`), and whether applying
    them changed what selectors match."""
    out: list[Data] = []
    append = out.append
    policy = tree.policy
    nodes, gone, effects, needed = tree.nodes, tree.gone, policy.effects, tree.needed
    stale = False
    for change in changes:
        try:
            nid, attrs = change["id"], change["attributes"]
            node = nodes[nid]
        except (KeyError, TypeError, IndexError):
            node = None
        if node is None or type(nid) is not int or type(attrs) is not dict or node.kind != ELEMENT:
            masked = _attribute_slowly(tree, change)
            if masked is not None:
                append(masked)
            continue
        if apply and not needed.isdisjoint(attrs):
            stale = tree.set_attributes(node, attrs) or stale
        ctx = node.ctx if node.ctx >= 0 else tree.context(node)
        if ctx & BLOCK:
            if (gone and nid in gone) or tree.parent_context(node) & BLOCK:
                continue
            masked = box_attributes(attrs, change=True)
        else:
            masked = attrs
            if len(attrs) == 1 and type(style := attrs.get("style")) is dict:
                # An animation frame, most often: a style diff; as it is unless a value has a string or
                # a url() (written out: this runs for every frame).
                for value in style.values():
                    if type(value) is not str or "(" in value or "'" in value or '"' in value:
                        masked = policy.attributes(attrs, node.tag, effects[ctx], False)
                        break
            else:
                effect = effects[ctx]
                if node.tag == "input" and tree.secret_input(node):
                    effect |= LIST | INPUTS
                shown = without_choice(attrs) if node.tag == "option" else attrs
                masked = policy.attributes(shown, node.tag, effect, node.tag in FIELD_TAGS)
        append(change if masked is attrs and len(change) == 2 else {"id": nid, "attributes": masked})
    return out, stale


def _attribute_slowly(tree: MaskTree, change: object) -> Data | None:
    """An attribute change off the common path: malformed, or about a node Reel cannot place."""
    if type(change) is not dict:
        return None
    nid, attrs = change.get("id"), change.get("attributes")
    if type(nid) is not int or nid in tree.gone or type(attrs) is not dict or nid in tree.nodes:
        return None  # malformed, gone, or not an element
    return {"id": nid, "attributes": tree.policy.attributes(attrs, "", tree.policy.unknown, True)}
