"""Detectors: e-mail addresses, card numbers (Luhn), phone numbers and IBANs (mod 97) inside text (pure).

Each match is masked like text. Masking a match changes what is around the next one (a card number
masked out of a longer digit run leaves digits that now stand alone), so detectors run until nothing
changes: the result is a fixed point, and masking twice equals masking once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from reel.replay.masking.text import mask_text

Span = tuple[int, int]

# ASCII classes, as JavaScript's \d and \w: the recorder runs the same patterns.
_EMAIL = re.compile(r"[\w.%+-]+@[A-Za-z\d-]+(?:\.[A-Za-z\d-]+)+", re.ASCII)
# A run of digits with single spaces or dashes between them; card numbers are looked for inside it.
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,}", re.ASCII)
_GROUP = re.compile(r"\d+", re.ASCII)
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[ .()-]{0,3}\d){8,14}(?![ .()-]?\d)", re.ASCII)
_IBAN_START = re.compile(r"(?<![A-Za-z\d])[A-Za-z]{2}\d\d", re.ASCII)
_HAS_DIGIT = re.compile(r"\d", re.ASCII)
CARD_MIN, CARD_MAX = 13, 19
IBAN_MIN, IBAN_MAX = 15, 34


def luhn(digits: str) -> bool:
    """The Luhn checksum of a string of digits."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mod97(iban: str) -> bool:
    """The IBAN check: country and check digits moved to the end, letters as 10-35, remainder 1."""
    text = iban.upper()
    remainder = 0
    for c in text[4:] + text[:4]:
        value = int(c, 36)
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder == 1


def _emails(text: str) -> Iterable[Span]:
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield m.span()


def _cards(text: str) -> Iterable[Span]:
    for run in _DIGIT_RUN.finditer(text):
        # A card number starts and ends at the edges of the run's groups (digits between separators):
        # "4111 1111 1111 1111" is one candidate, and a group before it ("ref 12 4111 ...") hides nothing.
        digits_of = run.group()
        groups = [(m.start(), m.end()) for m in _GROUP.finditer(digits_of)]
        base = run.start()
        i = 0
        while i < len(groups):
            candidates: list[tuple[int, str]] = []
            digits = ""
            for j in range(i, len(groups)):
                digits += digits_of[groups[j][0] : groups[j][1]]
                if len(digits) > CARD_MAX:
                    break
                if len(digits) >= CARD_MIN:
                    candidates.append((j, digits))
            hit = next((j for j, candidate in reversed(candidates) if luhn(candidate)), None)  # longest first
            if hit is None:
                i += 1
                continue
            yield base + groups[i][0], base + groups[hit][1]
            i = hit + 1


def _phones(text: str) -> Iterable[Span]:
    for m in _PHONE.finditer(text):
        yield m.span()


def _alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _ibans(text: str) -> Iterable[Span]:
    for start in _IBAN_START.finditer(text):
        # The country code and check digits, then letters or digits with single spaces between them;
        # the longest prefix that passes the check counts (words may follow an IBAN).
        at = [start.start() + i for i in range(4)]
        pos = start.end()
        while len(at) < IBAN_MAX and pos < len(text):
            if text[pos] == " " and pos + 1 < len(text) and _alnum(text[pos + 1]):
                pos += 1
            elif not _alnum(text[pos]):
                break
            at.append(pos)
            pos += 1
        chars = "".join(text[i] for i in at)
        for count in range(len(at), IBAN_MIN - 1, -1):
            if mod97(chars[:count]):
                yield start.start(), at[count - 1] + 1
                break


_FINDERS: dict[str, Callable[[str], Iterable[Span]]] = {
    "email": _emails,
    "card": _cards,
    "phone": _phones,
    "iban": _ibans,
}


def _spans(text: str, names: tuple[str, ...]) -> list[Span]:
    spans: list[Span] = []
    for name in names:
        spans.extend(_FINDERS[name](text))
    return spans


def mask_detected(text: str, names: tuple[str, ...]) -> str:
    """`text` with every match of the named detectors masked, repeated until nothing changes."""
    if not names or (len(text) < 9 and "@" not in text):
        return text  # every detector needs an @ or at least 9 characters
    if "@" not in text and _HAS_DIGIT.search(text) is None:
        return text
    # Terminates: each round turns at least one digit or @ into a star.
    while True:
        spans = _spans(text, names)
        if not spans:
            return text
        text = _replace(text, spans)


def has_detected(text: str, names: tuple[str, ...]) -> bool:
    """True if any named detector finds something in `text`."""
    return mask_detected(text, names) != text


def _replace(text: str, spans: list[Span]) -> str:
    """`text` with the spans (merged where they overlap) masked."""
    spans.sort()
    out: list[str] = []
    pos = 0
    start, end = spans[0]
    for s, e in spans[1:]:
        if s < end:
            end = max(end, e)
            continue
        out.append(text[pos:start])
        out.append(mask_text(text[start:end]))
        pos = end
        start, end = s, e
    out.append(text[pos:start])
    out.append(mask_text(text[start:end]))
    out.append(text[end:])
    return "".join(out)
