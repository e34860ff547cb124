"""The CSS selector subset masking rules use: parsing, and matching against mirrored DOM nodes (pure).

Type, `*`, `#id`, `.class`, `[attr]`, `[attr=v]`, `[attr^=v]`, `[attr$=v]`, `[attr*=v]`, the descendant
(` `) and child (`>`) combinators, and `,` lists. Anything else is refused with its position, never
ignored. Combinators look at ancestors within the node's own document or shadow tree, as `Element.closest`
does; matching is a loop over ancestors (no recursion), tracking which compounds can still match, so it
is linear in depth times compounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from reel.dom.types import ELEMENT

MAX_SELECTOR_CHARS = 2000
MAX_ANCESTORS = 500
"""Ancestors looked at for a combinator; deeper trees are only ever forged (see `matches`)."""


class SelectorError(ValueError):
    """A selector outside the supported subset, or malformed; says what and where."""


class SelectorNode(Protocol):
    """What matching reads of a node (`reel.dom.mirror.nodes.Node` has it)."""

    @property
    def kind(self) -> int: ...
    @property
    def tag(self) -> str: ...
    @property
    def attrs(self) -> Mapping[str, object]: ...
    @property
    def parent(self) -> SelectorNode | None: ...
    @property
    def extra(self) -> Mapping[str, object] | None: ...


@dataclass(frozen=True)
class AttrTest:
    """`[name]` (op "") or `[name<op>value]`."""

    name: str
    op: str
    value: str

    def passes(self, attrs: Mapping[str, object]) -> bool:
        """True if the attributes pass this test."""
        found = attrs.get(self.name)
        if found is None or found is False:
            return False
        if not self.op:
            return True
        if not isinstance(found, str):
            return False
        value, op = self.value, self.op
        if op == "=":
            return found == value
        if not value:
            return False  # CSS: ^=, $= and *= with an empty value match nothing
        if op == "^=":
            return found.startswith(value)
        if op == "$=":
            return found.endswith(value)
        return value in found


@dataclass(frozen=True)
class Compound:
    """One compound selector: an optional tag, ids, classes and attribute tests (all must hold)."""

    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    tests: tuple[AttrTest, ...]

    def match(self, node: SelectorNode) -> bool:
        """True if `node` is an element this compound selects."""
        if node.kind != ELEMENT:
            return False
        if self.tag is not None and node.tag != self.tag and node.tag.lower() != self.tag:
            return False
        attrs = node.attrs
        for wanted in self.ids:
            if attrs.get("id") != wanted:
                return False
        if self.classes:
            raw = attrs.get("class")
            present = raw.split() if isinstance(raw, str) else ()
            if any(c not in present for c in self.classes):
                return False
        return all(t.passes(attrs) for t in self.tests)


@dataclass(frozen=True)
class Complex:
    """Compounds left to right, with the combinator (" " or ">") before each but the first."""

    compounds: tuple[Compound, ...]
    combinators: tuple[str, ...]


@dataclass(frozen=True)
class SelectorList:
    """A parsed `,` list, with the text it came from."""

    source: str
    selectors: tuple[Complex, ...]

    def tests(self) -> list[AttrTest]:
        """Every attribute test in the list."""
        return [t for s in self.selectors for c in s.compounds for t in c.tests]


def _up(node: SelectorNode) -> SelectorNode | None:
    """The parent within the same tree: none above a shadow root's child or a document."""
    extra = node.extra
    if extra is not None and extra.get("isShadow") is True:
        return None
    parent = node.parent
    return parent if parent is not None and parent.kind == ELEMENT else None


def matches(selector: Complex, node: SelectorNode, *, beyond: bool = False) -> bool:
    """True if `node` matches `selector`.

    Past MAX_ANCESTORS ancestors the walk stops and answers `beyond`: callers pass True for mask and
    block rules (the safe side) and False for unmask rules.
    """
    compounds, combinators = selector.compounds, selector.combinators
    last = len(compounds) - 1
    if not compounds[last].match(node):
        return False
    if last == 0:
        return True
    # An NFA over the ancestor chain: `child` holds compounds that must match the very next ancestor,
    # `anywhere` those that may match any ancestor further up.
    child: set[int] = set()
    anywhere: set[int] = set()
    (child if combinators[last - 1] == ">" else anywhere).add(last - 1)
    current = _up(node)
    steps = 0
    while current is not None and (child or anywhere):
        steps += 1
        if steps > MAX_ANCESTORS:
            return beyond
        next_child: set[int] = set()
        for i in child | anywhere:
            if compounds[i].match(current):
                if i == 0:
                    return True
                (next_child if combinators[i - 1] == ">" else anywhere).add(i - 1)
        child = next_child
        current = _up(current)
    return False


def matches_any(selectors: tuple[Complex, ...], node: SelectorNode, *, beyond: bool = False) -> bool:
    """True if `node` matches one of `selectors`."""
    return any(matches(s, node, beyond=beyond) for s in selectors)


# --- parsing ---------------------------------------------------------------------------------------------

_SPACE = " \t\n\r\f"
_OPS = ("=", "^=", "$=", "*=")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, what: str) -> SelectorError:
        return SelectorError(f"{what} at position {self.pos + 1}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_space(self) -> bool:
        start = self.pos
        while self.peek() and self.peek() in _SPACE:
            self.pos += 1
        return self.pos > start

    def ident(self, what: str) -> str:
        start = self.pos
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c == "\\":
                raise self.fail("escapes are not supported")
            if not (c.isalnum() or c in "-_" or ord(c) >= 0x80):
                break
            self.pos += 1
        name = text[start : self.pos]
        # A CSS identifier starts with a letter, `_`, non-ASCII, `-` and one of those, or `--`.
        rest = name[1:] if name.startswith("-") and not name.startswith("--") else name
        if not rest or rest[0].isdigit():
            self.pos = start
            raise self.fail(f"expected {what}")
        return name

    def string(self) -> str:
        quote = self.peek()
        end = self.text.find(quote, self.pos + 1)
        if end < 0:
            raise self.fail("unterminated string")
        value = self.text[self.pos + 1 : end]
        if "\\" in value or "\n" in value:
            raise self.fail("escapes and line breaks in strings are not supported")
        self.pos = end + 1
        return value

    def attribute(self) -> AttrTest:
        self.pos += 1  # [
        self.skip_space()
        name = self.ident("an attribute name").lower()
        self.skip_space()
        if self.peek() == "]":
            self.pos += 1
            return AttrTest(name, "", "")
        op = next((o for o in _OPS if self.text.startswith(o, self.pos)), None)
        if op is None:
            raise self.fail(f"unsupported attribute operator {self.peek()!r}")
        self.pos += len(op)
        self.skip_space()
        value = self.string() if self.peek() in ("'", '"') else self.ident("a value")
        self.skip_space()
        if self.peek() != "]":
            raise self.fail("expected ']' (attribute flags are not supported)")
        self.pos += 1
        return AttrTest(name, op, value)

    def compound(self) -> Compound:
        tag: str | None = None
        ids: list[str] = []
        classes: list[str] = []
        tests: list[AttrTest] = []
        start = self.pos
        if self.peek() == "*":
            self.pos += 1
        elif self.peek() and (self.peek().isalpha() or self.peek() in "-_" or ord(self.peek()) >= 0x80):
            tag = self.ident("a tag name").lower()
        while True:
            c = self.peek()
            if c == "#":
                self.pos += 1
                ids.append(self.ident("an id"))
            elif c == ".":
                self.pos += 1
                classes.append(self.ident("a class name"))
            elif c == "[":
                tests.append(self.attribute())
            else:
                break
        if self.pos == start:
            raise self.fail(
                f"unsupported selector syntax {self.peek()!r}" if self.peek() else "missing selector"
            )
        return Compound(tag, tuple(ids), tuple(classes), tuple(tests))

    def complex(self) -> Complex:
        compounds = [self.compound()]
        combinators: list[str] = []
        while True:
            spaced = self.skip_space()
            c = self.peek()
            if c == ">":
                self.pos += 1
                self.skip_space()
                combinators.append(">")
            elif c == "," or c == "":
                return Complex(tuple(compounds), tuple(combinators))
            elif spaced:
                combinators.append(" ")
            else:
                raise self.fail(f"unsupported selector syntax {c!r}")
            compounds.append(self.compound())

    def parse(self) -> SelectorList:
        selectors: list[Complex] = []
        while True:
            self.skip_space()
            selectors.append(self.complex())
            if self.peek() == "":
                return SelectorList(self.text, tuple(selectors))
            self.pos += 1  # ,


def parse_selector(text: str) -> SelectorList:
    """Parse a selector list of the supported subset; raises SelectorError saying what and where."""
    if len(text) > MAX_SELECTOR_CHARS:
        raise SelectorError(f"longer than {MAX_SELECTOR_CHARS} characters")
    if not text.strip():
        raise SelectorError("empty selector")
    return _Parser(text).parse()
