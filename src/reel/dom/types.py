"""rrweb event-type numbers Reel reads (from @rrweb/types), named once."""

from __future__ import annotations

from enum import IntEnum


class EventType(IntEnum):
    """rrweb's top-level event types."""

    DOM_CONTENT_LOADED = 0
    LOAD = 1
    FULL_SNAPSHOT = 2
    INCREMENTAL_SNAPSHOT = 3
    META = 4
    CUSTOM = 5
    PLUGIN = 6


class IncrementalSource(IntEnum):
    """rrweb's incremental-snapshot sources (`data.source`)."""

    MUTATION = 0
    MOUSE_MOVE = 1
    MOUSE_INTERACTION = 2
    SCROLL = 3
    VIEWPORT_RESIZE = 4
    INPUT = 5
    TOUCH_MOVE = 6
    MEDIA_INTERACTION = 7
    STYLE_SHEET_RULE = 8
    CANVAS_MUTATION = 9
    FONT = 10
    LOG = 11
    DRAG = 12
    STYLE_DECLARATION = 13
    SELECTION = 14
    ADOPTED_STYLE_SHEET = 15
    CUSTOM_ELEMENT = 16


# rrweb's serialized node types (`type` of a node in a snapshot or mutation). Plain ints, not an
# IntEnum: the mirror and masking compare them per node, and CPython's fast path is for exact ints.
DOCUMENT, DOCTYPE, ELEMENT, TEXT, CDATA, COMMENT = 0, 1, 2, 3, 4, 5

# Optional fields of a serialized node that Reel keeps (the mirror and masking alike), with the one type
# each may have; any other field is dropped.
OPTIONAL_NODE_FIELDS: dict[str, type] = {
    "rootId": int,
    "isShadow": bool,
    "isShadowHost": bool,
    "isSVG": bool,
    "needBlock": bool,
    "isCustom": bool,
    "isStyle": bool,
    "compatMode": str,
}


# Attributes whose value the browser may load or navigate to.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
        "background",
        "ping",
        "cite",
        "codebase",
        "lowsrc",
        "dynsrc",
        "manifest",
        "srcset",
    }
)
