"""Text in HTML that Reel writes, made so that no parser context reads any of it as markup (pure).

Part of the one sanitiser (reel.replay.sanitize decides which elements and attributes exist at all):
this module decides how their text is written. Where the HTML parser puts an element depends on what
came before it: `<style>` is raw text in HTML but ordinary markup inside `<svg>` or `<math>` (foreign
content), `<noscript>` is raw text only where scripting is on, `<title>` is RCDATA in HTML and markup in
SVG, a `<select>` or `<table>` moves text around. Rather than predict the parser, every piece of text is
written so that it is inert in all of those contexts at once:

- ordinary text and attribute values are escaped (`&`, `<`, `>`, quotes), which is right in data,
  RCDATA and foreign content alike, and merely literal in raw text;
- CSS, the one text written unescaped (a `<style>` in HTML is raw text, where `&lt;` would stay
  `&lt;`), carries no `<` that could open a tag, an end tag, a comment or a processing instruction:
  inside strings, URLs and names it becomes the CSS escape `\\3c ` (the same CSS), in comments it is
  dropped, `<!--` becomes an empty comment, and a bare `<` before a letter, `!`, `/`, `?` or another `<` gets
  a space after it.
"""

from __future__ import annotations

import re
from html import escape

from reel.dom.css_tokens import QUIET_RUN, Reader, Token

_TAG_OPENER = re.compile(r"<[A-Za-z!/?]")
# A `<` delim before another `<` gets its space too: that `<` may start `<!--`, written as `/**/`.
_SPACED_DELIM = re.compile(r"<[A-Za-z!/?<]")
_ESCAPED_TOKENS = frozenset(
    {"string", "bad-string", "url", "bad-url", "ident", "function", "at-keyword", "hash", "dimension"}
)


def escape_text(text: str) -> str:
    """Text content, safe in data, RCDATA and foreign content (`&`, `<`, `>` escaped)."""
    return escape(text, quote=False)


def escape_attribute(value: str) -> str:
    """An attribute value for a double-quoted attribute."""
    return escape(value, quote=True)


def css_text_for_html(css: str) -> str:
    """`css` written so that no HTML parser context reads a tag, a comment or an end tag in it; the
    same style sheet for a browser (escapes in strings, URLs and names decode to the same text)."""
    if "<" not in css:
        return css
    reader = Reader(css)
    out: list[str] = []
    pos = i = 0
    while True:
        angle = css.find("<", i)
        if angle < 0:
            break
        # The tokens before the next `<` stay as they are: skip them, in runs where they are plain.
        run = QUIET_RUN.match(css, i, angle)
        if run is not None:
            i = run.end()
        token = reader.at(i)
        i = token.end
        if token.end <= angle:
            continue
        out.append(css[pos : token.start])
        pos = token.end
        out.append(_inert(css, token))
    out.append(css[pos:])
    return "".join(out)


def _inert(css: str, token: Token) -> str:
    """One token holding a `<`, written without a `<` that could open markup."""
    piece = css[token.start : token.end]
    if token.kind == "comment":
        return piece.replace("<", " ")
    if token.kind == "cdo":
        return "/**/"  # ignored at the top level of a sheet, like the comment it becomes
    if token.kind == "delim":
        return "< " if _SPACED_DELIM.match(css, token.start) else "<"
    if token.kind in _ESCAPED_TOKENS:
        return _escape_angle(piece)
    return piece.replace("<", " ")  # no other token can hold a `<`


def _escape_angle(piece: str) -> str:
    """`piece` (one token) with every `<`, raw or escaped as `\\<`, written as the CSS escape `\\3c `."""
    out: list[str] = []
    i = 0
    n = len(piece)
    while i < n:
        c = piece[i]
        if c == "\\" and i + 1 < n:
            out.append("\\3c " if piece[i + 1] == "<" else piece[i : i + 2])
            i += 2
        elif c == "<":
            out.append("\\3c ")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)
