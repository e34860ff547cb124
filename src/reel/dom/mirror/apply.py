"""Applying full snapshots, meta events and the incremental sources other than mutations."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reel.dom.mirror.model import MirrorData
from reel.dom.mirror.mutation import apply_mutation
from reel.dom.mirror.nodes import OBJECT, Node, css_source, media_time, number
from reel.dom.mirror.sheets import Sheet
from reel.dom.mirror.tree import build
from reel.dom.types import DOCUMENT, ELEMENT
from reel.dom.types import IncrementalSource as Source

Handler = Callable[["MirrorData", Mapping[str, object]], None]


def apply_full_snapshot(m: MirrorData, data: Mapping[str, object]) -> None:
    """Replace the whole state with the snapshot's tree (a snapshot with no usable root is refused)."""
    sn = data.get("node")
    if not isinstance(sn, OBJECT) or sn.get("type") != DOCUMENT:
        m.report("full snapshot: root is not a document node, snapshot ignored")
        return
    old = m.nodes, m.root, m.styles, m.adopted
    m.nodes, m.styles, m.adopted = {}, {}, {}
    root = build(m, sn, full=True, under=None)
    if root is None:
        m.nodes, m.root, m.styles, m.adopted = old
        m.report("full snapshot: root node unusable, snapshot ignored")
        return
    m.root = root
    offset = data.get("initialOffset")
    if isinstance(offset, OBJECT):
        left, top = number(offset.get("left", 0)), number(offset.get("top", 0))
        if left is not None and top is not None:
            root.scroll = (left, top)
        else:
            m.report("full snapshot: initialOffset is not numbers")


def apply_meta(m: MirrorData, data: Mapping[str, object]) -> None:
    """Meta: the page's URL and viewport size."""
    href = data.get("href")
    if isinstance(href, str):
        m.href = href
        m.has_meta = True
    else:
        m.report("meta: href is not a string")
    _set_size(m, data, "meta")


def _set_size(m: MirrorData, data: Mapping[str, object], what: str) -> None:
    width, height = number(data.get("width")), number(data.get("height"))
    if width is None or height is None:
        m.report(f"{what}: width or height is not a number")
        return
    m.width, m.height = width, height


def _viewport(m: MirrorData, data: Mapping[str, object]) -> None:
    _set_size(m, data, "viewport resize")


def _target(m: MirrorData, data: Mapping[str, object], what: str) -> Node | None:
    nid = data.get("id")
    node = m.nodes.get(nid) if type(nid) is int else None
    if node is None and nid != -1:  # -1: rrweb's id for a node it never serialized; nothing to do
        m.report(f"{what}: node {nid!r} unknown")
    return node


def _input(m: MirrorData, data: Mapping[str, object]) -> None:
    node = _target(m, data, "input")
    if node is None:
        return
    text, checked = data.get("text"), data.get("isChecked", False)
    if node.kind != ELEMENT or not isinstance(text, str) or not isinstance(checked, bool):
        m.report(f"input: malformed input on node {node.id}")
        return
    node.live = (text, checked)


def _scroll(m: MirrorData, data: Mapping[str, object]) -> None:
    node = _target(m, data, "scroll")
    if node is None:
        return
    x, y = number(data.get("x")), number(data.get("y"))
    if x is None or y is None or node.kind not in (DOCUMENT, ELEMENT):
        m.report(f"scroll: malformed scroll on node {node.id}")
        return
    node.scroll = (x, y)


_MEDIA_FIELDS = (
    ("currentTime", "rr_mediaCurrentTime", number),
    ("volume", "rr_mediaVolume", number),
    ("playbackRate", "rr_mediaPlaybackRate", number),
    ("muted", "rr_mediaMuted", lambda v: v if isinstance(v, bool) else None),
    ("loop", "rr_mediaLoop", lambda v: v if isinstance(v, bool) else None),
)


def _media(m: MirrorData, data: Mapping[str, object]) -> None:
    node = _target(m, data, "media")
    if node is None:
        return
    kind = data.get("type")
    if node.kind != ELEMENT or type(kind) is not int:
        m.report(f"media: malformed media interaction on node {node.id}")
        return
    now = m.timestamp
    current = media_time(node, now)
    attrs = node.writable_attrs()
    if current is not None:
        attrs["rr_mediaCurrentTime"] = current
    if kind in (0, 1):  # Play, Pause
        attrs["rr_mediaState"] = "played" if kind == 0 else "paused"
    for field, attr, check in _MEDIA_FIELDS:
        value = check(data.get(field))
        if value is not None:
            attrs[attr] = value
    node.media = now


def sheet_of(m: MirrorData, data: Mapping[str, object], what: str) -> Sheet | None:
    """The sheet an event edits: a constructed one by styleId, else the element's own by id."""
    style_id = data.get("styleId")
    if type(style_id) is int and style_id:
        sheet = m.styles.get(style_id)
        if sheet is None:
            m.report(f"{what}: style sheet {style_id} unknown")
        return sheet
    node = _target(m, data, what)
    if node is None:
        return None
    if node.sheet is None:
        source = css_source(node)
        if source is None:
            m.report(f"{what}: node {node.id} has no style sheet whose rules Reel knows")
            return None
        node.sheet = Sheet(source)
    return node.sheet


def _rules(m: MirrorData, data: Mapping[str, object]) -> None:
    sheet = sheet_of(m, data, "style sheet rule")
    if sheet is None:
        return
    adds, removes = data.get("adds"), data.get("removes")
    # Adds before removes, as rrweb's replayer applies them.
    for add in adds if isinstance(adds, list) else ():
        problem = sheet.insert(add.get("rule"), add.get("index")) if isinstance(add, OBJECT) else "bad add"
        if problem:
            m.report(f"style sheet rule: insert: {problem}")
    for remove in removes if isinstance(removes, list) else ():
        problem = sheet.delete(remove.get("index")) if isinstance(remove, OBJECT) else "bad remove"
        if problem:
            m.report(f"style sheet rule: delete: {problem}")
    for key in ("replace", "replaceSync"):
        text = data.get(key)
        if text is None:
            continue
        if type(data.get("styleId")) is not int or not data.get("styleId"):
            m.report(f"style sheet rule: {key} on a sheet that is not constructed")
            continue
        problem = sheet.replace(text)
        if problem:
            m.report(f"style sheet rule: {key}: {problem}")


def _declaration(m: MirrorData, data: Mapping[str, object]) -> None:
    sheet = sheet_of(m, data, "style declaration")
    if sheet is None:
        return
    index = data.get("index")
    change, removal = data.get("set"), data.get("remove")
    problem: str | None = None
    if isinstance(change, OBJECT):
        problem = sheet.set_property(
            index, change.get("property"), change.get("value"), change.get("priority")
        )
    elif isinstance(removal, OBJECT):
        problem = sheet.remove_property(index, removal.get("property"))
    else:
        problem = "neither set nor remove"
    if problem:
        m.report(f"style declaration: {problem}")


def _adopted(m: MirrorData, data: Mapping[str, object]) -> None:
    host = _target(m, data, "adopted style sheets")
    if host is None:
        return
    styles, style_ids = data.get("styles", []), data.get("styleIds")
    if not isinstance(styles, list) or not isinstance(style_ids, list):
        m.report(f"adopted style sheets: malformed event for node {host.id}")
        return
    for style in styles:
        sid = style.get("styleId") if isinstance(style, OBJECT) else None
        rules = style.get("rules") if isinstance(style, OBJECT) else None
        if type(sid) is not int or not isinstance(rules, list):
            m.report("adopted style sheets: malformed style")
            continue
        sheet = Sheet()
        for rule in rules:
            problem = sheet.insert(rule.get("rule"), rule.get("index")) if isinstance(rule, OBJECT) else "bad"
            if problem:
                m.report(f"adopted style sheets: insert: {problem}")
        m.styles[sid] = sheet
    known = [s for s in style_ids if type(s) is int and s in m.styles]
    if len(known) != len(style_ids):
        m.report(f"adopted style sheets: unknown style ids for node {host.id}")
    if known:
        m.adopted[host.id] = known
    else:
        m.adopted.pop(host.id, None)


def _font(m: MirrorData, data: Mapping[str, object]) -> None:
    family, source = data.get("family"), data.get("fontSource")
    if not isinstance(family, str) or not isinstance(source, str):
        m.report("font: family or source is not a string")
        return
    font: dict[str, object] = {"family": family, "fontSource": source, "buffer": data.get("buffer") is True}
    descriptors = data.get("descriptors")
    if isinstance(descriptors, OBJECT):
        font["descriptors"] = dict(descriptors)
    m.fonts[(family, source)] = font


def _canvas(m: MirrorData, data: Mapping[str, object]) -> None:
    if not m.canvas_reported:
        m.canvas_reported = True
        m.report("canvas drawing is not mirrored (reported once)")


def _nothing(m: MirrorData, data: Mapping[str, object]) -> None:
    """Sources that do not change the DOM state (pointer, selection, custom element definitions)."""


HANDLERS: dict[int, Handler] = {
    Source.MUTATION.value: apply_mutation,
    Source.MOUSE_MOVE.value: _nothing,
    Source.MOUSE_INTERACTION.value: _nothing,
    Source.SCROLL.value: _scroll,
    Source.VIEWPORT_RESIZE.value: _viewport,
    Source.INPUT.value: _input,
    Source.TOUCH_MOVE.value: _nothing,
    Source.MEDIA_INTERACTION.value: _media,
    Source.STYLE_SHEET_RULE.value: _rules,
    Source.CANVAS_MUTATION.value: _canvas,
    Source.FONT.value: _font,
    Source.LOG.value: _nothing,
    Source.DRAG.value: _nothing,
    Source.STYLE_DECLARATION.value: _declaration,
    Source.SELECTION.value: _nothing,
    Source.ADOPTED_STYLE_SHEET.value: _adopted,
    Source.CUSTOM_ELEMENT.value: _nothing,
}
"""The handler of each incremental source, keyed by plain int for a fast lookup."""
