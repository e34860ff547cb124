"""Resource URLs: found in CSS and in rrweb events, and rewritten to Reel's copies for replay."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reel.dom.css_urls import css_refs, rewrite_css
from reel.dom.url_values import parse_srcset
from reel.dom.urls import resource_urls
from reel.domain.content import IMAGE_PLACEHOLDER, NOT_CAPTURED
from reel.replay.rewrite import masked_form, replay_from_copies

PAGE = "https://shop.example/products/mug"
D = {name: name[0] * 64 for name in ("css", "font", "logo", "hero", "icon", "bg", "small", "big")}


def el(
    tag: str, attrs: dict[str, Any], children: list[Any] | None = None, node_id: int = 10
) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": children or []}


def text(value: str, node_id: int = 99, **extra: Any) -> dict[str, Any]:
    return {"type": 3, "id": node_id, "textContent": value, **extra}


def snapshot(*body: dict[str, Any], head: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    tree = {
        "type": 0,
        "id": 1,
        "childNodes": [el("html", {}, [el("head", {}, head or [], 3), el("body", {}, list(body), 4)], 2)],
    }
    return [
        {"type": 4, "timestamp": 1, "data": {"href": PAGE, "width": 800, "height": 600}},
        {"type": 2, "timestamp": 2, "data": {"node": tree, "initialOffset": {"top": 0, "left": 0}}},
    ]


def mutation(**data: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"source": 0, "adds": [], "removes": [], "texts": [], "attributes": []}
    return {"type": 3, "timestamp": 3, "data": {**base, **data}}


# ---- CSS ----------------------------------------------------------------------------------------------


def test_css_references_skip_comments_and_strings() -> None:
    css = (
        '@import "a.css"; @import url(b.css) screen; /* url(no.png) */'
        ' .x{background:url( "c.png" ) no-repeat, URL(d\\2e png)} .s::after{content:"url(nope)"}'
        ' .i{background-image:image-set("e.png" 1x, url(f.png) 2x)}'
        ' @font-face{src:url(g.woff2) format("woff2")}'
    )
    refs = [(r.url, r.kind) for r in css_refs(css)]
    assert refs == [
        ("a.css", "import"),
        ("b.css", "import"),
        ("c.png", "url"),
        ("d.png", "url"),
        ("e.png", "url"),
        ("f.png", "url"),
        ("g.woff2", "url"),
    ]
    out = rewrite_css(css, lambda url, kind: f"/R/{url}")
    assert '@import "/R/a.css"' in out and '@import url("/R/b.css") screen' in out
    assert "/* url(no.png) */" in out and 'content:"url(nope)"' in out
    assert 'format("woff2")' in out


def test_css_rewriting_escapes_what_it_writes() -> None:
    out = rewrite_css("a{b:url(x.png)}", lambda url, kind: 'evil")}</style><script>')
    assert out == 'a{b:url("evil\\22 )}\\3c /style>\\3c script>")}'
    assert [r.url for r in css_refs(out)] == ['evil")}</style><script>']


@given(st.text(max_size=200))
def test_css_scanning_never_fails_and_keeps_text_without_references(css: str) -> None:
    refs = css_refs(css)
    assert all(0 <= r.start < r.end <= len(css) for r in refs)
    assert rewrite_css(css, lambda url, kind: None) == css


# ---- finding ------------------------------------------------------------------------------------------


def test_resources_are_found_in_snapshots_with_what_loads_them() -> None:
    events = snapshot(
        el("img", {"src": "/img/logo.svg", "srcset": "/img/s.png 1x, /img/b.png 2x"}, node_id=20),
        el("div", {"style": "background: url('/img/bg.png')"}, node_id=21),
        el("a", {"href": "/cart"}, node_id=22),
        el("iframe", {"src": "https://ads.example/frame"}, node_id=23),
        el("video", {"src": "/v.mp4", "poster": "/img/poster.jpg"}, node_id=24),
        el("style", {}, [text("@font-face{src:url(/f/font.woff2)}", 26)], node_id=25),
        head=[
            el("link", {"rel": "stylesheet", "href": "https://cdn.example/site.css"}, node_id=30),
            el("link", {"rel": "icon", "href": "/favicon.ico"}, node_id=31),
            el("link", {"rel": "preconnect", "href": "https://cdn.example"}, node_id=32),
            el("style", {"_cssText": ".h{background:url(https://cdn.example/hero.jpg)}"}, node_id=33),
        ],
    )
    found = resource_urls(events)
    assert found == {
        "https://shop.example/img/logo.svg": "image",
        "https://shop.example/img/s.png": "image",
        "https://shop.example/img/b.png": "image",
        "https://shop.example/img/bg.png": "image",
        "https://shop.example/img/poster.jpg": "image",
        "https://shop.example/f/font.woff2": "image",
        "https://cdn.example/site.css": "stylesheet",
        "https://shop.example/favicon.ico": "image",
        "https://cdn.example/hero.jpg": "image",
    }


def test_resources_are_found_in_mutations_and_css_events() -> None:
    events = [
        *snapshot(el("style", {}, [text("", 41)], node_id=40)),
        mutation(adds=[{"parentId": 4, "nextId": None, "node": el("img", {"src": "/a.png#x"}, node_id=50)}]),
        mutation(attributes=[{"id": 50, "attributes": {"src": "/b.png", "href": "/not-a-resource"}}]),
        mutation(texts=[{"id": 41, "value": "p{background:url(/c.png)}"}]),
        {"type": 3, "timestamp": 4, "data": {"source": 8, "id": 40, "adds": [{"rule": "q{x:url(/d.png)}"}]}},
        {
            "type": 3,
            "timestamp": 5,
            "data": {"source": 13, "id": 40, "set": {"property": "x", "value": "url(/e.png)"}},
        },
        {
            "type": 3,
            "timestamp": 6,
            "data": {
                "source": 15,
                "id": 1,
                "styleIds": [1],
                "styles": [{"styleId": 1, "rules": [{"rule": "r{x:url(/f.png)}"}]}],
            },
        },
    ]
    assert sorted(resource_urls(events)) == [f"https://shop.example/{c}.png" for c in "abcdef"]


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("a.png", [("a.png", "")]),
        ("a.png 1x, b.png 2x", [("a.png", "1x"), ("b.png", "2x")]),
        ("a.png 100w,b.png 200w", [("a.png", "100w"), ("b.png", "200w")]),
        ("data:image/png;base64,AA== 1x, b.png 2x", [("data:image/png;base64,AA==", "1x"), ("b.png", "2x")]),
    ],
)
def test_srcset_candidates(value: str, parsed: list[tuple[str, str]]) -> None:
    assert parse_srcset(value) == parsed


# ---- replaying from the copies ------------------------------------------------------------------------


def test_replay_points_every_resource_at_its_copy_or_a_placeholder() -> None:
    events = snapshot(
        el("img", {"src": "/img/logo.svg", "srcset": "/img/s.png 1x, /img/b.png 2x"}, node_id=20),
        el("div", {"style": "background: url('/img/bg.png')"}, node_id=21),
        el("a", {"href": "/cart"}, node_id=22),
        el("img", {"src": "https://elsewhere.example/x.png"}, node_id=23),
        el("use", {"href": "/img/sprite.svg#cart"}, node_id=24),
        head=[
            el("link", {"rel": "stylesheet", "href": "https://cdn.example/site.css"}, node_id=30),
            el("link", {"rel": "prefetch", "href": "/next-page"}, node_id=31),
            el("link", {"rel": "stylesheet", "href": "https://cdn.example/missing.css"}, node_id=32),
        ],
    )
    before = copy.deepcopy(events)
    captured = {
        "https://shop.example/img/logo.svg": D["logo"],
        "https://shop.example/img/s.png": D["small"],
        "https://shop.example/img/b.png": D["big"],
        "https://shop.example/img/bg.png": D["bg"],
        "https://shop.example/img/sprite.svg": D["icon"],
        "https://cdn.example/site.css": D["css"],
    }
    out = replay_from_copies(events, captured)
    assert events == before  # the input is never modified
    html = out[1]["data"]["node"]["childNodes"][0]
    head, body = html["childNodes"]
    links = [c["attributes"]["href"] for c in head["childNodes"]]
    assert links == [f"/resources/{D['css']}", NOT_CAPTURED, NOT_CAPTURED]
    img, div, a, foreign, use = body["childNodes"]
    assert img["attributes"] == {
        "src": f"/resources/{D['logo']}",
        "srcset": f"/resources/{D['small']} 1x, /resources/{D['big']} 2x",
    }
    assert div["attributes"]["style"] == f'background: url("/resources/{D["bg"]}")'
    assert a["attributes"]["href"] == "/cart"
    assert foreign["attributes"]["src"] == IMAGE_PLACEHOLDER
    assert use["attributes"]["href"] == f"/resources/{D['icon']}#cart"


def test_replay_finds_copies_of_urls_whose_query_values_were_masked() -> None:
    assert masked_form("https://a.example/x.css?v=12&t=9#f") == "https://a.example/x.css?v=***&t=***"
    events = snapshot(el("img", {"src": "https://a.example/x.png?v=***"}, node_id=20))
    out = replay_from_copies(events, {"https://a.example/x.png?v=12": D["logo"]})
    img = out[1]["data"]["node"]["childNodes"][0]["childNodes"][1]["childNodes"][0]
    assert img["attributes"]["src"] == f"/resources/{D['logo']}"


def test_replay_rewrites_mutations_and_style_rules() -> None:
    events = [
        *snapshot(el("style", {}, [text("", 41)], node_id=40)),
        mutation(attributes=[{"id": 40, "attributes": {"style": "background:url(/c.png)"}}]),
        {
            "type": 3,
            "timestamp": 4,
            "data": {"source": 8, "id": 40, "adds": [{"rule": "q{x:url(/c.png)}", "index": 0}]},
        },
    ]
    out = replay_from_copies(events, {"https://shop.example/c.png": D["bg"]})
    assert out[2]["data"]["attributes"][0]["attributes"]["style"] == f'background:url("/resources/{D["bg"]}")'
    assert out[3]["data"]["adds"][0]["rule"] == f'q{{x:url("/resources/{D["bg"]}")}}'


def test_events_without_resources_come_back_as_the_same_objects() -> None:
    events = [{"type": 3, "timestamp": 1, "data": {"source": 1, "positions": []}}, *snapshot()]
    out = replay_from_copies(events, {})
    assert all(a is b for a, b in zip(out, events, strict=True))
