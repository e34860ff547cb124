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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reel.dom.css_urls import may_hold_refs, rewrite_css
from reel.dom.types import ELEMENT, TEXT, EventType
from reel.dom.types import IncrementalSource as Source
from reel.dom.url_values import (
    SRCSET_ATTRIBUTES,
    UrlKind,
    harmless,
    parse_srcset,
    resolve,
    url_kind,
    without_fragment,
)

UrlMapper = Callable[[str, UrlKind], str | None]
"""(absolute URL, kind) → the URL to write instead, or None to leave the value as it is."""
Unresolved = Callable[[str, UrlKind], str | None]
"""(value as written, kind) → what to write for a URL that cannot be made an absolute http(s) URL."""


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
        if name in SRCSET_ATTRIBUTES:
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
