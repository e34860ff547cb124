"""CSS: the strings of declarations masked like text, and `url()`s through the URL rules (pure).

A page can put its data in any CSS string: `content: "…"`, a custom property (`--name: '…'`) that a
`content: var(--name)` shows, `quotes`, a list marker. So every string in a declaration's value is
masked, except where strings name things rather than show text (font families, grid areas, font
features: masking those would break the page's layout and fonts, not hide data). Strings outside
declarations (selectors such as `[type="text"]`, `@import`, `@charset`) stay: they are the page's code.
The recorder (web/src/recorder/mask.ts) does the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reel.domain.rules import UrlPolicy
from reel.replay.masking.urls import mask_css_urls

KEPT_PROPERTIES = frozenset(
    {
        "font",
        "font-family",
        "font-feature-settings",
        "font-variation-settings",
        "src",
        "grid",
        "grid-template",
        "grid-template-areas",
        "syntax",
    }
)
"""Properties whose strings name fonts, grid areas, font features or a custom property's syntax."""

# One token at a time, in the order CSS reads them, each character looked at once: a comment, an escaped
# character, a string (up to its closing quote, or cut by a newline or the end, as a browser reads one at
# the end of a sheet), a url() whose argument belongs to the URL rules, a block or declaration end, or a
# whole name (with the colon that makes it a property's). The recorder uses the same pattern.
_TOKEN = re.compile(
    r"""/\*.*?(?:\*/|\Z)
    |\\.
    |(["'])((?:(?!\1)[^\\\n]|\\.)*)\1?
    |url\([ \t\n\r\f]*(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|[^)]*)
    |[{};]
    |(--[\w-]*|-?[A-Za-z_][\w-]*)([ \t\n\r\f]*:)?""",
    re.S | re.X | re.I | re.ASCII,
)


def mask_css_strings(css: str, treat: Callable[[str], str], prop: str | None = None) -> str:
    """`css` (a style sheet or a declaration list; the value of `prop` when given) with the body of every
    string in a declaration value, but those of KEPT_PROPERTIES, replaced by `treat(body)`.

    A "declaration" followed by `{` was a selector (`a:not([title="x"]) {`): its strings stay.
    """
    if '"' not in css and "'" not in css:
        return css  # the common case of a style attribute: nothing to look at
    fixed = prop is not None
    name = prop.strip().lower() if prop is not None else None
    at_start = True  # where a declaration may begin: the start, after `{`, `;` or `}`
    pending: list[tuple[int, int]] = []  # strings of the current value, masked once it ends as one
    masked: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(css):
        piece = m.group()
        if m.group(1) is not None:  # a string
            if name is not None and name not in KEPT_PROPERTIES:
                pending.append(m.span(2))
            at_start = False
        elif m.group(3) is not None:  # a name, and a property's if a colon follows
            if at_start and not fixed and m.group(4) is not None:
                name = m.group(3).lower()
            at_start = False
        elif piece in ("{", ";", "}") and not fixed:
            if piece != "{":
                masked += pending
            pending = []
            name = None
            at_start = True
    masked += pending
    if not masked:
        return css
    out: list[str] = []
    pos = 0
    for start, end in masked:
        out.append(css[pos:start])
        out.append(treat(css[start:end]))
        pos = end
    out.append(css[pos:])
    return "".join(out)


def mask_css(css: str, treat: Callable[[str], str], urls: UrlPolicy, prop: str | None = None) -> str:
    """Style sheet or style attribute text (or the value of `prop`): declaration strings through
    `treat`, then every `url()` through the URL rules."""
    return mask_css_urls(mask_css_strings(css, treat, prop), urls)
