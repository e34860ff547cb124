"""For the fidelity test: a second recorded site whose stylesheet, web font and images come from another
port (cross-origin, so the recorder cannot inline the CSS), and comparing screenshots with Pillow."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

DISPLAY_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf")

NOTES_CSS = """@import "/base.css";
@font-face { font-family: "Notes Display"; src: url("/fonts/display.ttf") format("truetype"); }
header { background: #12355b url("img/waves.svg") repeat-x bottom; color: #fdf6e3; padding: 28px 40px 44px; }
h1, h2 { font-family: "Notes Display", sans-serif; font-weight: normal; }
h1 { font-size: 44px; margin: 0; }
.card { background: #fff8e7; border: 3px solid #d1495b; border-radius: 18px;
  padding: 18px 24px; margin: 18px 0; }
.card h2 { color: #d1495b; margin-top: 0; }
.badge { display: inline-block; width: 120px; height: 80px; background: url(img/badge.svg) no-repeat; }
"""
BASE_CSS = """body { margin: 0; background: #edae49; color: #00798c; font: 17px/1.5 sans-serif; }
main { padding: 8px 40px 40px; }
nav a { color: #fdf6e3; margin-right: 18px; }
"""
WAVES_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="40" height="16">
<path d="M0 8 Q10 0 20 8 T40 8 V16 H0Z" fill="#30638e"/></svg>"""
BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80">
<rect width="120" height="80" rx="12" fill="#003d5b"/><circle cx="40" cy="40" r="24" fill="#edae49"/>
<rect x="70" y="20" width="34" height="40"
 fill="#d1495b"/></svg>"""
BOAT_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120">
<rect width="200" height="120" fill="#b3e0f2"/><path d="M30 80 H170 L150 105 H50Z" fill="#8b4513"/>
<path d="M100 20 V78 H55Z" fill="#fff"/></svg>"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Harbour Notes</title>
<script>window.reel = window.reel || {{ q: [["consent", true]] }};</script>
{snippet}
<link rel="stylesheet" href="{assets}/notes.css">
</head><body>
<header><h1>Harbour Notes</h1>
<nav><a id="nav-home" href="/">Home</a><a id="nav-about" href="/about">About</a></nav></header>
<main>{body}</main>
</body></html>"""
HOME = """<div class="card"><h2>Tides this week</h2><p>High water at dawn, low water by noon.</p>
<img src="{assets}/img/boat.svg" alt="" width="200" height="120"></div>
<div class="card"><h2>Moorings</h2><span class="badge"></span><p>Twelve buoys, four free.</p></div>"""
ABOUT = """<div class="card"><h2>About the harbour</h2><p>A small harbour with a long breakwater.</p></div>
""" + "".join(f'<div class="card"><h2>Berth {i}</h2><p>Depth {i + 2} m.</p></div>' for i in range(1, 9))


def notes_site(snippet_html: str, assets_url: str) -> Starlette:
    """The second recorded site: two pages styled only from `assets_url`."""

    def page(title: str, body: str) -> HTMLResponse:
        filled = body.format(assets=assets_url)
        html = PAGE.format(title=title, snippet=snippet_html, assets=assets_url, body=filled)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def home(_request: Request) -> Response:
        return page("Home", HOME)

    async def about(_request: Request) -> Response:
        return page("About", ABOUT)

    return Starlette(routes=[Route("/", home), Route("/about", about)])


def asset_site() -> Starlette:
    """Style sheets, a web font and images on their own origin (fonts need CORS to load cross-origin)."""
    cors = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}

    def text(body: str, media_type: str) -> Response:
        return PlainTextResponse(body, media_type=media_type, headers=cors)

    async def notes_css(_r: Request) -> Response:
        return text(NOTES_CSS, "text/css")

    async def base_css(_r: Request) -> Response:
        return text(BASE_CSS, "text/css")

    async def font(_r: Request) -> Response:
        return FileResponse(DISPLAY_FONT, media_type="font/ttf", headers=cors)

    def svg(path: str, body: str) -> Route:
        async def serve(_r: Request) -> Response:
            return text(body, "image/svg+xml")

        return Route(path, serve)

    return Starlette(
        routes=[
            Route("/notes.css", notes_css),
            Route("/base.css", base_css),
            Route("/fonts/display.ttf", font),
            svg("/img/waves.svg", WAVES_SVG),
            svg("/img/badge.svg", BADGE_SVG),
            svg("/img/boat.svg", BOAT_SVG),
        ]
    )


@dataclass(frozen=True)
class Similarity:
    """How alike two screenshots are: the share of equal pixels, exactly and within a small tolerance."""

    exact: float
    tolerant: float
    size: tuple[int, int]
    compared: int


def similarity(
    a_png: bytes, b_png: bytes, *, tolerance: int = 24, exclude: Sequence[tuple[int, int, int, int]] = ()
) -> Similarity:
    """Pixel similarity of two PNGs of the same size; `exclude` boxes (x0, y0, x1, y1) are left out."""
    a = Image.open(io.BytesIO(a_png)).convert("RGB")
    b = Image.open(io.BytesIO(b_png)).convert("RGB")
    if a.size != b.size:
        raise AssertionError(f"screenshots differ in size: {a.size} vs {b.size}")
    r, g, bl = ImageChops.difference(a, b).split()
    worst = ImageChops.lighter(ImageChops.lighter(r, g), bl)
    keep = Image.new("L", a.size, 255)
    for box in exclude:
        keep.paste(0, box)
    compared = keep.histogram()[255]
    if compared == 0:
        raise AssertionError("nothing left to compare")
    differing = ImageChops.multiply(worst.point(lambda v: 255 if v > 0 else 0), keep).histogram()[255]
    far = ImageChops.multiply(worst.point(lambda v: 255 if v > tolerance else 0), keep).histogram()[255]
    return Similarity(1 - differing / compared, 1 - far / compared, a.size, compared)
