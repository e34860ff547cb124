"""CSS text as tokens, the way a browser's tokenizer reads it (CSS Syntax Level 3, §4; pure).

Every token knows its span in the original text, so callers can rewrite some tokens and keep the rest
byte for byte. Names and values are decoded (escapes resolved, NUL read as U+FFFD): `\\75 rl(x)` and
`u\\72l(x)` are URL tokens with the value `x`, `\\40 import` is the at-keyword `import`, exactly as
Chromium reads them, so nothing escapes a reader that looks at values instead of spellings.
Runs of plain characters are matched with regular expressions for speed; the grammar is the spec's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, NamedTuple

Kind = Literal[
    "whitespace",
    "comment",
    "string",
    "bad-string",
    "url",
    "bad-url",
    "function",
    "ident",
    "at-keyword",
    "hash",
    "delim",
    "number",
    "percentage",
    "dimension",
    "cdo",
    "cdc",
    "colon",
    "semicolon",
    "comma",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
]

NEWLINES = "\n\r\f"
WHITESPACE = " \t\n\r\f"
_WHITESPACE_RUN = re.compile(r"[ \t\n\r\f]+")
_NAME_RUN = re.compile(r"[A-Za-z0-9_\-\x00\u0080-\U0010ffff]+")
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f]{1,6}")
_STRING_RUN = {'"': re.compile(r'[^"\\\n\r\f]+'), "'": re.compile(r"[^'\\\n\r\f]+")}
# Inside an unquoted url(): anything but the end, quotes, parentheses, whitespace, escapes and the
# non-printable code points (which make it a bad URL).
_URL_RUN = re.compile(r"[^)(\"'\\ \t\n\r\f\x01-\x08\x0b\x0e-\x1f\x7f]+")
_BAD_URL_RUN = re.compile(r"[^)\\]+")
_SINGLE: dict[str, Kind] = {
    "(": "(",
    ")": ")",
    "[": "[",
    "]": "]",
    "{": "{",
    "}": "}",
    ",": "comma",
    ":": "colon",
    ";": "semicolon",
}


class Token(NamedTuple):
    """One token: `text[start:end]` as written, and its decoded `value` (names, string and URL contents,
    a delimiter's character; empty for the rest)."""

    kind: Kind
    start: int
    end: int
    value: str = ""


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _is_name_start(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z") or c == "_" or c == "\x00" or c >= "\x80"


def _is_name_char(c: str) -> bool:
    return _is_name_start(c) or _is_digit(c) or c == "-"


class _Tokenizer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def at(self, i: int) -> str:
        return self.text[i] if 0 <= i < self.n else ""

    # ---- the spec's checks ----------------------------------------------------------------------

    def valid_escape(self, i: int) -> bool:
        """§4.3.8: a backslash at `i` not followed by a newline (at the end of the text it is valid)."""
        if self.at(i) != "\\":
            return False
        after = self.at(i + 1)
        return after == "" or after not in NEWLINES

    def whitespace_end(self, i: int) -> int:
        run = _WHITESPACE_RUN.match(self.text, i)
        return run.end() if run is not None else i

    def digits_end(self, i: int) -> int:
        run = _DIGITS.match(self.text, i)
        return run.end() if run is not None else i

    def starts_ident(self, i: int) -> bool:
        """§4.3.9: would an ident sequence start at `i`?"""
        c = self.at(i)
        if c == "-":
            c2 = self.at(i + 1)
            return (c2 != "" and (_is_name_start(c2) or c2 == "-")) or self.valid_escape(i + 1)
        if c != "" and _is_name_start(c):
            return True
        return c == "\\" and self.valid_escape(i)

    def starts_number(self, i: int) -> bool:
        """§4.3.10: would a number start at `i`?"""
        c = self.at(i)
        if c in ("+", "-"):
            c2 = self.at(i + 1)
            return (c2 != "" and _is_digit(c2)) or (c2 == "." and _is_digit(self.at(i + 2) or "x"))
        if c == ".":
            return _is_digit(self.at(i + 1) or "x")
        return c != "" and _is_digit(c)

    # ---- consuming ------------------------------------------------------------------------------

    def escape(self, i: int) -> tuple[str, int]:
        """§4.3.7: the character escaped by the backslash before `i`, and where it ends."""
        if i >= self.n:
            return "\ufffd", i
        found = _HEX.match(self.text, i)
        if found is None:
            c = self.text[i]
            return ("\ufffd" if c == "\x00" else c), i + 1
        code = int(found.group(), 16)
        j = found.end()
        if j < self.n and self.text[j] in WHITESPACE:
            j += 2 if self.text.startswith("\r\n", j) else 1
        if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            return "\ufffd", j
        return chr(code), j

    def name(self, i: int) -> tuple[str, int]:
        """§4.3.11: an ident sequence from `i`, decoded, and where it ends."""
        parts: list[str] = []
        while i < self.n:
            run = _NAME_RUN.match(self.text, i)
            if run is not None:
                parts.append(run.group())
                i = run.end()
            elif self.valid_escape(i):
                char, i = self.escape(i + 1)
                parts.append(char)
            else:
                break
        return "".join(parts).replace("\x00", "\ufffd"), i

    def string(self, i: int) -> Token:
        """§4.3.5: a string from its opening quote at `i`."""
        quote = self.text[i]
        run_of = _STRING_RUN[quote]
        parts: list[str] = []
        j = i + 1
        while True:
            run = run_of.match(self.text, j)
            if run is not None:
                parts.append(run.group())
                j = run.end()
            if j >= self.n:
                return Token("string", i, j, "".join(parts).replace("\x00", "\ufffd"))
            c = self.text[j]
            if c == quote:
                return Token("string", i, j + 1, "".join(parts).replace("\x00", "\ufffd"))
            if c in NEWLINES:
                return Token("bad-string", i, j)  # the newline is not consumed
            # A backslash: at the end nothing, before a newline a continuation, else an escape.
            if j + 1 >= self.n:
                j += 1
            elif self.text[j + 1] in NEWLINES:
                j += 3 if self.text.startswith("\r\n", j + 1) else 2
            else:
                char, j = self.escape(j + 1)
                parts.append(char)

    def numeric(self, i: int) -> Token:
        """§4.3.3: a number, percentage or dimension from `i`."""
        j = i + 1 if self.text[i] in "+-" else i
        j = self.digits_end(j)
        if self.at(j) == "." and _is_digit(self.at(j + 1) or "x"):
            j = self.digits_end(j + 1)
        if self.at(j) in ("e", "E"):
            k = j + 1
            if self.at(k) in ("+", "-"):
                k += 1
            if _is_digit(self.at(k) or "x"):
                j = self.digits_end(k)
        if self.starts_ident(j):
            unit, end = self.name(j)
            return Token("dimension", i, end, unit)
        if self.at(j) == "%":
            return Token("percentage", i, j + 1)
        return Token("number", i, j)

    def ident_like(self, i: int) -> Token:
        """§4.3.4: an ident, a function, or a URL token (`url(` without a quote after it)."""
        name, j = self.name(i)
        if self.at(j) != "(":
            return Token("ident", i, j, name)
        if name.lower() == "url" and self.at(self.whitespace_end(j + 1)) not in ('"', "'"):
            return self.url(i, j + 1)
        return Token("function", i, j + 1, name)

    def url(self, start: int, i: int) -> Token:
        """§4.3.6: the rest of a URL token whose contents start at `i`."""
        j = self.whitespace_end(i)
        parts: list[str] = []
        while True:
            run = _URL_RUN.match(self.text, j)
            if run is not None:
                parts.append(run.group())
                j = run.end()
            if j >= self.n:
                return Token("url", start, j, "".join(parts).replace("\x00", "\ufffd"))
            c = self.text[j]
            if c == ")":
                return Token("url", start, j + 1, "".join(parts).replace("\x00", "\ufffd"))
            if c in WHITESPACE:
                j = self.whitespace_end(j)
                if j >= self.n or self.text[j] == ")":
                    end = j + 1 if j < self.n else j
                    return Token("url", start, end, "".join(parts).replace("\x00", "\ufffd"))
                return self.bad_url(start, j)
            if c == "\\" and self.valid_escape(j):
                char, j = self.escape(j + 1)
                parts.append(char)
                continue
            return self.bad_url(start, j)  # a quote, a parenthesis, a non-printable, a bad escape

    def bad_url(self, start: int, j: int) -> Token:
        """§4.3.14: the remnants of a bad URL, up to its `)` (escaped ones do not end it)."""
        while j < self.n:
            run = _BAD_URL_RUN.match(self.text, j)
            if run is not None:
                j = run.end()
                continue
            if self.text[j] == ")":
                return Token("bad-url", start, j + 1)
            _, j = self.escape(j + 1) if self.valid_escape(j) else ("", j + 1)
        return Token("bad-url", start, self.n)

    def token(self, i: int) -> Token:
        """§4.3.1: the token starting at `i` (comments are tokens here, so spans cover the text)."""
        text, c = self.text, self.text[i]
        if c == "/" and text.startswith("*", i + 1):
            end = text.find("*/", i + 2)
            return Token("comment", i, self.n if end < 0 else end + 2)
        if c in WHITESPACE:
            return Token("whitespace", i, self.whitespace_end(i))
        if c in ('"', "'"):
            return self.string(i)
        single = _SINGLE.get(c)
        if single is not None:
            return Token(single, i, i + 1)
        if c == "#":
            if _is_name_char(self.at(i + 1) or "(") or self.valid_escape(i + 1):
                name, end = self.name(i + 1)
                return Token("hash", i, end, name)
            return Token("delim", i, i + 1, c)
        if c in "+.":
            return self.numeric(i) if self.starts_number(i) else Token("delim", i, i + 1, c)
        if c == "-":
            if self.starts_number(i):
                return self.numeric(i)
            if text.startswith("->", i + 1):
                return Token("cdc", i, i + 3)
            if self.starts_ident(i):
                return self.ident_like(i)
            return Token("delim", i, i + 1, c)
        if c == "<":
            return Token("cdo", i, i + 4) if text.startswith("!--", i + 1) else Token("delim", i, i + 1, c)
        if c == "@":
            if self.starts_ident(i + 1):
                name, end = self.name(i + 1)
                return Token("at-keyword", i, end, name)
            return Token("delim", i, i + 1, c)
        if c == "\\":
            return self.ident_like(i) if self.valid_escape(i) else Token("delim", i, i + 1, c)
        if _is_digit(c):
            return self.numeric(i)
        if _is_name_start(c):
            return self.ident_like(i)
        return Token("delim", i, i + 1, c)


# The common tokens in their plain spellings (no escape, no NUL, nothing the next character could
# change), matched in one step: tokenize() uses it where it matches and the spec's algorithm everywhere
# else, so the tokens are the same either way (tests/property/test_css_reading.py).
_NAME_START = r"A-Za-z_\u0080-\U0010ffff"
_NAME = r"A-Za-z0-9_\-\u0080-\U0010ffff"
_END_OF_NAME = rf"(?![{_NAME}\\\x00(])"
_NUMBER = r"(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_PLAIN = re.compile(
    rf"""
    (?P<whitespace>[ \t\n\r\f]+)
  | (?P<comment>/\*.*?\*/)
  | (?P<string>"[^"\\\n\r\f\x00]*"|'[^'\\\n\r\f\x00]*')
  | (?P<cdc>-->)
  | (?P<function>(?![uU][rR][lL]\()(?:--?)?[{_NAME_START}][{_NAME}]*\()
  | (?P<ident>(?:--?)?[{_NAME_START}][{_NAME}]*{_END_OF_NAME}|--[{_NAME}]*{_END_OF_NAME})
  | (?P<dimension>[+-]?(?>{_NUMBER})[{_NAME_START}][{_NAME}]*{_END_OF_NAME})
  | (?P<percentage>[+-]?(?>{_NUMBER})%)
  | (?P<number>[+-]?(?>{_NUMBER})(?![{_NAME}\\\x00%.]))
  | (?P<hash>\#[{_NAME}]+{_END_OF_NAME})
  | (?P<at>@[{_NAME_START}][{_NAME}]*{_END_OF_NAME})
  | (?P<single>[(){{}}\[\],:;])
  | (?P<delim>[*>~|=!$^&?%`]|/(?!\*)|\.(?![0-9])|\+(?![0-9.])|<(?!!--))
    """,
    re.X | re.S,
)


# A run of tokens that neither hold a URL nor open or close a block, matched in one step by readers that
# look for references only (reel.dom.css_urls): whitespace, comments, CDO/CDC, idents not followed by a
# parenthesis, numbers, hashes, delimiters, colons, semicolons and commas, in their plain spellings.
QUIET_RUN = re.compile(
    rf"""(?:
      [ \t\n\r\f]+ | /\*.*?\*/ | --> | <!--
    | (?:--?)?[{_NAME_START}][{_NAME}]*{_END_OF_NAME} | --[{_NAME}]*{_END_OF_NAME}
    | [+-]?(?>{_NUMBER})(?:[{_NAME_START}][{_NAME}]*{_END_OF_NAME}|%|(?![{_NAME}\\\x00%.]))
    | \#[{_NAME}]+{_END_OF_NAME}
    | [,:;*>~|=!$^&?%`] | /(?!\*) | \.(?![0-9]) | \+(?![0-9.]) | <(?!!--)
    )+""",
    re.X | re.S,
)


class Reader:
    """Reads the token at any position of a text (plain spellings in one regex step, the rest by the
    spec's algorithm)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self._spec = _Tokenizer(text)

    def at(self, i: int) -> Token:
        """The token starting at `i` (`i` inside the text)."""
        text = self.text
        found = _PLAIN.match(text, i)
        if found is None:
            return self._spec.token(i)
        group = found.lastgroup
        end = found.end()
        if group == "ident":
            return Token("ident", i, end, text[i:end])
        if group == "function":
            return Token("function", i, end, text[i : end - 1])
        if group == "string":
            return Token("string", i, end, text[i + 1 : end - 1])
        if group == "dimension":
            number = _SIGNED_NUMBER.match(text, i, end)
            return Token("dimension", i, end, text[number.end() if number else i : end])
        if group == "hash":
            return Token("hash", i, end, text[i + 1 : end])
        if group == "at":
            return Token("at-keyword", i, end, text[i + 1 : end])
        if group == "single":
            return Token(_SINGLE[text[i]], i, end)
        if group == "delim":
            return Token("delim", i, end, text[i])
        return Token(group, i, end)  # type: ignore[arg-type]  # whitespace, comment, cdc, number, percentage


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of `text`, comments and whitespace included, covering it end to end."""
    reader = Reader(text)
    i = 0
    while i < reader.n:
        token = reader.at(i)
        yield token
        i = token.end


_SIGNED_NUMBER = re.compile(rf"[+-]?(?>{_NUMBER})")
