"""The first frame's HTML parsed as browsers parse it (html5lib: WHATWG tree construction, foreign
content included): nothing in it runs, and no element exists that Reel did not write as a tag.

Issue 15, item 3: `<svg><style>` text was written almost raw, and inside SVG that text is markup, so a
forged recording put live `<img onerror>` and `<iframe srcdoc>` into the first frame. Chromium parses
the same trees in tests/e2e/test_forged_markup.py.
"""

from __future__ import annotations

import random
import re
from typing import Any

import html5lib
from hypothesis import given, settings
from hypothesis import strategies as st

from markup_trees import (
    FORBIDDEN_ELEMENTS,
    FORMATTING,
    IMPLIED,
    SCRIPT_URL,
    emitted_tags,
    random_tree,
    vectors,
)
from reel.dom.css_tokens import tokenize
from reel.replay.first_frame import render_html
from reel.replay.markup import css_text_for_html

TRAP = "http://trap.invalid"
TAG_OPENER = re.compile(r"<[A-Za-z!/?]")


def local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def problems(html: str) -> list[str]:
    """What the parsed page holds that it must not."""
    found: list[str] = []
    parsed = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)
    counts: dict[str, int] = {}
    for element in parsed.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        name = local(element.tag)
        counts[name] = counts.get(name, 0) + 1
        if name in FORBIDDEN_ELEMENTS:
            found.append(f"element {element.tag}")
        if name == "meta" and any(local(a) == "http-equiv" for a in element.attrib):
            found.append("meta http-equiv")
        for attribute, value in element.attrib.items():
            attr = local(attribute)
            if attr.startswith("on") or attr in ("srcdoc", "ping"):
                found.append(f"{element.tag} {attribute}")
            if SCRIPT_URL.match(value.replace("\t", "").replace("\n", "")):
                found.append(f"{element.tag} {attribute}={value[:40]}")
    emitted = emitted_tags(html)
    for name, count in counts.items():
        written = emitted.get(name, 0)
        if name not in IMPLIED and count > written and not (name in FORMATTING and written):
            found.append(f"{count} <{name}> parsed, {written} written")
    return found


def test_every_known_shape_parses_to_nothing_that_runs() -> None:
    for name, tree in vectors(TRAP).items():
        assert problems(render_html(tree)) == [], name


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=8, max_value=80))
def test_generated_trees_parse_to_nothing_that_runs(rng: random.Random, size: int) -> None:
    html = render_html(random_tree(rng, TRAP, size))
    assert problems(html) == []


CSS_PIECES = st.sampled_from(
    [
        "</style>",
        "<img src=x onerror=y>",
        "<!--",
        "-->",
        "<",
        "\\<",
        "\\",
        '"',
        "'",
        "url(",
        ")",
        "/*",
        "*/",
        "{",
        "}",
        ";",
        " ",
        "\n",
        "a",
        "-",
        "@import",
        "x<y",
        "<!DOCTYPE",
        "<?x",
        "</",
    ]
)


def significant(css: str) -> list[tuple[str, str]]:
    """The tokens that carry meaning: comments, whitespace and `<!--` (ignored at the top level) left out."""
    return [(t.kind, t.value) for t in tokenize(css) if t.kind not in ("whitespace", "comment", "cdo")]


@settings(max_examples=500, deadline=None)
@given(st.lists(CSS_PIECES | st.text(max_size=4), max_size=30).map("".join))
def test_css_written_into_html_opens_no_markup_and_means_the_same(css: str) -> None:
    written = css_text_for_html(css)
    assert TAG_OPENER.search(written) is None
    before: list[Any] = significant(css)
    after: list[Any] = significant(written)
    # A bare `<` before a letter gets a space after it: the same tokens, whitespace aside.
    assert after == before


def test_a_bare_angle_before_a_comment_opener_opens_no_end_tag() -> None:
    # `<!--` is written as the empty comment `/**/`: the `<` before it must not make `</`.
    written = css_text_for_html("<<!--")
    assert TAG_OPENER.search(written) is None
    assert significant(written) == significant("<<!--")
