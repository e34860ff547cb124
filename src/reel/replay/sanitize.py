"""Making recorded DOM safe to replay: scripts, event handlers, script URLs, srcdoc and meta refresh
are removed from every event the player receives (pure; the input events are not modified).

Recorded DOM is untrusted (a forged recording can be posted straight to ingest), so this runs on the
server for every byte sent to the player, in addition to the sandboxed iframe without allow-scripts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reel.dom.types import URL_ATTRIBUTES, EventType, IncrementalSource

ELEMENT = 2
DROPPED_ATTRIBUTES = frozenset({"srcdoc", "http-equiv"})
FIELD_TAGS = frozenset({"input", "textarea", "select", "form"})
_SCRIPT_URL = re.compile(r"^(?:javascript|vbscript|data\s*:\s*text/html|data\s*:\s*application/xhtml)", re.I)
# Browsers ignore ASCII whitespace and control characters inside a scheme: "java\tscript:" still runs.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def is_script_url(value: str) -> bool:
    """True if a URL would run script (or render attacker HTML) when followed."""
    return bool(_SCRIPT_URL.match(_INVISIBLE.sub("", value)))


def clean_attributes(attributes: Mapping[str, Any], tag: str | None) -> dict[str, Any]:
    """Attributes without handlers, srcdoc, meta refresh or script URLs; fields get autocomplete=off.

    `tag` is None for an attribute mutation, whose element the event does not name: the name-based
    rules still apply.
    """
    clean: dict[str, Any] = {}
    for name, value in attributes.items():
        lower = name.lower() if isinstance(name, str) else ""
        if not lower or lower.startswith("on") or lower in DROPPED_ATTRIBUTES:
            continue
        if lower in URL_ATTRIBUTES and isinstance(value, str) and _has_script_url(lower, value):
            continue
        if tag == "meta" and lower == "content" and "http-equiv" in {k.lower() for k in attributes}:
            continue
        clean[name] = value
    if tag in FIELD_TAGS:
        clean["autocomplete"] = "off"
    return clean


def _has_script_url(name: str, value: str) -> bool:
    if name == "srcset":
        return any(is_script_url(part.strip()) for part in value.split(","))
    return is_script_url(value)


def clean_node(node: Mapping[str, Any]) -> dict[str, Any]:
    """A serialized node tree, cleaned; iterative, so any depth is fine."""
    root = dict(node)
    stack = [root]
    while stack:
        current = stack.pop()
        if current.get("type") == ELEMENT:
            tag = str(current.get("tagName", "")).lower()
            if tag == "script":
                # Kept as an inert element with the same id, so later mutations still find their node.
                current["tagName"] = "noscript"
                current["attributes"] = {}
                current["childNodes"] = []
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
