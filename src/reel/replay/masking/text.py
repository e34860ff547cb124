"""How masked text is written: stars by a power of two of the length, whitespace around kept (pure).

Same-length masks leak lengths (brief §6), so the star count is the length rounded up to a power of two
(at least 4, at most 2048); a space after every 8 stars lets masked paragraphs wrap. Text made only of
stars and whitespace counts as masked already, which makes every masking step idempotent.
"""

from __future__ import annotations

import re

MIN_STARS = 4
MAX_STARS = 2048
GROUP = 8
# JavaScript's String.prototype.trim() set, so the recorder and the server keep the same whitespace.
WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_MASKED_CHARS = "*" + WHITESPACE
_ERROR_NAME = re.compile(r"(?:[A-Z][\w$]*)?Error: ?")
_WHITESPACE_SET = frozenset(WHITESPACE)


def star_count(length: int) -> int:
    """`length` rounded up to a power of two, between MIN_STARS and MAX_STARS."""
    if length <= MIN_STARS:
        return MIN_STARS
    return min(1 << (length - 1).bit_length(), MAX_STARS)


def stars(count: int) -> str:
    """`count` stars with a space after every GROUP of them."""
    full, rest = divmod(count, GROUP)
    return " ".join(["*" * GROUP] * full + (["*" * rest] if rest else []))


BY_LENGTH = [stars(star_count(n)) for n in range(MAX_STARS + 1)]
"""The masked form of every length (longer texts get MAX_STARS), built once: masking is a lookup."""


def js_length(text: str) -> int:
    """The length JavaScript sees (UTF-16 code units), so both sides pick the same star count."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def is_masked(text: str) -> bool:
    """True for text made only of stars and whitespace (the empty string included)."""
    return not text.strip(_MASKED_CHARS)


def mask_text(text: str) -> str:
    """`text` as stars (see the module docstring); leading and trailing whitespace kept."""
    if not text:
        return text
    if text[0] in _WHITESPACE_SET or text[-1] in _WHITESPACE_SET:
        return _mask_padded(text)
    if "*" in text and not text.strip(_MASKED_CHARS):
        return text
    length = len(text) if text.isascii() else js_length(text)
    return BY_LENGTH[length if length <= MAX_STARS else MAX_STARS]


def _mask_padded(text: str) -> str:
    core = text.strip(WHITESPACE)
    if not core.strip(_MASKED_CHARS):
        return text
    lead = len(text) - len(text.lstrip(WHITESPACE))
    return text[:lead] + mask_text(core) + text[lead + len(core) :]


def mask_message(message: str, masked: bool) -> str:
    """An error or console message: masked except a leading `SomethingError:`; as is when not `masked`."""
    if not masked:
        return message
    name = _ERROR_NAME.match(message)
    if name is None:
        return mask_text(message)
    return message[: name.end()] + mask_text(message[name.end() :])
