"""The URLs inside CSS text: `url(...)` (also `src(...)`), `@import "..."` and the strings of
`image-set(...)` (pure).

Read from the tokens a browser sees (reel.dom.css_tokens, CSS Syntax Level 3), so escapes cannot hide a
reference (`\\75 rl(x)`, `u\\72l(x)`, `@\\69mport`) and a `url(` inside a comment or a string is not one.
Each reference knows its span, so the text is rewritten with everything around it left byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from reel.dom.css_tokens import QUIET_RUN, Reader, Token

RefKind = Literal["url", "import"]

_IMAGE_SET = frozenset({"image-set", "-webkit-image-set"})
_URL_FUNCTIONS = frozenset({"url", "src"})
_SKIPPED = frozenset({"whitespace", "comment"})
_CLOSES = {")": "(", "]": "[", "}": "{"}
_OPENERS = frozenset(_CLOSES.values())
# Cheap test first: every reference needs one of these spellings, or an escape that could make one.
_MAY_HOLD = re.compile(r"url\(|src\(|@import|image-set|\\", re.I)


@dataclass(frozen=True)
class CssRef:
    """One reference: `text[start:end]` is the token to replace, `url` its value (unescaped)."""

    start: int
    end: int
    url: str
    kind: RefKind
    quoted_only: bool = False
    """The token is a string (`@import "x"`, `url("x")`, `image-set("x" 1x)`), replaced by a string."""


def quote_css_url(url: str) -> str:
    """`url` as a double-quoted CSS string, safe whatever it contains (no quote, newline or `<`)."""
    escaped = url.replace("\\", "\\\\").replace('"', "\\22 ").replace("\n", "\\a ").replace("\r", "\\d ")
    escaped = escaped.replace("\f", "\\c ").replace("<", "\\3c ")
    return f'"{escaped}"'


def css_refs(text: str) -> list[CssRef]:
    """Every URL reference in `text`, in order."""
    if not may_hold_refs(text):
        return []
    reader = Reader(text)
    quiet = QUIET_RUN.match
    refs: list[CssRef] = []
    blocks: list[str] = []  # the open functions (lowercase names) and brackets
    i = 0
    while i < reader.n:
        run = quiet(text, i)
        if run is not None:
            i = run.end()
            continue
        token = reader.at(i)
        i = token.end
        kind = token.kind
        if kind == "url":
            refs.append(CssRef(token.start, token.end, token.value, "url"))
        elif kind == "function":
            name = token.value.lower()
            after = _significant(reader, i)
            if name in _URL_FUNCTIONS and after is not None and after.kind == "string":
                refs.append(_string_ref(after, "url"))
            blocks.append(name)
        elif kind == "string":
            if blocks and blocks[-1] in _IMAGE_SET:
                refs.append(_string_ref(token, "url"))
        elif kind == "at-keyword" and token.value.lower() == "import":
            i = _import(reader, i, refs, blocks)
        elif kind in _OPENERS:
            blocks.append(kind)
        elif kind in _CLOSES:
            # Only its own closing token ends a block or a function; any other is just a value in it.
            closing = blocks[-1] if blocks else ""
            if closing and (closing == _CLOSES[kind] or (kind == ")" and closing not in _OPENERS)):
                blocks.pop()
    return refs


def _significant(reader: Reader, i: int) -> Token | None:
    """The first token from `i` that is not whitespace or a comment."""
    while i < reader.n:
        token = reader.at(i)
        if token.kind not in _SKIPPED:
            return token
        i = token.end
    return None


def _import(reader: Reader, i: int, refs: list[CssRef], blocks: list[str]) -> int:
    """After `@import`: its URL (a string, a URL token, or `url("…")`) as an import; where to go on."""
    first = _significant(reader, i)
    if first is None:
        return i
    if first.kind == "string":
        refs.append(_string_ref(first, "import"))
        return first.end
    if first.kind == "url":
        refs.append(CssRef(first.start, first.end, first.value, "import"))
        return first.end
    if first.kind == "function" and first.value.lower() in _URL_FUNCTIONS:
        after = _significant(reader, first.end)
        if after is not None and after.kind == "string":
            refs.append(_string_ref(after, "import"))
            blocks.append(first.value.lower())
            return after.end
    return i


def _string_ref(token: Token, kind: RefKind) -> CssRef:
    return CssRef(token.start, token.end, token.value, kind, quoted_only=True)


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
    """A cheap test before tokenizing: can `text` contain a reference at all?"""
    return _MAY_HOLD.search(text) is not None
