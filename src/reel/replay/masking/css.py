"""CSS: the strings of `content:` declarations masked like text, and `url()`s through the URL rules (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable

from reel.domain.rules import UrlPolicy
from reel.replay.masking.urls import mask_css_urls

# `content:` as a property (not `align-content`, not `--content`); a selector such as `.content:hover`
# matches too, and its "value" then ends at once at `{`.
_CONTENT = re.compile(r"(?<![\w-])content\s*:", re.I | re.ASCII)
_STOPS = frozenset(";{}")


def mask_content_strings(css: str, treat: Callable[[str], str]) -> str:
    """`css` with the body of every string in a `content:` value replaced by `treat(body)`.

    An unterminated string runs to the end of the line or of the text, as a browser reads one at the
    end of a sheet; masking it anyway is the safe side.
    """
    if "content" not in css.lower() or _CONTENT.search(css) is None:
        return css  # the substring test first: far faster than the pattern on long style sheets
    out: list[str] = []
    emitted = 0  # css[:emitted] is in `out`
    scanned = 0  # values are scanned up to here
    n = len(css)
    for m in _CONTENT.finditer(css):
        if m.start() < scanned:
            continue  # "content:" inside a value already scanned
        i = m.end()
        while i < n and css[i] not in _STOPS:
            quote = css[i]
            if quote != '"' and quote != "'":
                i += 1
                continue
            j = i + 1
            while j < n and css[j] != quote and css[j] != "\n":
                j += 2 if css[j] == "\\" else 1
            j = min(j, n)
            out.append(css[emitted : i + 1])
            out.append(treat(css[i + 1 : j]))
            emitted = j
            i = j + 1
        scanned = i
    out.append(css[emitted:])
    return "".join(out)


def mask_css(css: str, treat: Callable[[str], str], urls: UrlPolicy) -> str:
    """Style sheet or style attribute text: `content:` strings through `treat`, then every `url()`."""
    return mask_css_urls(mask_content_strings(css, treat), urls)
