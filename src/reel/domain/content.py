"""Captured resources (pure): what a fetched body may be stored and served as (CSS, images, fonts — never
HTML or script), and what a recording's resource URLs become at replay (Reel's copy, or a placeholder).

The declared Content-Type decides, checked before the body is read; a body declared as generic bytes is
accepted only if its first bytes are those of an image or font format. Reel serves each copy with the
type decided here and `nosniff`, so a browser never takes a stored copy for a page or a script.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import quote

from reel.dom.url_values import UrlKind

CSS = "text/css"
SVG = "image/svg+xml"
IMAGES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", SVG, "image/x-icon", "image/bmp"}
)
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/vnd.microsoft.icon": "image/x-icon",
    "application/font-woff": "font/woff",
    "application/x-font-woff": "font/woff",
    "application/font-woff2": "font/woff2",
    "application/x-font-ttf": "font/ttf",
    "application/x-font-truetype": "font/ttf",
    "application/x-font-otf": "font/otf",
    "application/x-font-opentype": "font/otf",
    "application/font-sfnt": "font/sfnt",
}
FONTS = frozenset(
    {
        "font/woff",
        "font/woff2",
        "font/ttf",
        "font/otf",
        "font/sfnt",
        "font/collection",
        "application/vnd.ms-fontobject",
    }
)
GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"wOFF", "font/woff"),
    (b"wOF2", "font/woff2"),
    (b"\x00\x01\x00\x00", "font/ttf"),
    (b"true", "font/ttf"),
    (b"OTTO", "font/otf"),
    (b"ttcf", "font/collection"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"BM", "image/bmp"),
)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.I)
_AT_CHARSET = re.compile(rb'^@charset\s+"([A-Za-z0-9._:-]{1,40})"\s*;')


def media_type(header: str | None) -> str:
    """The lower-case `type/subtype` of a Content-Type header, with known aliases resolved."""
    value = (header or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(value, value)


def declared_ok(header: str | None) -> bool:
    """Whether a response declaring this Content-Type may be read at all."""
    value = media_type(header)
    return value == CSS or value in IMAGES or value in FONTS or value in GENERIC


def sniff(body: bytes) -> str | None:
    """The image or font type the first bytes announce, if any."""
    for magic, kind in _MAGIC:
        if body.startswith(magic):
            return kind
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    return None


def stored_type(header: str | None, body: bytes) -> str | None:
    """The content type the body is stored and served as; None if it is not an acceptable resource."""
    value = media_type(header)
    if value in GENERIC:
        return sniff(body)
    if value == CSS or value in IMAGES or value in FONTS:
        return value
    return None


def charset(header: str | None) -> str | None:
    """The charset parameter of a Content-Type header."""
    found = _CHARSET.search(header or "")
    return found.group(1) if found else None


def decode_css(body: bytes, declared_charset: str | None) -> str:
    """CSS text as a browser decodes it: BOM, then the HTTP charset, then `@charset`, then UTF-8.

    The result no longer has an `@charset` rule: Reel stores and serves style sheets as UTF-8.
    """
    encoding = "utf-8"
    if body.startswith(codecs.BOM_UTF8):
        body = body[3:]
    elif body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif declared_charset:
        encoding = declared_charset
    else:
        found = _AT_CHARSET.match(body)
        if found:
            encoding = found.group(1).decode("ascii")
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    return re.sub(r'^\ufeff?@charset\s+"[^"]*"\s*;', "", text, count=1)


RESOURCE_PATH = "/resources/"
_PLACEHOLDER_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='16' height='16'>"
    "<rect width='16' height='16' fill='#d9d9de'/><path d='M0 16L16 0' stroke='#b5b5bd'/></svg>"
)
IMAGE_PLACEHOLDER = "data:image/svg+xml," + quote(_PLACEHOLDER_SVG, safe="=:/'")
"""What an image not captured shows at replay: a small grey box, visibly not the original."""
NOT_CAPTURED = "about:invalid#reel-not-captured"
"""Where a style sheet or other resource not captured points at replay: nowhere, and no request."""


def resource_path(digest: str) -> str:
    """Where the player loads a stored copy from."""
    return RESOURCE_PATH + digest


def placeholder(kind: UrlKind) -> str:
    """What a URL that was not captured is rewritten to."""
    return IMAGE_PLACEHOLDER if kind == "image" else NOT_CAPTURED
