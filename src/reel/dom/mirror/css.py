"""A small CSS splitter: top-level rules, rule blocks and declarations, enough to replay CSSOM edits.

It is not a CSS parser. It splits text the way a browser would find rule and declaration boundaries
(strings, comments, escapes, parentheses and braces respected) and it is stable: every text it returns
splits again into itself, so a sheet serialised into a snapshot and read back behaves the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# One piece per match: 1 comment, 2 string (3/4 its closing quote or ""), 5 brace, 6 semicolon,
# 7 parenthesis, 8 anything else (a run of plain text, an escape, a lone slash).
_TOKEN = re.compile(
    r"(/\*.*?(?:\*/|\Z))"
    r"|(\"(?:[^\"\\]|\\.)*(\"?)|'(?:[^'\\]|\\.)*('?))"
    r"|([{}])"
    r"|(;)"
    r"|([()])"
    r"|(\\.|[^{};\"'\\/()]+|/)",
    re.S,
)
_COMMENT, _STRING, _BRACE, _SEMI, _PAREN = 1, 2, 5, 6, 7
_IMPORTANT = re.compile(r"!\s*important\s*$", re.I)
_PLAIN = re.compile(r"[^;{}\"'\\/!]*")
_PROPERTY = re.compile(r"-{0,2}[A-Za-z_][A-Za-z0-9_-]*|--[A-Za-z0-9_-]*")
# At-rules whose block holds rules (CSSGroupingRule and kin), as opposed to declarations.
_GROUPING = frozenset(
    {
        "media",
        "supports",
        "document",
        "-moz-document",
        "layer",
        "container",
        "scope",
        "starting-style",
        "keyframes",
        "-webkit-keyframes",
        "-moz-keyframes",
    }
)

Declaration = tuple[str, str, bool]
"""A declaration: property, value, whether it is !important."""


def _drop_dangling_escape(text: str) -> str:
    # A backslash at the very end would escape whatever closer we append; it means nothing anyway.
    stripped = text.rstrip("\\")
    if (len(text) - len(stripped)) % 2:
        return text[:-1]
    return text


def _close(parts: list[str], braces: int, parens: int) -> str:
    text = "".join(parts).rstrip()
    if parens:
        text += ")" * parens
    if braces:
        return text + "}" * braces
    if not text.endswith((";", "}")):
        text += ";"
    return text


def _pieces(text: str) -> Iterator[tuple[int | None, str, int]]:
    """The pieces of `text` as both splitters read them: (kind, text, parentheses open after it), strings
    closed, stray `)` dropped."""
    parens = 0
    for match in _TOKEN.finditer(_drop_dangling_escape(text)):
        kind = match.lastindex
        piece = match.group()
        if kind == _STRING and not (match.group(3) or match.group(4)):
            piece += piece[0]
        elif kind == _PAREN:
            if piece == "(":
                parens += 1
            elif parens:
                parens -= 1
            else:
                continue
        yield kind, piece, parens


def split_rules(text: str) -> list[str]:
    """The top-level rules of a style sheet text, each closed and without comments."""
    rules: list[str] = []
    parts: list[str] = []
    braces = parens = 0
    for kind, piece, parens in _pieces(text):
        if kind == _COMMENT:
            if parts:
                parts.append(" ")
            continue
        if not parts:
            if kind == _SEMI or piece == "}" or piece.isspace():
                continue
            piece = piece.lstrip()
        if kind == _PAREN or parens:
            pass
        elif kind == _BRACE:
            if piece == "{":
                braces += 1
            else:
                braces -= 1
                if braces <= 0:
                    parts.append(piece)
                    rules.append("".join(parts))
                    parts, braces = [], 0
                    continue
        elif kind == _SEMI and braces == 0:
            parts.append(piece)
            rules.append("".join(parts))
            parts = []
            continue
        parts.append(piece)
    if parts:
        closed = _close(parts, braces, parens)
        if closed.strip(" ;"):
            rules.append(closed)
    return rules


def split_block(rule: str) -> tuple[str, str] | None:
    """A rule's prelude and the text inside its outer braces; None for a statement such as @import."""
    parens = 0
    for match in _TOKEN.finditer(rule):
        kind = match.lastindex
        if kind == _PAREN:
            parens = parens + 1 if match.group() == "(" else max(parens - 1, 0)
        elif kind == _BRACE and not parens and match.group() == "{":
            if not rule.endswith("}"):
                return None
            return rule[: match.start()].strip(), rule[match.end() : -1]
    return None


def is_grouping(prelude: str) -> bool:
    """Whether a rule with this prelude holds rules (e.g. @media) rather than declarations."""
    if not prelude.startswith("@"):
        return False
    name = prelude[1:].split(None, 1)[0] if len(prelude) > 1 else ""
    return name.split("(", 1)[0].lower() in _GROUPING


def split_items(body: str) -> list[str]:
    """The `;`-separated items of a declaration block, comments removed, nested blocks kept whole."""
    items: list[str] = []
    parts: list[str] = []
    braces = parens = 0
    for kind, piece, parens in _pieces(body):
        if kind == _COMMENT:
            parts.append(" ")
            continue
        if kind == _BRACE and not parens:
            if piece == "{":
                braces += 1
            elif braces:
                braces -= 1
                if not braces:
                    parts.append(piece)
                    items.append("".join(parts).strip())
                    parts = []
                    continue
            else:
                continue
        elif kind == _SEMI and not braces and not parens:
            item = "".join(parts).strip()
            if item:
                items.append(item)
            parts = []
            continue
        parts.append(piece)
    if parts:
        item = _close(parts, braces, parens).rstrip(";").strip() if braces or parens else "".join(parts)
        if item.strip():
            items.append(item.strip())
    return items


def parse_declaration(item: str) -> Declaration | None:
    """`prop: value !important` as a declaration; None for anything else (e.g. a nested rule)."""
    if "{" in item:
        return None
    name, colon, value = item.partition(":")
    name = name.strip()
    if not colon or not _PROPERTY.fullmatch(name):
        return None
    value = value.strip()
    important = _IMPORTANT.search(value)
    if important:
        value = value[: important.start()].rstrip()
    return name, value, important is not None


def parse_declarations(body: str) -> list[Declaration | str]:
    """The items of a declaration block: declarations, and any other item kept as raw text."""
    out: list[Declaration | str] = []
    for item in split_items(body):
        declaration = parse_declaration(item)
        out.append(item if declaration is None else declaration)
    return out


def is_valid_property(name: str) -> bool:
    """Whether a property name can be written into a declaration block and read back unchanged."""
    return _PROPERTY.fullmatch(name) is not None


def is_valid_value(value: str) -> bool:
    """Whether a value written after `prop:` reads back as the same value (no `;`, braces, open strings)."""
    if _PLAIN.fullmatch(value):  # the common case, decided without tokenizing: only parens to check
        if "(" not in value and ")" not in value:
            return True
        depth = 0
        for char in value:
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth < 0:
                    return False
        return depth == 0
    if _IMPORTANT.search(value):
        return False
    items = split_items(f"x: {value}")
    return len(items) == 1 and parse_declaration(items[0]) == ("x", value.strip(), False)


def property_key(name: str) -> str:
    """How properties compare: custom properties case-sensitively, the rest ASCII-case-insensitively."""
    return name if name.startswith("--") else name.lower()


def format_declarations(items: list[Declaration | str]) -> str:
    """A declaration block as a browser serialises it: `a: b; c: d !important;`."""
    parts: list[str] = []
    for item in items:
        if isinstance(item, str):
            # Raw items (nested rules, unparsable text) get a `;` too: a stray `;` after a block is
            # harmless, and it keeps an item ending in an escaped brace from swallowing the next one.
            parts.append(item + ";")
        else:
            name, value, important = item
            parts.append(f"{name}: {value} !important;" if important else f"{name}: {value};")
    return " ".join(parts)


def set_declaration(items: list[Declaration | str], name: str, value: str, important: bool) -> None:
    """setProperty: replace the declaration of `name` in place, or add it after the last declaration."""
    key = property_key(name)
    last = -1
    for i, item in enumerate(items):
        if isinstance(item, tuple):
            last = i
            if property_key(item[0]) == key:
                items[i] = (item[0], value, important)
                for j in range(len(items) - 1, i, -1):
                    other = items[j]
                    if isinstance(other, tuple) and property_key(other[0]) == key:
                        del items[j]
                return
    items.insert(last + 1, (name, value, important))


def remove_declaration(items: list[Declaration | str], name: str) -> None:
    """removeProperty: drop every declaration of `name`."""
    key = property_key(name)
    items[:] = [i for i in items if not (isinstance(i, tuple) and property_key(i[0]) == key)]
