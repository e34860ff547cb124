"""Readable descriptions of click and input targets, read from the DOM mirror (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from reel.dom.mirror import DomMirror
from reel.dom.mirror.nodes import Node
from reel.dom.types import ELEMENT, TEXT

LABEL_MAX = 40
_LABEL_ATTRS = ("aria-label", "title", "alt", "placeholder")
# Interactive ancestors describe a click better than the span or svg path the pointer hit.
_INTERACTIVE = frozenset({"a", "button", "input", "select", "textarea", "label", "summary", "option"})
_ANCESTOR_HOPS = 5


@dataclass(frozen=True)
class Target:
    """Tag, id, classes and a short label of an element; the label is as recorded (masked stays masked)."""

    node_id: int
    tag: str
    element_id: str
    classes: tuple[str, ...]
    label: str
    input_type: str = ""

    @property
    def selector(self) -> str:
        """A short CSS-like name such as `button#buy.primary`."""
        name = self.tag or "node"
        if self.element_id:
            name += f"#{self.element_id}"
        return name + "".join(f".{c}" for c in self.classes[:3])


def _text_of(node: Node, budget: int = LABEL_MAX * 4) -> str:
    parts: list[str] = []
    stack = [node]
    seen = 0
    while stack and seen < 200:
        current = stack.pop()
        seen += 1
        if current.kind == TEXT:
            parts.append(current.text)
            if sum(len(p) for p in parts) > budget:
                break
            continue
        if current.kind == ELEMENT and current.tag in ("script", "style"):
            continue
        child, kids = current.first, []
        while child is not None:
            kids.append(child)
            child = child.next
        stack.extend(reversed(kids))
    return " ".join(" ".join(parts).split())


def _label(node: Node) -> str:
    for name in _LABEL_ATTRS:
        value = node.attrs.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    if node.tag == "input":
        value = node.attrs.get("value")
        kind = node.attrs.get("type")
        if isinstance(value, str) and kind in ("submit", "button", "reset"):
            return value
        return ""
    return _text_of(node)


def describe_target(mirror: DomMirror, node_id: int) -> Target | None:
    """The element a click or input with rrweb id `node_id` went to, or None if the mirror lacks it."""
    node = mirror.nodes.get(node_id)
    if node is None:
        return None
    if node.kind == TEXT and node.parent is not None:
        node = node.parent
    best = node
    hop: Node | None = node
    for _ in range(_ANCESTOR_HOPS):
        if hop is None or hop.kind != ELEMENT:
            break
        if hop.tag in _INTERACTIVE:
            best = hop
            break
        hop = hop.parent
    raw_classes = best.attrs.get("class")
    classes = tuple(raw_classes.split()) if isinstance(raw_classes, str) else ()
    raw_id = best.attrs.get("id")
    label = _label(best)
    if len(label) > LABEL_MAX:
        label = label[: LABEL_MAX - 1] + "…"
    input_type = best.attrs.get("type")
    return Target(
        node_id=best.id,
        tag=best.tag,
        element_id=raw_id if isinstance(raw_id, str) else "",
        classes=classes,
        label=label,
        input_type=input_type if isinstance(input_type, str) else "",
    )
