"""The one sanitiser for recorded DOM in everything Reel serves (pure; the input is never modified).

Recorded DOM is untrusted (a forged recording can be posted straight to ingest), so this runs on the
server for every byte sent to the player, in addition to the sandboxed iframe without allow-scripts:
the events the replayer builds its page from (`sanitize_event`), and the first frame, whose HTML
(reel.replay.first_frame) applies the same element and attribute rules and writes text with
reel.replay.markup. Scripts, `<base>`, event handlers, script URLs, `srcdoc`, meta refresh and `ping`
are removed.

Foreign content (SVG, MathML) is markup like the rest: the rules hold whatever namespace an element
would land in, since the first frame's parser decides namespaces by position, not by rrweb's `isSVG`
flag. So a script is dropped by its name in any namespace; an SVG animation may not retarget a URL
(`<set attributeName="href">`) or a handler; and a frame-like element may not load a `data:` document
of any XML kind (`<embed src="data:image/svg+xml,…">` would be a document with scripts of its own).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reel.dom.types import ELEMENT, URL_ATTRIBUTES, EventType, IncrementalSource

INERT_TAG = "noscript"
"""What a neutralised element becomes (empty, no attributes), so later mutations still find its id."""
NEUTRALISED_TAGS = frozenset({"script", "base"})
"""Script in any namespace; `<base>` would move every relative URL, Reel's copies included, elsewhere."""
DROPPED_ATTRIBUTES = frozenset({"srcdoc", "http-equiv", "ping"})
FIELD_TAGS = frozenset({"input", "textarea", "select", "form"})
FRAME_TAGS = frozenset({"iframe", "frame", "embed", "object", "portal", "applet", "use"})
"""Elements that would show a URL's content as a document of its own (an SVG `<use>` too)."""
_SRCSETS = frozenset({"srcset", "imagesrcset"})
_ANIMATED_URLS = frozenset({"href", "xlink:href", "src"})
_ANIMATION_VALUES = frozenset({"from", "to", "by", "values"})
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|data\s*:\s*text/html|data\s*:\s*application/xhtml)", re.I)
_XML_DOCUMENT = re.compile(r"^data:(?:image/svg\+xml|text/xml|application/xml|[^,;]*\+xml)", re.I)
_IMAGE_DATA = re.compile(r"^data:image/", re.I)
# Browsers ignore ASCII whitespace and control characters inside a scheme: "java\tscript:" still runs.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def is_script_url(value: str) -> bool:
    """True if a URL would run script (or render attacker HTML) when followed."""
    return bool(_SCRIPT_URL.match(_INVISIBLE.sub("", value)))


def neutralised(tag: str) -> bool:
    """True for an element that is replaced by an empty inert one (`INERT_TAG`) wherever it is."""
    return tag in NEUTRALISED_TAGS


def clean_attributes(attributes: Mapping[str, Any], tag: str | None) -> dict[str, Any]:
    """Attributes without handlers, srcdoc, meta refresh, ping or script URLs; fields get
    autocomplete=off.

    `tag` is None for an attribute mutation, whose element the event does not name: every rule that
    depends on the element then applies as if it were the riskiest one.
    """
    clean: dict[str, Any] = {}
    retargeted = any(
        isinstance(k, str) and k.lower() == "attributename" and isinstance(v, str) and _retargets(v)
        for k, v in attributes.items()
    )
    for name, value in attributes.items():
        lower = name.lower() if isinstance(name, str) else ""
        if not lower or lower.startswith("on") or lower in DROPPED_ATTRIBUTES:
            continue
        if retargeted and lower in _ANIMATION_VALUES:
            continue  # the values of an animation whose target was removed: URLs, a handler's code
        if isinstance(value, str) and _unsafe_value(lower, value, tag):
            continue
        if tag == "meta" and lower == "content" and "http-equiv" in {k.lower() for k in attributes}:
            continue
        clean[name] = value
    if tag in FIELD_TAGS:
        clean["autocomplete"] = "off"
    return clean


def _unsafe_value(name: str, value: str, tag: str | None) -> bool:
    if name in _SRCSETS:
        return any(is_script_url(part.strip()) for part in value.split(","))
    if name in _ANIMATION_VALUES:
        return any(is_script_url(part) for part in value.split(";"))
    if name == "attributename":
        return _retargets(value)
    if name == "rr_dataurl":
        return not _IMAGE_DATA.match(value.strip())  # rrweb loads it as an image: only inline images
    if name not in URL_ATTRIBUTES:
        return False
    if is_script_url(value):
        return True
    return (tag is None or tag in FRAME_TAGS) and bool(_XML_DOCUMENT.match(_INVISIBLE.sub("", value)))


def _retargets(attribute_name: str) -> bool:
    """An SVG animation of this attribute could load or run what the rules removed (a URL, a handler)."""
    target = attribute_name.strip().lower()
    return target in _ANIMATED_URLS or target.startswith("on") or target.endswith(":href")


def clean_node(node: Mapping[str, Any]) -> dict[str, Any]:
    """A serialized node tree, cleaned; iterative, so any depth is fine."""
    root = dict(node)
    stack = [root]
    while stack:
        current = stack.pop()
        if current.get("type") == ELEMENT:
            tag = str(current.get("tagName", "")).lower()
            if neutralised(tag):
                # Kept as an inert element with the same id, so later mutations still find their node.
                current["tagName"] = INERT_TAG
                current["attributes"] = {}
                current["childNodes"] = []
                current.pop("isSVG", None)
                continue
            attributes = current.get("attributes")
            current["attributes"] = clean_attributes(
                attributes if isinstance(attributes, Mapping) else {}, tag
            )
        children = current.get("childNodes")
        if isinstance(children, list):
            copied = [dict(c) for c in children if isinstance(c, Mapping)]
            current["childNodes"] = copied
            stack.extend(copied)
    return root


def sanitize_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """One event made safe to replay; events that cannot carry markup come back as they are."""
    kind = event.get("type")
    data = event.get("data")
    if not isinstance(data, Mapping):
        return dict(event)
    if kind == EventType.FULL_SNAPSHOT and isinstance(data.get("node"), Mapping):
        return {**event, "data": {**data, "node": clean_node(data["node"])}}
    if kind == EventType.INCREMENTAL_SNAPSHOT and data.get("source") == IncrementalSource.MUTATION:
        adds = [
            {**a, "node": clean_node(a["node"])}
            if isinstance(a, Mapping) and isinstance(a.get("node"), Mapping)
            else a
            for a in data.get("adds") or []
        ]
        attrs = [
            {**m, "attributes": clean_attributes(m["attributes"], None)}
            if isinstance(m, Mapping) and isinstance(m.get("attributes"), Mapping)
            else m
            for m in data.get("attributes") or []
        ]
        return {**event, "data": {**data, "adds": adds, "attributes": attrs}}
    return dict(event)


def sanitize_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every event made safe to replay."""
    return [sanitize_event(e) for e in events]
