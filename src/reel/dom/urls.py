"""Every resource URL in rrweb events, found and optionally replaced (pure; events are never modified).

One walker serves both directions: resource capture calls it with a mapper that notes each URL and
changes nothing; replay calls it with a mapper that points each URL at Reel's stored copy. The mapper
receives absolute http(s) URLs (resolved against the page URL of the latest Meta event) and a kind:

- `image`: loaded as an image (img src/srcset, poster, icons, SVG image/use, CSS `url()`);
- `stylesheet`: loaded as CSS (`<link rel=stylesheet>`, `@import`);
- `inert`: would be loaded by a browser but Reel never captures it (media, frames, prefetch and other
  link relations, plugins, SVG references other than images); replay points it nowhere.

Links (`a href`, `area href`) and form actions are not resources: nothing is fetched until someone
follows them. Everything else that may hold a URL is one, whatever element it is on, and other
attributes holding CSS references (SVG's `fill="url(…)"`) are read as CSS: an element the walk cannot
name (an attribute change on a node it has not seen), or one another parser would read differently
(`<image src>` is an `<img>` to the HTML parser), is never a way around the rewriting. A URL that
cannot be made absolute (no page URL, another scheme) goes to `unresolved`, so replay can write a
placeholder instead of leaving it for the browser to resolve against Reel's own page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from reel.dom.css_urls import may_hold_refs, rewrite_css
from reel.dom.types import EventType
from reel.dom.types import IncrementalSource as Source

UrlKind = Literal["image", "stylesheet", "inert"]
UrlMapper = Callable[[str, UrlKind], str | None]
"""(absolute URL, kind) → the URL to write instead, or None to leave the value as it is."""
Unresolved = Callable[[str, UrlKind], str | None]
"""(value as written, kind) → what to write for a URL that cannot be made an absolute http(s) URL."""

MAX_URL_LENGTH = 4096
ELEMENT, TEXT = 2, 3
_ICON_RELS = frozenset({"icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"})
_PRELOAD_KINDS: dict[str, UrlKind] = {"style": "stylesheet", "image": "image"}
_BACKGROUND_TAGS = frozenset({"body", "table", "td", "th", "tr", "thead", "tbody", "tfoot"})
_SVG_LINKS = frozenset({"image", "feimage", "use"})
_LINKS = frozenset({"a", "area"})
_IMAGE_SRC = frozenset({"img"})
_PLUGINS = frozenset({"object", "embed", "applet"})
_PLUGIN_URLS = frozenset({"data", "codebase", "archive", "code", "classid"})
_SRCSETS = frozenset({"srcset", "imagesrcset"})
# What a browser does not load: nothing to fetch, nothing to rewrite.
_HARMLESS_SCHEMES = ("data:", "blob:", "about:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def harmless(value: str) -> bool:
    """True for a URL no browser fetches anything for: empty, a same-document `#fragment`, `data:`,
    `blob:` (the page's own memory) or `about:`."""
    plain = _INVISIBLE.sub("", value).lower()
    return not plain or plain.startswith("#") or plain.startswith(_HARMLESS_SCHEMES)


def resolve(url: str, base: str) -> str | None:
    """`url` made absolute against `base`; None unless it is an http(s) URL of sane length."""
    value = url.strip()
    if not value or len(value) > MAX_URL_LENGTH or value.startswith(("data:", "blob:", "#")):
        return None
    try:
        absolute = urljoin(base, value) if base else value
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return absolute


def without_fragment(url: str) -> str:
    """The URL a fetch asks for: the fragment stays in the browser."""
    return url.split("#", 1)[0]


def parse_srcset(value: str) -> list[tuple[str, str]]:
    """The (URL, descriptor) candidates of a srcset, as the HTML standard splits them."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
            out.append((url, ""))
            continue
        depth = 0
        desc_start = i
        while i < n and (value[i] != "," or depth):
            depth += value[i] == "("
            depth -= value[i] == ")" and depth > 0
            i += 1
        if url:
            out.append((url, value[desc_start:i].strip()))
    return out


@dataclass
class UrlWalk:
    """The state a walk carries from event to event: the page URL and what the ids are."""

    mapper: UrlMapper
    base: str = ""
    unresolved: Unresolved | None = None
    """What to write for a URL that cannot be made absolute (None: leave it as it is)."""
    tags: dict[int, str] = field(default_factory=dict)
    """Element ids to their tag, for attribute mutations (which do not say the tag)."""
    style_texts: set[int] = field(default_factory=set)
    """Ids of text nodes inside <style> elements."""
    texts: set[int] = field(default_factory=set)
    """Ids of the other text nodes (a text change on a node in neither set is read as CSS)."""

    def url(self, value: Any, kind: UrlKind) -> Any:
        """The replacement of an attribute holding one URL, or `value` itself."""
        if not isinstance(value, str):
            return value
        new = self._map(value, kind)
        return value if new is None else new

    def _map(self, value: str, kind: UrlKind) -> str | None:
        absolute = resolve(value, self.base)
        if absolute is not None:
            return self.mapper(absolute, kind)
        if self.unresolved is None or harmless(value):
            return None
        return self.unresolved(value, kind)

    def srcset(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        parts = []
        changed = False
        for url, descriptor in parse_srcset(value):
            new = self.url(url, "image")
            changed = changed or new != url
            parts.append(f"{new} {descriptor}".strip())
        return ", ".join(parts) if changed else value

    def css(self, text: Any) -> Any:
        """CSS text with each reference mapped (`@import` as a stylesheet, every `url()` as an image)."""
        if not isinstance(text, str) or not may_hold_refs(text):
            return text

        def replace(url: str, kind: str) -> str | None:
            return self._map(url, "stylesheet" if kind == "import" else "image")

        return rewrite_css(text, replace)

    def style_object(self, value: Mapping[str, Any]) -> Any:
        """A style attribute change given as properties (`{"background": "url(x)"}`, a value or
        `[value, priority]` each, as rrweb sends them), each value read as CSS."""
        out: dict[str, Any] | None = None
        for prop, item in value.items():
            if isinstance(item, str):
                new: Any = self.css(item)
            elif isinstance(item, list) and item and isinstance(item[0], str):
                first = self.css(item[0])
                new = item if first is item[0] else [first, *item[1:]]
            else:
                continue
            if new is not item:
                out = out if out is not None else dict(value)
                out[prop] = new
        return value if out is None else out

    # ---- elements --------------------------------------------------------------------------------

    def attributes(self, tag: str | None, attrs: Mapping[str, Any]) -> dict[str, Any] | None:
        """New attributes of an element (None if nothing changes); `tag` None if unknown."""
        out: dict[str, Any] | None = None
        for name, value in attrs.items():
            new = self._attribute(tag, name.lower() if isinstance(name, str) else "", value, attrs)
            if new is not value:
                if out is None:
                    out = dict(attrs)
                out[name] = new
        return out

    def _attribute(self, tag: str | None, name: str, value: Any, attrs: Mapping[str, Any]) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if name == "style" and isinstance(value, Mapping):
            return self.style_object(value)
        if name == "style" or name == "_csstext":
            return self.css(value)
        if name in _SRCSETS:
            return self.srcset(value)
        kind = url_kind(tag, name, attrs)
        if kind is not None:
            return self.url(value, kind)
        if isinstance(value, str) and may_hold_refs(value):
            return self.css(value)  # presentation attributes (fill="url(…)"), animation values…
        return value

    def node_tree(self, node: Mapping[str, Any], parent_tag: str | None = None) -> Mapping[str, Any]:
        """A serialized node tree with its URLs mapped; the same object when nothing changes."""
        new_attrs: dict[int, dict[str, Any]] = {}
        new_texts: dict[int, str] = {}
        stack: list[tuple[Mapping[str, Any], str | None]] = [(node, parent_tag)]
        while stack:
            current, parent = stack.pop()
            kind = current.get("type")
            node_id = current.get("id")
            tag: str | None = None
            if kind == ELEMENT:
                tag = str(current.get("tagName", "")).lower()
                if isinstance(node_id, int):
                    self.tags[node_id] = tag
                attrs = current.get("attributes")
                if isinstance(attrs, Mapping):
                    changed = self.attributes(tag, attrs)
                    if changed is not None:
                        new_attrs[id(current)] = changed
            elif kind == TEXT and (parent == "style" or current.get("isStyle") is True):
                if isinstance(node_id, int):
                    self.style_texts.add(node_id)
                text = current.get("textContent")
                new = self.css(text)
                if new is not text:
                    new_texts[id(current)] = new
            elif kind == TEXT and isinstance(node_id, int):
                self.texts.add(node_id)
            children = current.get("childNodes")
            if isinstance(children, list):
                stack.extend((c, tag) for c in children if isinstance(c, Mapping))
        if not new_attrs and not new_texts:
            return node
        return _copy_tree(node, new_attrs, new_texts)

    # ---- events ----------------------------------------------------------------------------------

    def event(self, event: Mapping[str, Any]) -> Mapping[str, Any]:
        """The event with its URLs mapped; the same object when nothing changes."""
        kind = event.get("type")
        data = event.get("data")
        if not isinstance(data, Mapping):
            return event
        if kind == EventType.META:
            href = data.get("href")
            if isinstance(href, str):
                self.base = href
            return event
        if kind == EventType.FULL_SNAPSHOT:
            self.tags.clear()
            self.style_texts.clear()
            self.texts.clear()
            node = data.get("node")
            if isinstance(node, Mapping):
                new = self.node_tree(node)
                if new is not node:
                    return {**event, "data": {**data, "node": new}}
            return event
        if kind != EventType.INCREMENTAL_SNAPSHOT:
            return event
        new_data = self._incremental(data)
        return event if new_data is data else {**event, "data": new_data}

    def _incremental(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        source = data.get("source")
        if source == Source.MUTATION:
            return self._mutation(data)
        if source == Source.STYLE_SHEET_RULE:
            return self._rules(data)
        if source == Source.STYLE_DECLARATION:
            change = data.get("set")
            if isinstance(change, Mapping):
                value = change.get("value")
                new = self.css(value)
                if new is not value:
                    return {**data, "set": {**change, "value": new}}
            return data
        if source == Source.ADOPTED_STYLE_SHEET:
            styles = data.get("styles")
            if not isinstance(styles, list):
                return data
            new_styles = [self._rules(s) if isinstance(s, Mapping) else s for s in styles]
            if all(a is b for a, b in zip(new_styles, styles, strict=True)):
                return data
            return {**data, "styles": new_styles}
        if source == Source.FONT:
            font = data.get("fontSource")
            new = self.css(font)
            return data if new is font else {**data, "fontSource": new}
        return data

    def _rules(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        out: dict[str, Any] | None = None
        for key in ("adds", "rules"):
            items = data.get(key)
            if not isinstance(items, list):
                continue
            changed = False
            new_items = []
            for item in items:
                rule = item.get("rule") if isinstance(item, Mapping) else None
                new = self.css(rule)
                if new is not rule and isinstance(item, Mapping):
                    changed = True
                    item = {**item, "rule": new}
                new_items.append(item)
            if changed:
                out = out if out is not None else dict(data)
                out[key] = new_items
        for key in ("replace", "replaceSync"):
            text = data.get(key)
            new = self.css(text)
            if new is not text:
                out = out if out is not None else dict(data)
                out[key] = new
        return data if out is None else out

    def _mutation(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        out: dict[str, Any] | None = None
        adds = data.get("adds")
        if isinstance(adds, list):
            new_adds = []
            for add in adds:
                node = add.get("node") if isinstance(add, Mapping) else None
                if isinstance(add, Mapping) and isinstance(node, Mapping):
                    parent = add.get("parentId")
                    tag = self.tags.get(parent) if isinstance(parent, int) else None
                    new = self.node_tree(node, tag)
                    if new is not node:
                        add = {**add, "node": new}
                new_adds.append(add)
            if any(a is not b for a, b in zip(new_adds, adds, strict=True)):
                out = {**data, "adds": new_adds}
        for key, method in (("attributes", self._attribute_change), ("texts", self._text_change)):
            items = data.get(key)
            if not isinstance(items, list):
                continue
            new_items = [method(m) if isinstance(m, Mapping) else m for m in items]
            if any(a is not b for a, b in zip(new_items, items, strict=True)):
                out = out if out is not None else dict(data)
                out[key] = new_items
        return data if out is None else out

    def _attribute_change(self, change: Mapping[str, Any]) -> Mapping[str, Any]:
        attrs = change.get("attributes")
        node_id = change.get("id")
        if not isinstance(attrs, Mapping):
            return change
        tag = self.tags.get(node_id) if isinstance(node_id, int) else None
        new = self.attributes(tag, attrs)
        return change if new is None else {**change, "attributes": new}

    def _text_change(self, change: Mapping[str, Any]) -> Mapping[str, Any]:
        value = change.get("value")
        node_id = change.get("id")
        if not isinstance(value, str):
            return change
        # A text change does not say whose text it is: CSS if the node is a style's text, and also if
        # the walk has not seen the node (it may be one), never for a text node known to be ordinary.
        if isinstance(node_id, int) and node_id in self.texts:
            return change
        new = self.css(value)
        return change if new is value else {**change, "value": new}


def url_kind(tag: str | None, name: str, attrs: Mapping[str, Any]) -> UrlKind | None:
    """How a browser loads the URL in attribute `name` of a `tag` element; None when the attribute
    holds no URL that is loaded. `tag` None: an element the walk has not seen, for which what may be an
    image is one (so capture keeps finding images changed later) and anything else loadable is inert."""
    if name == "src":
        if (
            tag is None
            or tag in _IMAGE_SRC
            or (tag == "input" and str(attrs.get("type", "")).lower() == "image")
        ):
            return "image"
        return "inert"  # frames, media, embeds, portals, scripts, and any element it would be on
    if name in ("href", "xlink:href"):
        if tag in _LINKS:
            return None  # a link: nothing is fetched until someone follows it
        if tag == "link" and name == "href":
            return link_kind(attrs)
        return "image" if tag in _SVG_LINKS or (tag is None and name == "xlink:href") else "inert"
    if name == "poster":
        return "image" if tag in (None, "video") else "inert"
    if name == "background":
        return "image" if tag is None or tag in _BACKGROUND_TAGS else "inert"
    if name == "rr_dataurl":
        return "image"  # rrweb draws it as an image; a data: URL stays as it is
    if name in _PLUGIN_URLS and (tag is None or tag in _PLUGINS):
        return "inert"
    return None


def link_kind(attrs: Mapping[str, Any]) -> UrlKind:
    """What a <link> loads, from its rel (and `as` for preloads)."""
    rel = attrs.get("rel")
    tokens = set(rel.lower().split()) if isinstance(rel, str) else set()
    if "stylesheet" in tokens:
        return "stylesheet"
    if tokens & _ICON_RELS:
        return "image"
    if "preload" in tokens:
        as_ = attrs.get("as")
        return _PRELOAD_KINDS.get(as_.lower(), "inert") if isinstance(as_, str) else "inert"
    return "inert"


def _copy_tree(
    node: Mapping[str, Any], new_attrs: dict[int, dict[str, Any]], new_texts: dict[int, str]
) -> dict[str, Any]:
    """A copy of the tree with the given nodes' attributes or text replaced (iterative)."""
    root = dict(node)
    stack = [(node, root)]
    while stack:
        source, copy = stack.pop()
        key = id(source)
        if key in new_attrs:
            copy["attributes"] = new_attrs[key]
        if key in new_texts:
            copy["textContent"] = new_texts[key]
        children = source.get("childNodes")
        if isinstance(children, list):
            copied: list[Any] = []
            for child in children:
                if isinstance(child, Mapping):
                    c = dict(child)
                    stack.append((child, c))
                    copied.append(c)
                else:
                    copied.append(child)
            copy["childNodes"] = copied
    return root


def walk_events(
    events: list[dict[str, Any]], mapper: UrlMapper, base: str = "", unresolved: Unresolved | None = None
) -> list[dict[str, Any]]:
    """Every event with its URLs mapped (unchanged events are the same objects)."""
    walk = UrlWalk(mapper, base, unresolved)
    out: list[dict[str, Any]] = []
    for event in events:
        new = walk.event(event)
        out.append(new if isinstance(new, dict) else dict(new))
    return out


def resource_urls(events: list[dict[str, Any]], base: str = "") -> dict[str, UrlKind]:
    """The resources events reference, as fetchable URLs (no fragment), with how each is loaded."""
    found: dict[str, UrlKind] = {}

    def note(url: str, kind: UrlKind) -> None:
        if kind != "inert":
            found.setdefault(without_fragment(url), kind)
        return None

    walk = UrlWalk(note, base)
    for event in events:
        walk.event(event)
    return found
