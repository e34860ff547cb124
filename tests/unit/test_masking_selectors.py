"""The selector subset: parsed or refused with a position, matched against DOM mirror nodes."""

from __future__ import annotations

from typing import Any

import pytest

from reel.dom.mirror import DomMirror
from reel.dom.mirror.nodes import Node
from reel.domain.selectors import MAX_ANCESTORS, SelectorError, matches, parse_selector


def el(
    node_id: int, tag: str, attrs: dict[str, Any] | None = None, *kids: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "type": 2,
        "id": node_id,
        "tagName": tag,
        "attributes": attrs or {},
        "childNodes": list(kids),
        **extra,
    }


def mirror_of(*body: dict[str, Any]) -> DomMirror:
    """A mirror of <html><body>…body…</body></html> (html 2, body 3)."""
    doc = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, el(3, "body", {}, *body))]}
    mirror = DomMirror()
    mirror.apply({"type": 2, "timestamp": 1, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}})
    assert mirror.problems == []
    return mirror


def selects(selector: str, node: Node) -> bool:
    return any(matches(s, node) for s in parse_selector(selector).selectors)


PAGE = mirror_of(
    el(
        10,
        "nav",
        {"class": "top main", "id": "menu"},
        el(11, "ul", {}, el(12, "li", {"data-k": "v-1"}, el(13, "a", {"href": "/x", "title": "t"}))),
    ),
    el(20, "div", {"class": "card", "data-private": ""}, el(21, "span", {"class": "product-title"})),
)


@pytest.mark.parametrize(
    ("selector", "node_id", "expected"),
    [
        ("nav", 10, True),
        ("NAV", 10, True),
        ("*", 13, True),
        ("#menu", 10, True),
        ("#menu", 11, False),
        (".top", 10, True),
        (".top.main", 10, True),
        (".top.side", 10, False),
        ("nav.main#menu", 10, True),
        ("[data-private]", 20, True),
        ("[data-private]", 21, False),
        ("[data-k=v-1]", 12, True),
        ("[data-k='v-1']", 12, True),
        ('[data-k^="v"]', 12, True),
        ('[data-k$="-1"]', 12, True),
        ('[data-k*="-"]', 12, True),
        ('[data-k^=""]', 12, False),  # CSS: an empty value matches nothing
        ("nav a", 13, True),
        ("nav > a", 13, False),
        ("nav > ul > li > a", 13, True),
        ("nav li a", 13, True),
        ("body > nav a", 13, True),
        ("div a", 13, False),
        (".card .product-title", 21, True),
        ("nav a, .card", 20, True),
        ("html body nav ul li a", 13, True),
        ("ul nav a", 13, False),
    ],
)
def test_selectors_match_mirror_nodes(selector: str, node_id: int, expected: bool) -> None:
    assert selects(selector, PAGE.nodes[node_id]) is expected


def test_a_child_combinator_after_a_descendant_one_backtracks() -> None:
    # a > b c: the nearest b above c has no a parent, a farther one does.
    page = mirror_of(el(10, "a", {}, el(11, "b", {}, el(12, "x", {}, el(13, "b", {}, el(14, "c"))))))
    assert selects("a > b c", page.nodes[14])
    assert not selects("x > b > b c", page.nodes[14])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a:hover", "':' at position 2"),
        ("a::before", "':'"),
        ("a + b", "'+'"),
        ("a ~ b", "'~'"),
        ("ns|a", "'|'"),
        ("[href~=x]", "operator '~'"),
        ("[href|=x]", "operator '|'"),
        ("[a=b i]", "flags"),
        ('[a="b]', "unterminated"),
        ("[a='x\\'y']", "escapes"),
        ("a\\:b", "escapes"),
        (".1col", "a class name"),
        ("#-2", "an id"),
        ("a,", "missing selector"),
        (", a", "unsupported selector syntax ','"),
        ("a >", "missing selector"),
        ("   ", "empty"),
        ("a" * 2001, "longer than"),
        ("[=x]", "an attribute name"),
        ("[a=-1]", "a value"),  # not an identifier: quote it
    ],
)
def test_unsupported_selectors_are_refused_saying_what_and_where(text: str, error: str) -> None:
    with pytest.raises(SelectorError) as refused:
        parse_selector(text)
    assert error in str(refused.value)


def test_combinators_stop_at_iframe_documents_and_shadow_roots() -> None:
    mirror = mirror_of(
        el(10, "section", {"class": "outer"}, el(11, "iframe")),
        el(20, "section", {"class": "outer"}, el(21, "div", {}, el(22, "p", {}, isShadow=True))),
    )
    frame_doc = {"type": 0, "id": 30, "childNodes": [el(31, "html", {}, el(32, "body", {}, el(33, "p")))]}
    attach = {"source": 0, "adds": [{"parentId": 11, "nextId": None, "node": frame_doc}], "removes": []}
    mirror.apply({"type": 3, "timestamp": 2, "data": {**attach, "texts": [], "attributes": []}})
    assert mirror.problems == []
    assert not selects(".outer p", mirror.nodes[33])  # inside the frame's own document
    assert selects("body p", mirror.nodes[33])
    assert not selects(".outer p", mirror.nodes[22])  # inside the shadow tree of div 21
    assert selects("p", mirror.nodes[22])


def test_a_deep_tree_is_walked_without_recursion_and_past_the_limit_answers_the_safe_side() -> None:
    depth = MAX_ANCESTORS + 50
    node: dict[str, Any] = el(10_000, "span")
    for i in range(depth):
        node = el(10_001 + i, "div", {}, node)
    page = mirror_of(el(9, "main", {}, node))
    leaf = page.nodes[10_000]
    selector = parse_selector("main span").selectors[0]
    assert matches(selector, leaf, beyond=True) is True  # mask and block rules: masked
    assert matches(selector, leaf, beyond=False) is False  # unmask rules: not unmasked
    near = parse_selector("div > span").selectors[0]
    assert matches(near, leaf) is True
