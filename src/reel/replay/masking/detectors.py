"""Detectors: e-mail addresses, card numbers (Luhn), phone numbers and IBANs (mod 97) inside text (pure).

docs/contracts/masking-rules.md says exactly what each finds; the recorder (web/src/recorder/detect.ts)
finds the same, and tests/vectors/detectors.json holds both to it. Every detector looks at the text once,
in time linear in its length (texts of up to MAX_SCANNED characters; longer ones are masked whole), and
their matches are masked together. A `*` next to a would-be match blocks it as a letter or a digit
would, so what masking leaves can never become a new match: masking twice equals masking once.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from itertools import accumulate

from reel.replay.masking.text import js_length, mask_text

Span = tuple[int, int]
MAX_SCANNED = 65_536
"""Longest text the detectors look into, in UTF-16 code units (as the recorder counts) other than `*`
and spaces (what masking writes, so masking never pushes a text over it); a longer one that could hold
a match (it has a digit or an @) is masked whole: never shown unscanned."""
LOCAL_MAX = 64  # the longest local part (RFC 5321): characters before an @ looked at
CARD_MIN, CARD_MAX = 13, 19
PHONE_MIN = 9
IBAN_MIN, IBAN_MAX = 15, 34

# ASCII classes, as JavaScript's \d and \w. Each pattern runs in linear time: no start position is
# scanned again, except within runs too short to match (bounded by the minimum they need).
_DOMAIN = re.compile(r"@[A-Za-z\d-]+(?:\.[A-Za-z\d-]+)+", re.ASCII)
_LOCAL = re.compile(r"[\w.%+-]*", re.ASCII)
_PHONE_RUN = re.compile(r"\d(?:[ .()-]{0,3}\d){8,}", re.ASCII)  # PHONE_MIN digits or more
_FIRST_GROUP = re.compile(r"\d+\D+", re.ASCII)
_CARD_RUN = re.compile(r"\d(?:[ -]?\d){12,}", re.ASCII)  # CARD_MIN digits or more
_GROUP = re.compile(r"\d+", re.ASCII)
_IBAN_START = re.compile(r"(?<![A-Za-z\d*])[A-Za-z]{2}\d\d", re.ASCII)
_IBAN_EXTENT = re.compile(r"[A-Za-z]{2}\d\d(?: ?[A-Za-z\d]){0,30}", re.ASCII)  # IBAN_MAX in all
# The body's remainder after one more character (letters count as two digits, 10-35), by character.
_IBAN_NEXT = {
    c: tuple((r * (100 if int(c, 36) > 9 else 10) + int(c, 36)) % 97 for r in range(97))
    for c in string.digits + string.ascii_letters
}
_HAS_DIGIT = re.compile(r"\d", re.ASCII)
_PHONE_BLOCKERS = frozenset(string.ascii_letters + string.digits + "_+*")
_SEPARATORS = " .()-"
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled by Luhn, 9 subtracted past 9


def luhn(digits: str) -> bool:
    """The Luhn checksum of a string of digits."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        total += _DOUBLED[ord(c) - 48] if i % 2 else ord(c) - 48
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
    # From each @ that has a domain after it, back over at most LOCAL_MAX local-part characters: every
    # character is looked at by the @ before it and the @ after it at most.
    for m in _DOMAIN.finditer(text):
        at = m.start()
        local = _LOCAL.match(text[max(0, at - LOCAL_MAX) : at][::-1])
        if local is not None and local.end():
            yield at - local.end(), m.end()


def _phones(text: str) -> Iterable[Span]:
    # Maximal runs only, masked whole: a run is never cut into pieces that stand alone afterwards.
    for m in _PHONE_RUN.finditer(text):
        start, end = m.span()
        edge = start
        if edge and text[edge - 1] == "(":
            edge -= 1
        if edge and text[edge - 1] == "+":
            edge -= 1
        if edge and text[edge - 1] in _PHONE_BLOCKERS:
            # Glued to a word (or a mask) on the left: that first group is not part of the number.
            first = _FIRST_GROUP.match(text, start, end)
            if first is None:
                continue
            start = first.end()
            rest = text[start:end]
            if len(rest) - sum(rest.count(c) for c in _SEPARATORS) < PHONE_MIN:
                continue
            edge = start
        yield edge, end


def _cards(text: str) -> Iterable[Span]:
    for run in _CARD_RUN.finditer(text):
        groups = [g.span() for g in _GROUP.finditer(text, run.start(), run.end())]
        if text[run.start() - 1 : run.start()] == "*":
            groups.pop(0)  # a group a mask cut into is no group of its own
        if text[run.end() : run.end() + 1] == "*":
            groups.pop()
        yield from _cards_in(text, groups)


def _cards_in(text: str, groups: list[Span]) -> Iterable[Span]:
    """Card numbers made of whole groups, from the left, the longest first at each start."""
    digits = [ord(c) - 48 for start, end in groups for c in text[start:end]]
    # Luhn doubles every second digit from the right. With prefix sums of the digits with the odd-indexed
    # ones doubled (`odd`) or the even-indexed ones (`even`), digits first..last pass when the sums of
    # the parity that fits `last` agree mod 10 at both ends. Each group end gets a code (its parity and
    # its sum mod 10), so a start's longest candidate is the last matching code in a window: O(1) in C.
    odd = digits[:]
    odd[1::2] = [_DOUBLED[d] for d in digits[1::2]]
    even = digits[:]
    even[0::2] = [_DOUBLED[d] for d in digits[0::2]]
    odd_sum = [0, *accumulate(odd)]
    even_sum = [0, *accumulate(even)]
    ends = list(accumulate(end - start for start, end in groups))  # digits up to each group's end
    codes = bytes(10 + odd_sum[last] % 10 if last % 2 else even_sum[last] % 10 for last in ends)
    rfind = codes.rfind
    # The longest candidate of every start at once (a comprehension: this is the hot loop), then the
    # starts taken from the left, each after the last one's end.
    hits = [
        max(rfind(10 + odd_sum[first] % 10, lo, hi), rfind(even_sum[first] % 10, lo, hi))
        for first in [0, *ends[:-1]]
        for lo, hi in ((bisect_left(ends, first + CARD_MIN), bisect_right(ends, first + CARD_MAX)),)
    ]
    after = 0
    for i in (i for i, hit in enumerate(hits) if hit >= 0):
        if i >= after:
            yield groups[i][0], groups[hits[i]][1]
            after = hits[i] + 1


def _ibans(text: str) -> Iterable[Span]:
    for m in _IBAN_START.finditer(text):
        # Country code and check digits, then letters or digits with single spaces between them, up to
        # IBAN_MAX; the longest prefix of at least IBAN_MIN passing mod 97 counts (words may follow).
        # The check of a prefix is (its body mod 97) * 10^6 + (the first four: 6 decimal digits) = 1
        # (mod 97), so the body's remainder is kept as characters are added and compared to a target.
        start = m.start()
        extent = _IBAN_EXTENT.match(text, start)
        chars = extent.group() if extent is not None else ""
        if len(chars) < IBAN_MIN:
            continue
        first = 0
        for c in chars[:4]:
            first = _IBAN_NEXT[c][first]
        target = (1 - first) * 18 % 97  # 18 = 1 / 10^6 (mod 97)
        remainder = count = best = 0
        for i, c in enumerate(chars[4:], 5):
            if c != " ":
                remainder = _IBAN_NEXT[c][remainder]
                count += 1
                if remainder == target and count > IBAN_MIN - 5:
                    best = i
        if best:
            yield start, start + best


_FINDERS: dict[str, Callable[[str], Iterable[Span]]] = {
    "email": _emails,
    "card": _cards,
    "phone": _phones,
    "iban": _ibans,
}


def mask_detected(text: str, names: tuple[str, ...]) -> str:
    """`text` with every match of the named detectors masked; over MAX_SCANNED, all of it masked."""
    if not names or (len(text) < PHONE_MIN and "@" not in text):
        return text  # every detector needs an @ or at least 9 characters
    if "@" not in text and _HAS_DIGIT.search(text) is None:
        return text
    if len(text) > MAX_SCANNED // 2 and js_length(text) - text.count("*") - text.count(" ") > MAX_SCANNED:
        return mask_text(text)
    spans: list[Span] = []
    for name in names:
        spans.extend(_FINDERS[name](text))
    return _replace(text, spans) if spans else text


def has_detected(text: str, names: tuple[str, ...]) -> bool:
    """True if any named detector finds something in `text` (or it is too long to look into)."""
    return mask_detected(text, names) != text


def _replace(text: str, spans: list[Span]) -> str:
    """`text` with the spans (merged where they overlap or touch) masked."""
    spans.sort()
    out: list[str] = []
    pos = 0
    start, end = spans[0]
    for s, e in spans[1:]:
        if s <= end:
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
