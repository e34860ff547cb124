"""Forged rrweb node trees for the HTML Reel writes (the first frame): known mutation-XSS shapes and
random trees built from the pieces they are made of, with what the parsed result must never hold.

Shared by the property test (html5lib, WHATWG tree construction) and the browser test (Chromium's own
parser), which check the same rules on the same trees.
"""

from __future__ import annotations

import random
import re
from typing import Any

Node = dict[str, Any]

# What a page must never hold once parsed, whatever the parser: checked on html5lib's tree and in
# Chromium (tests/e2e/test_forged_markup.py runs the same rules in JavaScript).
FORBIDDEN_ELEMENTS = frozenset({"script", "base", "noscript", "template", "plaintext", "xmp", "frameset"})
SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript|data:text/html)", re.I)
# Elements the parser may add on its own around what Reel wrote, always without attributes (`img` from
# `<image>`; `<p>` and `<br>` from the end tags `</p>` and `</br>` where none is open).
IMPLIED = frozenset({"html", "head", "body", "tbody", "tr", "colgroup", "img", "p", "br"})
# Formatting elements the parser reopens after a misnested end tag: clones of ones Reel wrote, with the
# same attributes (the adoption agency algorithm).
FORMATTING = frozenset(
    ["a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"]
)
START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9_.:-]*)")

_id = [100]


def el(tag: str, attrs: dict[str, Any] | None = None, *children: Node, svg: bool = False) -> Node:
    _id[0] += 1
    node: Node = {
        "type": 2,
        "id": _id[0],
        "tagName": tag,
        "attributes": attrs or {},
        "childNodes": list(children),
    }
    if svg:
        node["isSVG"] = True
    return node


def text(value: str) -> Node:
    _id[0] += 1
    return {"type": 3, "id": _id[0], "textContent": value}


def document(*body: Node, head: tuple[Node, ...] = ()) -> Node:
    return {"type": 0, "id": 1, "childNodes": [el("html", {}, el("head", {}, *head), el("body", {}, *body))]}


def payloads(trap: str) -> list[str]:
    """Text that would be markup if a parser read it as such: each tries a way to run or load."""
    flag = f"fetch('{trap}/ran')"
    return [
        f'</style><img src={trap}/img-in-style onerror="{flag}">',
        f'</title><img src={trap}/img-in-title onerror="{flag}">',
        f'</textarea><img src={trap}/img-in-textarea onerror="{flag}">',
        f'</noscript><img src={trap}/img-in-noscript onerror="{flag}">',
        f'<iframe srcdoc="<script>{flag}</script>"></iframe>',
        f'<meta http-equiv="refresh" content="0;url={trap}/refresh">',
        f'<svg onload="{flag}"><script>{flag}</script></svg>',
        f'<math><mi><style></style><img src={trap}/img-in-math onerror="{flag}"></mi></math>',
        f"<!--<img src={trap}/comment>-->",
        f'<![CDATA[<img src={trap}/cdata onerror="{flag}">]]>',
        f"<base href='{trap}/'>",
        "&lt;img src=x onerror=alert(1)&gt;",
    ]


def vectors(trap: str) -> dict[str, Node]:
    """Known shapes, each a whole document: the name says how it tries to break out."""
    p = payloads(trap)
    css = " ".join(p)
    return {
        "svg-style": document(el("svg", {}, el("style", {}, text(css), svg=True), svg=True)),
        "math-style": document(el("math", {}, el("style", {}, text(css)))),
        "html-style": document(el("style", {}, text(f"a{{content:'{css}'}} b{{--x:{css}}} /* {css} */"))),
        "svg-title": document(el("svg", {}, el("title", {}, text(p[1]), svg=True), svg=True)),
        "foreign-object": document(
            el(
                "svg",
                {},
                el("foreignObject", {}, el("style", {}, text(css)), el("iframe", {"srcdoc": p[4]}), svg=True),
                svg=True,
            )
        ),
        "annotation-xml": document(
            el("math", {}, el("annotation-xml", {"encoding": "text/html"}, el("style", {}, text(css))))
        ),
        "select-style": document(el("select", {}, el("option", {}, el("style", {}, text(css))))),
        "table-style": document(el("table", {}, el("style", {}, text(css)), el("td", {}, text(p[0])))),
        "noscript": document(el("noscript", {}, text(p[3]), el("img", {"src": f"{trap}/noscript-img"}))),
        "template": document(el("template", {}, el("img", {"src": f"{trap}/template", "onerror": "x"}))),
        "textarea-title": document(el("textarea", {"value": p[2]}), el("title", {}, text(p[1]))),
        "xmp-plaintext": document(el("xmp", {}, text(css)), el("plaintext", {}, text(css))),
        "handlers": document(
            el("img", {"src": "data:,", "onerror": "x", "ONLOAD": "y", "onMouseOver": "z"}),
            el("svg", {"onload": "x"}, el("a", {"xlink:href": "javascript:x"}, svg=True), svg=True),
            el("a", {"href": " java\tscript:x", "ping": f"{trap}/ping"}, text("link")),
        ),
        "animations": document(
            el(
                "svg",
                {},
                el("set", {"attributeName": "href", "to": "javascript:x"}, svg=True),
                el("animate", {"attributeName": "xlink:href", "values": f"{trap}/animate"}, svg=True),
                el("set", {"attributeName": "onclick", "to": "x"}, svg=True),
                svg=True,
            )
        ),
        "frames": document(
            el("iframe", {"srcdoc": p[4], "src": "javascript:x"}),
            el("embed", {"src": "data:image/svg+xml,<svg onload='x'/>"}),
            el("object", {"data": "data:text/html,<script>x</script>"}),
            el("frameset", {}, el("frame", {"src": f"{trap}/frame"})),
        ),
        "meta-base": document(
            head=(
                el("meta", {"http-equiv": "refresh", "content": f"0;url={trap}/refresh"}),
                el("base", {"href": f"{trap}/"}),
                el("script", {"src": f"{trap}/script.js"}),
            )
        ),
        "sizes": document(el("div", {"rr_width": "1px;background:url(x)", "rr_height": "10px"})),
    }


_TAGS = [
    "div",
    "p",
    "span",
    "a",
    "b",
    "img",
    "image",
    "iframe",
    "noscript",
    "script",
    "style",
    "title",
    "textarea",
    "template",
    "select",
    "option",
    "table",
    "td",
    "tr",
    "xmp",
    "plaintext",
    "noembed",
    "noframes",
    "object",
    "embed",
    "math",
    "mi",
    "mo",
    "mtext",
    "svg",
    "foreignObject",
    "desc",
    "annotation-xml",
    "set",
    "animate",
    "base",
    "meta",
    "link",
    "form",
    "button",
    "input",
    "frameset",
    "frame",
    "font",
    "br",
    "head",
    "body",
    "html",
    "pre",
    "listing",
]


def random_tree(rng: random.Random, trap: str, size: int = 30) -> Node:
    """A document of `size` nodes or so, from the tags, attributes and texts mutation XSS is made of."""
    texts = [*payloads(trap), "hello", "<", "&", "]]>", "-->", "<!--", "</", "a{b:c}"]
    attributes: list[tuple[str, str]] = [
        ("onload", "x"),
        ("onerror", "x"),
        ("OnClick", "x"),
        ("srcdoc", payloads(trap)[4]),
        ("href", "javascript:x"),
        ("xlink:href", "javascript:x"),
        ("formaction", "javascript:x"),
        ("src", f"{trap}/src"),
        ("http-equiv", "refresh"),
        ("content", f"0;url={trap}/refresh"),
        ("attributeName", "href"),
        ("to", "javascript:x"),
        ("encoding", "text/html"),
        ("style", "color:red"),
        ("title", payloads(trap)[0]),
        ("color", "red"),
        ("rr_width", "1px;x:y"),
        ("value", payloads(trap)[2]),
    ]

    def node(depth: int) -> Node:
        if depth > 5 or rng.random() < 0.3:
            return text(rng.choice(texts))
        attrs = dict(rng.sample(attributes, rng.randint(0, 3)))
        children = [node(depth + 1) for _ in range(rng.randint(0, 4))]
        return el(rng.choice(_TAGS), attrs, *children, svg=rng.random() < 0.3)

    return document(*[node(1) for _ in range(max(1, size // 8))])


def emitted_tags(html: str) -> dict[str, int]:
    """How many start tags of each (lowercase) name the HTML holds: in Reel's output every `<` before a
    letter is one of its own tags, since text never holds one."""
    counts: dict[str, int] = {}
    for name in START_TAG.findall(html):
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    return counts
