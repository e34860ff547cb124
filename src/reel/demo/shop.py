"""The demo shop: a small Starlette app with the Reel snippet on every page.

Pages: `/` (catalogue, `.product-card` links), `/products/{slug}` (`#add-to-cart`, `#quantity`, reviews),
`/cart` (`.cart-line`, `#checkout-link`), `/checkout` (`#checkout-form` with `#name`, `#email`,
`#address`, `#country` select, `#gift` checkbox, `#notes` textarea, `#place-order`) and `/thanks`.

The "Added to cart" modal `#modal` is always in the product page's DOM; it is open exactly while it has
no `hidden` attribute (buttons `#modal-continue` closes it, `#modal-cart` links to /cart). The consent
banner `#consent-banner` follows the same rule (`#consent-accept`, `#consent-decline`); the choice is
kept in localStorage and passed to `window.reel.consent()` on every page.

The cart lives in the `shop_cart` cookie (`slug:qty|slug:qty`), written by shop.js and read here.
Static files: `/static/shop.css`, `/static/shop.js`, `/static/img/*.svg` and the web font
`/static/fonts/shop-font.ttf`, read at request time from Debian's fonts-dejavu-core (404 if absent).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reel.demo.catalogue import (
    COUNTRIES,
    PRODUCTS,
    cart_total_cents,
    find_product,
    format_cents,
    parse_cart,
    reviews_for,
)

SITE_DIR = Path(__file__).parent / "site"
CART_COOKIE = "shop_cart"
FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
_ORDER_RE = re.compile(r"KS-[0-9A-F]{6}")


def create_shop_app(snippet_html: str, *, font_path: Path = FONT_PATH) -> Starlette:
    """The demo shop as an ASGI app; `snippet_html` goes verbatim into every page's <head>."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SITE_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    # The caller builds the snippet (it is Reel's own script tag), so it is trusted markup.
    env.globals.update(
        snippet=Markup(snippet_html),  # noqa: S704
        footer_products=PRODUCTS,
        format_cents=format_cents,
    )

    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        lines = parse_cart(request.cookies.get(CART_COOKIE))
        html = env.get_template(name).render(
            page=name.removesuffix(".html"),
            cart_count=sum(qty for _, qty in lines),
            **context,
        )
        # The pages show the cart, so browsers must not reuse a stale copy after it changes.
        return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})

    async def catalogue(request: Request) -> Response:
        return render(request, "catalogue.html", products=PRODUCTS)

    async def product_page(request: Request) -> Response:
        product = find_product(request.path_params["slug"])
        if product is None:
            raise HTTPException(404)
        return render(request, "product.html", product=product, reviews=reviews_for(product))

    async def cart(request: Request) -> Response:
        lines = parse_cart(request.cookies.get(CART_COOKIE))
        return render(request, "cart.html", lines=lines, total=format_cents(cart_total_cents(lines)))

    async def checkout(request: Request) -> Response:
        lines = parse_cart(request.cookies.get(CART_COOKIE))
        return render(
            request,
            "checkout.html",
            lines=lines,
            countries=COUNTRIES,
            total=format_cents(cart_total_cents(lines)),
        )

    async def place_order(request: Request) -> Response:
        # The form's contents are deliberately ignored: the shop keeps no personal data.
        order = f"KS-{secrets.token_hex(3).upper()}"
        response = RedirectResponse(f"/thanks?order={order}", status_code=303)
        response.delete_cookie(CART_COOKIE, path="/")
        return response

    async def thanks(request: Request) -> Response:
        order = request.query_params.get("order", "")
        return render(request, "thanks.html", order=order if _ORDER_RE.fullmatch(order) else "KS-000000")

    async def font(request: Request) -> Response:
        if not font_path.is_file():
            return PlainTextResponse("font not installed (Debian package fonts-dejavu-core)", status_code=404)
        return FileResponse(font_path, media_type="font/ttf")

    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/static/"):
            return PlainTextResponse("not found", status_code=404)
        return render(request, "not_found.html", status_code=404)

    routes = [
        Route("/", catalogue, name="catalogue"),
        Route("/products/{slug}", product_page, name="product"),
        Route("/cart", cart, name="cart"),
        Route("/checkout", checkout, methods=["GET"], name="checkout"),
        Route("/checkout", place_order, methods=["POST"], name="place_order"),
        Route("/thanks", thanks, name="thanks"),
        # Before the static mount, which would otherwise answer for the font's path.
        Route("/static/fonts/shop-font.ttf", font, name="font"),
        Mount("/static", StaticFiles(directory=SITE_DIR / "static"), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found})
