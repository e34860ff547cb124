"""What a URL in a recorded attribute is (pure): resolved against the page, harmless or not, and how a
browser would load it from a given attribute of a given element (reel.dom.urls walks events with it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

UrlKind = Literal["image", "stylesheet", "inert"]

MAX_URL_LENGTH = 4096
_ICON_RELS = frozenset({"icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"})
_PRELOAD_KINDS: dict[str, UrlKind] = {"style": "stylesheet", "image": "image"}
_BACKGROUND_TAGS = frozenset({"body", "table", "td", "th", "tr", "thead", "tbody", "tfoot"})
_SVG_LINKS = frozenset({"image", "feimage", "use"})
_LINKS = frozenset({"a", "area"})
_IMAGE_SRC = frozenset({"img"})
_PLUGINS = frozenset({"object", "embed", "applet"})
_PLUGIN_URLS = frozenset({"data", "codebase", "archive", "code", "classid"})
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
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
