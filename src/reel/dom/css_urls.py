"""The URLs inside CSS text: `url(...)`, `@import "..."` and the strings of `image-set(...)` (pure).

Not a CSS parser: a scanner that respects comments, strings and escapes the way a browser's tokenizer
does, so a `url(` inside a comment or a string is not taken for one. It finds each reference's span, so
the text can be rewritten with everything around the references left byte for byte as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

RefKind = Literal["url", "import"]

_IDENT_CHAR = re.compile(r"[A-Za-z0-9_\-\u0080-\U0010ffff]")
_HEX = re.compile(r"[0-9A-Fa-f]{1,6}")
_IMAGE_SET = frozenset({"image-set", "-webkit-image-set"})
_URL_FUNCTION = re.compile(r"url\(", re.I)
_IMPORT = re.compile(r"@import(?![A-Za-z0-9_-])", re.I)
_WS = " \t\n\r\f"
_MAY_HOLD = re.compile(r"url\(|@import|image-set", re.I)


@dataclass(frozen=True)
class CssRef:
    """One reference: `text[start:end]` is the token to replace, `url` its value as written (unescaped)."""

    start: int
    end: int
    url: str
    kind: RefKind
    quoted_only: bool = False
    """The token is a bare string (`@import "x"`, `image-set("x" 1x)`), to be replaced by a string."""


def _unescape(raw: str) -> str:
    """CSS escapes decoded: `\\26 ` is `&`, `\\"` is `"`, an escaped newline is nothing."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(raw):
            break
        m = _HEX.match(raw, i)
        if m:
            code = int(m.group(), 16)
            out.append(chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd")
            i = m.end()
            if i < len(raw) and raw[i] in _WS:
                i += 2 if raw[i] == "\r" and raw[i + 1 : i + 2] == "\n" else 1
        elif raw[i] == "\n":
            i += 1
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def quote_css_url(url: str) -> str:
    """`url` as a double-quoted CSS string, safe whatever it contains."""
    escaped = url.replace("\\", "\\\\").replace('"', "\\22 ").replace("\n", "\\a ").replace("\r", "\\d ")
    escaped = escaped.replace("\f", "\\c ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _read_string(text: str, i: int) -> int:
    """End (exclusive) of the string token starting at `text[i]` (a quote); unclosed ends at a newline."""
    quote = text[i]
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == "\n":
            return j
        j += 1
    return n


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _read_url(text: str, start: int) -> tuple[int, str] | None:
    """The end of a `url(...)` token starting at `start` and its value; None for a malformed one."""
    i = _skip_ws(text, start + 4)
    if i < len(text) and text[i] in "\"'":
        end = _read_string(text, i)
        closed = end - i >= 2 and text[end - 1] == text[i]
        value = _unescape(text[i + 1 : end - 1] if closed else text[i + 1 : end])
        j = _skip_ws(text, end)
        if j < len(text) and text[j] == ")":
            return j + 1, value
        return None
    j = i
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == ")":
            return j + 1, _unescape(text[i:j]).strip(_WS)
        if c in "\"'(":
            return None
        j += 1
    return None


def css_refs(text: str) -> list[CssRef]:
    """Every URL reference in `text`, in order."""
    refs: list[CssRef] = []
    functions: list[str] = []  # names of the open functions (and "" for plain parentheses)
    importing = False
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c in "\"'":
            end = _read_string(text, i)
            closed = end - i >= 2 and text[end - 1] == c
            if importing or (functions and functions[-1] in _IMAGE_SET):
                value = _unescape(text[i + 1 : end - 1] if closed else text[i + 1 : end])
                refs.append(CssRef(i, end, value, "import" if importing else "url", quoted_only=True))
            importing = False
            i = end
        elif c == "\\":
            i += 2
        elif c in "uU" and _URL_FUNCTION.match(text, i) and (i == 0 or not _IDENT_CHAR.match(text[i - 1])):
            found = _read_url(text, i)
            if found is None:
                functions.append("url")
                i += 4
                continue
            end, value = found
            refs.append(CssRef(i, end, value, "import" if importing else "url"))
            importing = False
            i = end
        elif c == "@" and _IMPORT.match(text, i):
            importing = True
            i += 7
        elif c == "(":
            j = i
            while j > 0 and _IDENT_CHAR.match(text[j - 1]):
                j -= 1
            functions.append(text[j:i].lower())
            i += 1
        elif c == ")":
            if functions:
                functions.pop()
            i += 1
        elif c in ";{}":
            importing = False
            i += 1
        else:
            i += 1
    return refs


def rewrite_css(text: str, replace: Callable[[str, RefKind], str | None]) -> str:
    """`text` with each reference whose `replace(url, kind)` is not None written as the new URL."""
    refs = css_refs(text)
    if not refs:
        return text
    out: list[str] = []
    pos = 0
    for ref in refs:
        new = replace(ref.url, ref.kind)
        if new is None:
            continue
        out.append(text[pos : ref.start])
        out.append(quote_css_url(new) if ref.quoted_only else f"url({quote_css_url(new)})")
        pos = ref.end
    if pos == 0:
        return text
    out.append(text[pos:])
    return "".join(out)


def may_hold_refs(text: str) -> bool:
    """A cheap test before scanning: can `text` contain a reference at all?"""
    return _MAY_HOLD.search(text) is not None
