"""Hypothesis strategies for Reel, in one place.

DOM mirror: `rrweb_streams()` draws valid rrweb event streams (Meta + FullSnapshot, then mutations,
inputs, scrolls, style sheet edits, adopted sheets, media, fonts, iframe attaches, later snapshots),
generated against a small model of the page so every event refers to nodes that exist.
`json_values()` and `corrupted_events()` draw the malformed input an untrusted recording may hold.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

Event = dict[str, Any]

TAGS = ("div", "span", "p", "ul", "li", "a", "b", "section")
RULES = (
    "x { color: red; }",
    ".a{margin:0}",
    "@media print { y { c: d; } z{e:f} }",
    "@supports (display: grid) { .g { display: grid; } }",
    "p:hover { background: url(data:image/png;base64,AA==); }",
    "@import url(a.css);",
    'q { content: "}"; }',
    "a{b:c} d{e:f}",  # two rules: insertRule refuses it
)
PROPERTIES = ("color", "margin", "--custom", "background", "width")
VALUES = ("red", "0", "calc(1px + 2%)", "url(x.png)", "a;b", "", "1px")
STYLE_TEXTS = ("", "a{color:red}", "@media screen{b{x:y}} c{z:w}", "d{e:f}/* c */g{h:i}")


@dataclass
class PageModel:
    """Just enough of the page to draw events that refer to nodes that exist."""

    next_id: int = 1
    root: int = 0
    kind: dict[int, int] = field(default_factory=dict)
    tag: dict[int, str] = field(default_factory=dict)
    parent: dict[int, int | None] = field(default_factory=dict)
    kids: dict[int, list[int]] = field(default_factory=dict)
    style_ids: list[int] = field(default_factory=list)
    next_style_id: int = 1
    ts: int = 1000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def link(self, node_id: int, kind: int, tag: str, parent: int | None, before: int | None = None) -> None:
        self.kind[node_id], self.tag[node_id], self.parent[node_id] = kind, tag, parent
        self.kids[node_id] = []
        if parent is not None:
            siblings = self.kids[parent]
            siblings.insert(siblings.index(before) if before in siblings else len(siblings), node_id)

    def unlink(self, node_id: int) -> None:
        parent = self.parent[node_id]
        if parent is not None:
            self.kids[parent].remove(node_id)
        stack = [node_id]
        while stack:
            n = stack.pop()
            stack.extend(self.kids.pop(n))
            del self.kind[n], self.tag[n], self.parent[n]

    def elements(self, *tags: str) -> list[int]:
        return sorted(i for i, k in self.kind.items() if k == 2 and (not tags or self.tag[i] in tags))

    def containers(self) -> list[int]:
        return [i for i in self.elements() if self.tag[i] not in ("iframe", "style", "textarea", "html")]

    def texts(self) -> list[int]:
        return sorted(i for i, k in self.kind.items() if k in (3, 5))

    def removable(self) -> list[int]:
        return sorted(
            i for i, k in self.kind.items() if k != 0 and self.tag[i] not in ("html", "head", "body")
        )

    def serialize(self, node_id: int, text: dict[int, str], attrs: dict[int, dict[str, Any]]) -> Event:
        kind = self.kind[node_id]
        if kind == 0:
            out: Event = {"type": 0, "childNodes": [], "id": node_id}
        elif kind == 1:
            return {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": node_id}
        elif kind == 2:
            tag = self.tag[node_id]
            out = {"type": 2, "tagName": tag, "attributes": attrs.get(node_id, {}), "childNodes": []}
            out["id"] = node_id
        else:
            return {"type": kind, "textContent": text.get(node_id, ""), "id": node_id}
        for kid in self.kids[node_id]:
            if not (self.tag[node_id] == "iframe" and self.kind[kid] == 0):
                out["childNodes"].append(self.serialize(kid, text, attrs))
        return out


def _event(model: PageModel, draw: st.DrawFn, kind: int, data: Event) -> Event:
    model.ts += draw(st.integers(0, 40))
    return {"type": kind, "data": data, "timestamp": model.ts}


def _incremental(model: PageModel, draw: st.DrawFn, data: Event) -> Event:
    return _event(model, draw, 3, data)


def _element_attrs(draw: st.DrawFn, tag: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if draw(st.booleans()):
        attrs["class"] = draw(st.sampled_from(("a", "b c", "")))
    if tag == "input":
        attrs["type"] = draw(st.sampled_from(("text", "checkbox", "radio")))
    if tag == "style" and draw(st.booleans()):
        attrs["_cssText"] = draw(st.sampled_from(STYLE_TEXTS))
    if tag == "video":
        attrs.update(rr_mediaState=draw(st.sampled_from(("played", "paused"))), rr_mediaCurrentTime=3)
    if draw(st.integers(0, 5)) == 0:
        attrs["rr_scrollTop"] = draw(st.integers(1, 500))
    return attrs


def _snapshot(draw: st.DrawFn, model: PageModel) -> list[Event]:
    """Meta + a full snapshot of a fresh random page (the model is reset to it)."""
    for table in (model.kind, model.tag, model.parent, model.kids):
        table.clear()
    model.style_ids.clear()
    text: dict[int, str] = {}
    attrs: dict[int, dict[str, Any]] = {}
    root = model.root = model.new_id()
    model.link(root, 0, "", None)
    model.link(model.new_id(), 1, "", root)
    html = model.new_id()
    model.link(html, 2, "html", root)
    head, body = model.new_id(), model.new_id()
    model.link(head, 2, "head", html)
    model.link(body, 2, "body", html)
    style = model.new_id()
    model.link(style, 2, "style", head)
    attrs[style] = _element_attrs(draw, "style")
    if draw(st.booleans()):
        model.link(model.new_id(), 3, "", style)
        text[model.next_id - 1] = draw(st.sampled_from(STYLE_TEXTS))
    if draw(st.booleans()):
        model.link(model.new_id(), 2, "iframe", body)
    for _ in range(draw(st.integers(0, 14))):
        _draw_node(draw, model, text, attrs)
    width, height = draw(st.integers(1, 2000)), draw(st.integers(1, 2000))
    meta = _event(
        model, draw, 4, {"href": draw(st.sampled_from(("http://a/", "http://a/b"))), "width": width}
    )
    meta["data"]["height"] = height
    offset = {"top": draw(st.integers(0, 300)), "left": 0}
    node = model.serialize(root, text, attrs)
    model.ts += draw(st.integers(0, 3))  # rrweb stamps the snapshot a little after its Meta
    full = {"type": 2, "data": {"node": node, "initialOffset": offset}, "timestamp": model.ts}
    return [meta, full]


def _draw_node(
    draw: st.DrawFn, model: PageModel, text: dict[int, str], attrs: dict[int, dict[str, Any]]
) -> list[int]:
    """Add one random node to the model (and its text/attributes to the given maps); the new ids."""
    empty_textareas = [t for t in model.elements("textarea") if not model.kids[t]]
    parent = draw(st.sampled_from(model.containers() + model.elements("style") + empty_textareas))
    ptag = model.tag[parent]
    node_id = model.new_id()
    if ptag in ("style", "textarea"):
        kind, tag = 3, ""
    else:
        kind = draw(st.sampled_from((2, 2, 2, 3, 5)))
        pool = (*TAGS, "input", "select", "textarea", "style", "video", "iframe")
        tag = draw(st.sampled_from(pool)) if kind == 2 else ""
    siblings = model.kids[parent]
    before = draw(st.sampled_from([*siblings, None])) if siblings else None
    model.link(node_id, kind, tag, parent, before)
    created = [node_id]
    if kind == 2:
        attrs[node_id] = _element_attrs(draw, tag)
        if tag == "select":
            for value in ("a", "b"):
                option = model.new_id()
                model.link(option, 2, "option", node_id)
                attrs[option] = {"value": value}
                created.append(option)
    else:
        text[node_id] = draw(st.sampled_from(STYLE_TEXTS if ptag == "style" else ("hi", "", "x y", "ü")))
    return created


def _mutation(draw: st.DrawFn, model: PageModel) -> Event:
    removes: list[Event] = []
    for _ in range(draw(st.integers(0, 2))):
        candidates = model.removable()
        if candidates:
            victim = draw(st.sampled_from(candidates))
            removes.append({"parentId": model.parent[victim], "id": victim})
            model.unlink(victim)
    text: dict[int, str] = {}
    attrs: dict[int, dict[str, Any]] = {}
    new = [n for _ in range(draw(st.integers(0, 4))) for n in _draw_node(draw, model, text, attrs)]
    adds: list[Event] = []
    for node_id in new:
        siblings = model.kids[model.parent[node_id]]  # type: ignore[index]
        position = siblings.index(node_id)
        nxt = siblings[position + 1] if position + 1 < len(siblings) else None
        node = model.serialize(node_id, text, attrs)
        node["childNodes"] = []  # rrweb adds one node per entry; children come as entries of their own
        adds.append({"parentId": model.parent[node_id], "nextId": nxt, "node": node})
    adds = draw(st.permutations(adds))  # any order: the mirror resolves parents and next siblings
    texts = [
        {"id": t, "value": draw(st.sampled_from((*STYLE_TEXTS, "new", None)))}
        for t in draw(st.lists(st.sampled_from(model.texts()), max_size=2) if model.texts() else st.just([]))
    ]
    attributes = []
    for target in draw(st.lists(st.sampled_from(model.elements()), max_size=2)):
        changes: dict[str, Any] = {}
        for _ in range(draw(st.integers(1, 3))):
            name = draw(st.sampled_from(("class", "title", "style", "value", "_cssText", "data-x")))
            if name == "style" and draw(st.booleans()):
                changes[name] = {
                    draw(st.sampled_from(PROPERTIES)): draw(
                        st.one_of(st.sampled_from(VALUES), st.just(False), st.just(["1px", "important"]))
                    )
                }
            else:
                changes[name] = draw(st.one_of(st.none(), st.sampled_from(("v", "a b", *STYLE_TEXTS))))
        attributes.append({"id": target, "attributes": changes})
        if ("_cssText" in changes and model.tag[target] == "style") or (
            "value" in changes and model.tag[target] == "textarea"
        ):
            for kid in list(model.kids[target]):
                model.unlink(kid)
    data = {"source": 0, "texts": texts, "attributes": attributes, "removes": removes, "adds": adds}
    return _incremental(model, draw, data)


def _attach_iframe(draw: st.DrawFn, model: PageModel) -> Event | None:
    frames = [f for f in model.elements("iframe") if not model.kids[f]]
    if not frames:
        return None
    frame = draw(st.sampled_from(frames))
    doc = model.new_id()
    model.link(doc, 0, "", frame)
    html, body = model.new_id(), model.new_id()
    model.link(html, 2, "html", doc)
    model.link(body, 2, "body", html)
    leaf = model.new_id()
    model.link(leaf, 3, "", body)
    node = model.serialize(doc, {leaf: "in frame"}, {})
    add = {"parentId": frame, "nextId": None, "node": node}
    data = {"source": 0, "adds": [add], "removes": [], "texts": [], "attributes": [], "isAttachIframe": True}
    return _incremental(model, draw, data)


def _sheet_target(draw: st.DrawFn, model: PageModel) -> dict[str, int] | None:
    styles = model.elements("style")
    options: list[dict[str, int]] = [{"id": s} for s in styles] + [{"styleId": s} for s in model.style_ids]
    return draw(st.sampled_from(options)) if options else None


_index = st.one_of(st.none(), st.integers(0, 4), st.lists(st.integers(0, 3), min_size=2, max_size=3))


def _style_event(draw: st.DrawFn, model: PageModel) -> Event | None:
    target = _sheet_target(draw, model)
    if target is None:
        return None
    which = draw(st.sampled_from(("rule", "rule", "declaration", "replace")))
    if which == "rule":
        adds = [
            {"rule": draw(st.sampled_from(RULES)), "index": draw(_index)}
            for _ in range(draw(st.integers(0, 2)))
        ]
        removes = [
            {"index": draw(_index.filter(lambda i: i is not None))} for _ in range(draw(st.integers(0, 1)))
        ]
        return _incremental(model, draw, {"source": 8, **target, "adds": adds, "removes": removes})
    if which == "replace":
        return _incremental(
            model, draw, {"source": 8, **target, "replaceSync": draw(st.sampled_from(STYLE_TEXTS))}
        )
    index = draw(st.lists(st.integers(0, 2), min_size=1, max_size=2))
    prop = draw(st.sampled_from(PROPERTIES))
    if draw(st.booleans()):
        change = {"set": {"property": prop, "value": draw(st.sampled_from(VALUES)), "priority": None}}
    else:
        change = {"remove": {"property": prop}}
    return _incremental(model, draw, {"source": 13, **target, "index": index, **change})


def _adopted(draw: st.DrawFn, model: PageModel) -> Event:
    host = draw(st.sampled_from([model.root, *model.elements("div", "section")]))
    styles = []
    for _ in range(draw(st.integers(0, 2))):
        sid = model.next_style_id
        model.next_style_id += 1
        model.style_ids.append(sid)
        rules = [
            {"rule": r, "index": i} for i, r in enumerate(draw(st.lists(st.sampled_from(RULES), max_size=3)))
        ]
        styles.append({"styleId": sid, "rules": rules})
    ids = draw(st.lists(st.sampled_from(model.style_ids), max_size=3, unique=True)) if model.style_ids else []
    return _incremental(model, draw, {"source": 15, "id": host, "styles": styles, "styleIds": ids})


def _one_event(draw: st.DrawFn, model: PageModel) -> list[Event]:
    kind = draw(
        st.sampled_from(
            ("mutation",) * 6
            + ("style",) * 5
            + ("input", "scroll", "adopted", "media", "viewport", "meta")
            + ("font", "mouse", "iframe", "snapshot")
        )
    )
    elements = model.elements()
    if kind == "mutation":
        return [_mutation(draw, model)]
    if kind == "input":
        target = draw(st.sampled_from(model.elements("input", "select", "textarea") or elements))
        data = {
            "source": 5,
            "id": target,
            "text": draw(st.sampled_from(("", "a", "b", "typed"))),
            "isChecked": draw(st.booleans()),
        }
        return [_incremental(model, draw, data)]
    if kind == "scroll":
        target = draw(st.sampled_from([model.root, *elements, *(i for i, k in model.kind.items() if k == 0)]))
        return [
            _incremental(
                model,
                draw,
                {"source": 3, "id": target, "x": draw(st.integers(0, 50)), "y": draw(st.integers(0, 900))},
            )
        ]
    if kind == "style":
        event = _style_event(draw, model)
        return [event] if event else []
    if kind == "adopted":
        return [_adopted(draw, model)]
    if kind == "media":
        videos = model.elements("video")
        if not videos:
            return []
        data = {"source": 7, "id": draw(st.sampled_from(videos)), "type": draw(st.integers(0, 4))}
        if draw(st.booleans()):
            data["currentTime"] = draw(st.integers(0, 100))
        if draw(st.booleans()):
            data["playbackRate"] = draw(st.sampled_from((1, 2)))
        return [_incremental(model, draw, data)]
    if kind == "viewport":
        return [_incremental(model, draw, {"source": 4, "width": draw(st.integers(1, 3000)), "height": 700})]
    if kind == "meta":
        return [_event(model, draw, 4, {"href": "http://a/next", "width": 640, "height": 480})]
    if kind == "font":
        data = {
            "source": 10,
            "family": draw(st.sampled_from(("F", "G"))),
            "fontSource": "url(f.woff2)",
            "buffer": False,
        }
        return [_incremental(model, draw, data)]
    if kind == "mouse":
        data = {"source": 1, "positions": [{"x": 1, "y": 2, "id": model.root, "timeOffset": 0}]}
        return [_incremental(model, draw, data)]
    if kind == "iframe":
        event = _attach_iframe(draw, model)
        return [event] if event else []
    return _snapshot(draw, model)


@st.composite
def rrweb_streams(draw: st.DrawFn, max_events: int = 30) -> list[Event]:
    """A valid rrweb stream: Meta + FullSnapshot, then random events that refer to existing nodes."""
    model = PageModel()
    events = _snapshot(draw, model)
    for _ in range(draw(st.integers(0, max_events))):
        events.extend(_one_event(draw, model))
    return events


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    """Any JSON value (what orjson.loads may return for untrusted input)."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-3, 2**40), st.floats(allow_nan=False), st.text(max_size=8)
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) inside a JSON value, found without recursion."""
    out: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        current = stack.pop()
        pairs = (
            current.items()
            if isinstance(current, dict)
            else enumerate(current)
            if isinstance(current, list)
            else ()
        )
        for key, child in pairs:
            out.append((current, key))
            stack.append(child)
    return out


@st.composite
def corrupted_events(draw: st.DrawFn) -> list[Event]:
    """A valid stream with some values somewhere inside replaced by arbitrary JSON."""
    events = copy.deepcopy(draw(rrweb_streams(max_events=12)))
    for _ in range(draw(st.integers(1, 4))):
        slots = _slots(events)
        container, key = draw(st.sampled_from(slots))
        container[key] = draw(json_values(max_leaves=4))
    return events


# Ingest: web beacon envelopes (docs/contracts/web-beacon.md)

CLIENT_IDS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=70
)


@st.composite
def web_beacons(draw: st.DrawFn) -> Event:
    """A valid beacon envelope: any ids within the allowlist, seq, optional fields, rrweb events."""
    doc: Event = {
        "v": 1,
        "recording_id": draw(CLIENT_IDS),
        "session_id": draw(CLIENT_IDS),
        "seq": draw(st.integers(0, 2**31 - 1)),
        "events": draw(rrweb_streams(max_events=8)),
    }
    if draw(st.booleans()):
        doc["sent_at"] = draw(st.integers(1, 2**52))
    if draw(st.booleans()):
        doc["final"] = draw(st.booleans())
    if draw(st.booleans()):
        doc["rules_version"] = draw(st.integers(0, 2**31 - 1))
    if draw(st.booleans()):
        doc[draw(st.text(max_size=6).filter(lambda k: k not in doc))] = draw(json_values(max_leaves=3))
    return doc


@st.composite
def corrupted_beacons(draw: st.DrawFn) -> Event:
    """A valid envelope with some values somewhere inside (envelope or events) replaced by any JSON."""
    doc = copy.deepcopy(draw(web_beacons()))
    for _ in range(draw(st.integers(1, 3))):
        container, key = draw(st.sampled_from(_slots(doc)))
        container[key] = draw(json_values(max_leaves=4))
    return doc


# --- masking ---------------------------------------------------------------------------------------------
# Rule sets and streams for replay-time masking. Every rule set drawn masks `.secret`, blocks `.hide`,
# names `data-secret` in an attribute rule, masks the `token` query parameter and keeps the email
# detector on; the streams put CANARY only where that makes it masked whatever else the rules say
# (inside .secret or .hide, input values, data-secret, token, fragments, srcdoc) and canary e-mail
# addresses anywhere text travels (detectors mask them even where text is shown).

CANARY = "CANARY"
CANARY_EMAIL = "canary.user@example.com"
MASK_CLASSES = ("a", "b", "card", "nav")
MASK_TAGS = (
    "div",
    "p",
    "span",
    "section",
    "nav",
    "a",
    "input",
    "textarea",
    "select",
    "style",
    "iframe",
    "img",
)
MASK_SELECTORS = (
    "nav",
    ".a",
    ".b",
    "div .a",
    "section > p",
    "[data-x]",
    "*",
    "p",
    "span.card",
    "#n1",
    "a, .b",
)


@st.composite
def masking_rule_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid rules document (see above for what every one of them masks)."""
    rules: list[dict[str, Any]] = [
        {"type": "mask", "selector": ".secret"},
        {"type": "block", "selector": ".hide"},
        {"type": "attribute", "names": [draw(st.sampled_from(("data-secret", "data-sec*")))]},
    ]
    for kind in ("unmask", "unmask", "mask", "block"):
        if draw(st.booleans()):
            rules.append({"type": kind, "selector": draw(st.sampled_from(MASK_SELECTORS))})
    if draw(st.booleans()):
        url: dict[str, Any] = {
            "type": "url",
            "params": draw(st.sampled_from((["token"], ["*"], ["x", "token"]))),
        }
        if draw(st.booleans()):
            url["path_segments"] = "^u\\d+$"
        rules.append(url)
    if draw(st.booleans()):
        others = draw(st.lists(st.sampled_from(("card", "phone", "iban")), unique=True))
        rules.append({"type": "detector", "names": ["email", *others]})
    return {
        "preset": draw(st.sampled_from(("mask_all", "allow_list", "mask_inputs"))),
        "rules": draw(st.permutations(rules)),
    }


@dataclass
class _CanaryPage:
    """The page being drawn: each node's parent, tag and whether CANARY is masked inside it."""

    next_id: int = 1
    ts: int = 1000
    parent: dict[int, int] = field(default_factory=dict)
    tag: dict[int, str] = field(default_factory=dict)
    hidden: dict[int, bool] = field(default_factory=dict)
    texts: list[int] = field(default_factory=list)
    marked: set[int] = field(default_factory=set)
    """Elements whose own class is secret or hide: it never changes."""

    def new(self, parent: int | None, tag: str, hidden: bool) -> int:
        node_id = self.next_id
        self.next_id += 1
        if parent is not None:
            self.parent[node_id] = parent
        self.tag[node_id] = tag
        self.hidden[node_id] = hidden
        if not tag:
            self.texts.append(node_id)
        return node_id

    def containers(self) -> list[int]:
        return [n for n, t in self.tag.items() if t and t not in ("input", "img", "iframe", "#document")]

    def forget(self, node_id: int) -> None:
        doomed = {node_id}
        for n in sorted(self.parent):  # children have larger ids than their parents
            if self.parent[n] in doomed:
                doomed.add(n)
        for n in doomed:
            self.parent.pop(n, None)
            self.tag.pop(n, None)
            self.hidden.pop(n, None)
        self.texts = [t for t in self.texts if t not in doomed]


def _canary_text(draw: st.DrawFn, hidden: bool) -> str:
    shown = ("plain words", f"mail {CANARY_EMAIL} now", "")
    return draw(st.sampled_from((f"{CANARY} text", *shown) if hidden else shown))


def _canary_element(draw: st.DrawFn, page: _CanaryPage, parent: int) -> Event:
    """A new element (children not included) with canaries in its attributes."""
    tag = draw(st.sampled_from(MASK_TAGS))
    attrs: dict[str, Any] = {}
    classes = draw(st.lists(st.sampled_from((*MASK_CLASSES, "secret", "hide")), max_size=2, unique=True))
    if classes:
        attrs["class"] = " ".join(classes)
    if draw(st.integers(0, 4)) == 0:
        attrs["data-x"] = ""
    if draw(st.integers(0, 6)) == 0:
        attrs["id"] = "n1"
    if draw(st.booleans()):
        attrs["data-secret"] = CANARY
    if draw(st.booleans()):
        attrs["title"] = f"hello {CANARY_EMAIL}"
    if tag == "a":
        attrs["href"] = f"/u12/page?token={CANARY}&x=1#{CANARY}"
    elif tag in ("input", "textarea", "select"):
        attrs["value"] = CANARY
        attrs["type"] = draw(st.sampled_from(("text", "password", "hidden", "checkbox")))
    elif tag == "iframe":
        attrs["srcdoc"] = f"<p>{CANARY}</p>"
    elif tag == "img":
        attrs["src"] = f"https://{CANARY.lower()}:pw@cdn.test/i.png?token={CANARY}"
        attrs["alt"] = CANARY_EMAIL
    hidden = page.hidden[parent] or "secret" in classes or "hide" in classes
    node_id = page.new(parent, tag, hidden)
    if "secret" in classes or "hide" in classes:
        page.marked.add(node_id)
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": []}


_CANARY_CSS = f'p::before{{content:"{CANARY_EMAIL}"}} q{{background:url(/i.png?token={CANARY})}}'


def _canary_text_node(draw: st.DrawFn, page: _CanaryPage, parent: int) -> Event:
    ptag = page.tag[parent]
    if ptag == "style":
        value = _CANARY_CSS
    elif ptag == "textarea":
        value = CANARY
    else:
        value = _canary_text(draw, page.hidden[parent])
    return {
        "type": 3,
        "id": page.new(parent, "", page.hidden[parent] or ptag == "textarea"),
        "textContent": value,
    }


def _canary_child(draw: st.DrawFn, page: _CanaryPage, parent: int) -> Event:
    if page.tag[parent] in ("style", "textarea", "select") or draw(st.booleans()):
        return _canary_text_node(draw, page, parent)
    return _canary_element(draw, page, parent)


def _canary_event(draw: st.DrawFn, page: _CanaryPage, data: dict[str, Any], kind: int = 3) -> Event:
    page.ts += draw(st.integers(0, 30))
    return {"type": kind, "timestamp": page.ts, "data": data}


def _canary_mutation(draw: st.DrawFn, page: _CanaryPage) -> dict[str, Any]:
    removes, adds, texts, attributes = [], [], [], []
    candidates = [n for n in page.parent if page.tag.get(n) not in ("html", "head", "body")]
    if candidates and draw(st.integers(0, 3)) == 0:
        victim = draw(st.sampled_from(candidates))
        removes.append({"parentId": page.parent[victim], "id": victim})
        page.forget(victim)
    for _ in range(draw(st.integers(0, 3))):
        parent = draw(st.sampled_from(page.containers()))
        child = _canary_child(draw, page, parent)
        adds.append({"parentId": parent, "nextId": None, "node": child})
    for node_id in draw(st.lists(st.sampled_from(page.texts), max_size=2, unique=True)) if page.texts else []:
        parent = page.parent.get(node_id)
        if parent is not None:
            ptag = page.tag[parent]
            if ptag == "style":
                value = _CANARY_CSS
            else:
                value = CANARY if ptag == "textarea" else _canary_text(draw, page.hidden[node_id])
            texts.append({"id": node_id, "value": value})
    elements = [n for n, t in page.tag.items() if t and t not in ("#document", "html", "head", "body")]
    for node_id in draw(st.lists(st.sampled_from(elements), max_size=2, unique=True)) if elements else []:
        # Classes change among the ordinary ones only: what is inside .secret or .hide stays inside.
        change: dict[str, Any] = {"data-secret": CANARY, "title": CANARY_EMAIL}
        if node_id not in page.marked and draw(st.booleans()):
            change["class"] = draw(st.sampled_from(MASK_CLASSES))
        if page.tag[node_id] in ("input", "textarea", "select"):
            change["value"] = CANARY
            change["type"] = draw(st.sampled_from(("text", "password")))
        if page.tag[node_id] == "iframe":
            change["srcdoc"] = CANARY
        attributes.append({"id": node_id, "attributes": change})
    return {
        "source": 0,
        "removes": removes,
        "adds": draw(st.permutations(adds)),
        "texts": texts,
        "attributes": attributes,
    }


@st.composite
def canary_streams(draw: st.DrawFn, max_events: int = 20) -> list[Event]:
    """A stream with canaries everywhere masking must hide them (see above)."""
    page = _CanaryPage()
    root = page.new(None, "#document", False)
    html = page.new(root, "html", False)
    head, body = page.new(html, "head", False), page.new(html, "body", False)
    nodes: dict[int, Event] = {
        root: {"type": 0, "id": root, "childNodes": []},
        html: {"type": 2, "id": html, "tagName": "html", "attributes": {}, "childNodes": []},
        head: {"type": 2, "id": head, "tagName": "head", "attributes": {}, "childNodes": []},
        body: {"type": 2, "id": body, "tagName": "body", "attributes": {}, "childNodes": []},
    }
    for child, parent in ((html, root), (head, html), (body, html)):
        nodes[parent]["childNodes"].append(nodes[child])
    for _ in range(draw(st.integers(0, 12))):
        parent = draw(st.sampled_from(page.containers()))
        child = _canary_child(draw, page, parent)
        nodes[child["id"]] = child
        nodes[parent]["childNodes"].append(child)
    href = f"https://shop.test/u7/checkout?token={CANARY}#{CANARY}"
    events = [
        _canary_event(draw, page, {"href": href, "width": 800, "height": 600}, 4),
        _canary_event(draw, page, {"node": nodes[root], "initialOffset": {"top": 0, "left": 0}}, 2),
    ]
    for _ in range(draw(st.integers(0, max_events))):
        which = draw(st.sampled_from(("mutation", "mutation", "input", "error", "console", "nav", "rule")))
        if which == "mutation":
            events.append(_canary_event(draw, page, _canary_mutation(draw, page)))
        elif which == "input":
            fields = [n for n, t in page.tag.items() if t in ("input", "textarea", "select")]
            if fields:
                data = {"source": 5, "id": draw(st.sampled_from(fields)), "text": CANARY, "isChecked": False}
                events.append(_canary_event(draw, page, data))
        elif which == "error":
            payload = {
                "message": f"TypeError: {CANARY_EMAIL}",
                "stack": CANARY_EMAIL,
                "source": f"/a.js?token={CANARY}",
            }
            events.append(_canary_event(draw, page, {"tag": "reel.error", "payload": payload}, 5))
        elif which == "console":
            payload = {"level": "log", "payload": [f'"{CANARY_EMAIL}"'], "trace": [CANARY]}
            events.append(_canary_event(draw, page, {"plugin": "rrweb/console@1", "payload": payload}, 6))
        elif which == "nav":
            data = {"tag": "reel.navigation", "payload": {"href": f"/next?token={CANARY}#{CANARY}"}}
            events.append(_canary_event(draw, page, data, 5))
        else:
            styles = [n for n, t in page.tag.items() if t == "style"]
            if styles:
                rule = {"rule": f'a::after{{content:"{CANARY_EMAIL}"}}', "index": 0}
                events.append(
                    _canary_event(
                        draw, page, {"source": 8, "id": draw(st.sampled_from(styles)), "adds": [rule]}
                    )
                )
    return events
