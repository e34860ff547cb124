"""The server-rendered first frame: a recorded DOM as inert, escaped HTML with its CSS inlined."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reel.player.frame import script_json
from reel.replay.first_frame import render_html, stylesheet_hrefs
from reel.replay.sanitize import clean_node

H = "a" * 64


def el(
    tag: str, attrs: dict[str, Any] | None = None, *children: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "type": 2,
        "id": 0,
        "tagName": tag,
        "attributes": attrs or {},
        "childNodes": list(children),
        **extra,
    }


def text(value: str) -> dict[str, Any]:
    return {"type": 3, "id": 0, "textContent": value}


def doc(*body: dict[str, Any], head: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {
        "type": 0,
        "id": 1,
        "childNodes": [
            {"type": 1, "id": 2, "name": "html"},
            el("html", {"lang": "en"}, el("head", {}, *head), el("body", {"class": "page-x"}, *body)),
        ],
    }


class Tags(HTMLParser):
    """What a browser-like tokenizer finds: start tags with attributes, and script text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def test_a_page_renders_as_html_with_its_doctype_attributes_and_text() -> None:
    html = render_html(
        doc(el("h1", {"id": "t"}, text("Mugs & <cups>")), el("img", {"src": "/r", "width": 40}))
    )
    assert html == (
        '<!DOCTYPE html><html lang="en"><head></head><body class="page-x">'
        '<h1 id="t">Mugs &amp; &lt;cups&gt;</h1><img src="/r" width="40"></body></html>'
    )


def test_nothing_can_run_or_break_out() -> None:
    hostile = doc(
        el("script", {"src": "https://evil.example/x.js"}, text("alert(1)")),
        el("img", {"src": "x", "onerror": "alert(1)", 'a"b': "1", "title": '"><script>alert(1)</script>'}),
        el("style", {}, text("body{color:red}</style><script>alert(1)</script>")),
        el("iframe", {"src": "https://evil.example", "srcdoc": "<script>alert(1)</script>"}),
        el("textarea", {"value": "</textarea><script>alert(1)</script>"}),
        el("noscript", {}, text("<img src=x onerror=alert(1)>")),
        el("base", {"href": "https://evil.example/"}),
        el("bad tag", {}),
    )
    html = render_html(clean_node(hostile))
    tags = tags_of(html)
    assert [t for t, _ in tags] == ["html", "head", "body", "img", "style", "iframe", "textarea"]
    img = dict(tags)["img"]
    assert "onerror" not in img and 'a"b' not in img
    assert img["title"] == '"><script>alert(1)</script>'
    assert "</style><script>" not in html  # a style's text cannot close it (CSS escape `<\/`)
    assert dict(tags)["iframe"] == {}


def test_style_sheets_are_inlined_and_blocked_elements_keep_their_size() -> None:
    tree = doc(
        el("div", {"rr_width": "300px", "rr_height": "50px", "style": "color: red;"}),
        head=(
            el("link", {"rel": "stylesheet", "href": f"/resources/{H}"}),
            el("link", {"rel": "stylesheet", "_cssText": ".a{b:c}", "href": "https://shop.example/s.css"}),
            el("link", {"rel": "stylesheet", "href": "about:invalid#reel-not-captured"}),
            el("style", {"_cssText": ".edited{x:y}"}, text(".old{}")),
        ),
    )
    assert stylesheet_hrefs(tree) == [f"/resources/{H}", "about:invalid#reel-not-captured"]
    html = render_html(tree, lambda href: "h1{font-family:F}" if href == f"/resources/{H}" else None)
    assert "<style>h1{font-family:F}</style><style>.a{b:c}</style>" in html
    assert '<link rel="stylesheet" href="about:invalid#reel-not-captured">' in html
    assert "<style>.edited{x:y}</style>" in html and ".old" not in html
    assert '<div style="color: red;width:300px;height:50px;"></div>' in html


@given(st.text(max_size=80))
def test_any_text_stays_text(value: str) -> None:
    html = render_html(doc(el("p", {"title": value}, text(value)), el("style", {}, text(value))))
    assert [t for t, _ in tags_of(html)] == ["html", "head", "body", "p", "style"]


def test_a_deep_tree_renders_without_recursion() -> None:
    node: dict[str, Any] = text("deep")
    for _ in range(10_000):
        node = el("div", {}, node)
    assert render_html(doc(node)).count("<div>") == 10_000


def test_the_json_data_block_holds_no_markup_characters() -> None:
    out = str(script_json({"html": "</script><script>alert(1)</script>&amp;\u2028"}))
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
