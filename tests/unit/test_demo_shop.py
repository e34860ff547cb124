"""The demo shop's pages, static files and cart, through Starlette's TestClient; and the visit's plan."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from reel.demo.catalogue import PRODUCTS, Product, cart_total_cents, format_cents, parse_cart
from reel.demo.shop import CART_COOKIE, FONT_PATH, create_shop_app
from reel.demo.visit import typed_values

SNIPPET = '<script src="http://127.0.0.1:8600/capture/reel.js" data-app-key="app_demo" async></script>'
PAGES = ["/", f"/products/{PRODUCTS[0].slug}", "/cart", "/checkout", "/thanks"]


class _Elements(HTMLParser):
    """Collects start tags with their attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def by_id(self, element_id: str) -> tuple[str, dict[str, str | None]]:
        for tag, attrs in self.tags:
            if attrs.get("id") == element_id:
                return tag, attrs
        raise AssertionError(f"no element #{element_id}")

    def local_urls(self) -> set[str]:
        urls = {attrs.get("href") or attrs.get("src") or "" for _, attrs in self.tags}
        return {url for url in urls if url.startswith("/")}


def parse(html: str) -> _Elements:
    elements = _Elements()
    elements.feed(html)
    return elements


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_shop_app(SNIPPET))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_snippet_verbatim_in_its_head(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    head = response.text.split("</head>")[0]
    assert SNIPPET in head
    assert '<link rel="stylesheet" href="/static/shop.css">' in head


@pytest.mark.parametrize("path", PAGES)
def test_every_local_link_and_resource_on_a_page_resolves(client: TestClient, path: str) -> None:
    for url in parse(client.get(path).text).local_urls():
        assert client.get(url.split("#")[0]).status_code == 200, url


def test_catalogue_lists_every_product_with_image_name_price_and_link(client: TestClient) -> None:
    html = client.get("/").text
    cards = re.findall(r'<a class="product-card" id="card-([a-z-]+)" href="([^"]+)">', html)
    assert len(cards) == len(PRODUCTS) >= 6
    for product in PRODUCTS:
        assert (product.slug, product.url) in cards
        assert product.image_url in html and product.name in html and product.price in html


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p.slug)
def test_product_page_has_image_quantity_button_closed_modal_and_reviews(
    client: TestClient, product: Product
) -> None:
    elements = parse(client.get(product.url).text)
    assert elements.by_id("product-image")[1]["src"] == product.image_url
    assert elements.by_id("quantity")[0] == "input"
    button = elements.by_id("add-to-cart")[1]
    assert button["data-slug"] == product.slug
    modal = elements.by_id("modal")[1]
    assert "hidden" in modal and modal["role"] == "dialog"
    assert elements.by_id("modal-continue")[0] == "button"
    assert elements.by_id("modal-cart")[1]["href"] == "/cart"
    assert sum(1 for _, attrs in elements.tags if attrs.get("class") == "review") >= 5


def test_unknown_product_and_unknown_page_answer_404_as_shop_pages(client: TestClient) -> None:
    for path in ["/products/no-such-thing", "/nowhere"]:
        response = client.get(path)
        assert response.status_code == 404
        assert SNIPPET in response.text and 'id="not-found"' in response.text


def test_cart_is_empty_without_the_cookie(client: TestClient) -> None:
    html = client.get("/cart").text
    assert 'id="cart-empty"' in html and "checkout-link" not in html
    assert '<span id="cart-count">0</span>' in html


def test_cart_renders_the_cookie_lines_total_and_count(client: TestClient) -> None:
    mug, kettle = PRODUCTS[0], PRODUCTS[1]
    client.cookies.set(CART_COOKIE, f"{mug.slug}:2|{kettle.slug}:1|bogus:3")
    html = client.get("/cart").text
    assert html.count('class="cart-line"') == 2
    total = format_cents(mug.price_cents * 2 + kettle.price_cents)
    assert f'<strong id="cart-total">{total}</strong>' in html
    assert '<span id="cart-count">3</span>' in html
    assert 'id="checkout-link"' in html


def test_checkout_form_has_the_fields_the_visit_and_tests_target(client: TestClient) -> None:
    html = client.get("/checkout").text
    elements = parse(html)
    form = elements.by_id("checkout-form")[1]
    assert (form["method"], form["action"]) == ("post", "/checkout")
    for field_id in ["name", "address"]:
        tag, attrs = elements.by_id(field_id)
        assert (tag, attrs["type"]) == ("input", "text")
    assert elements.by_id("email")[1]["type"] == "email"
    assert elements.by_id("country")[0] == "select"
    assert elements.by_id("gift")[1]["type"] == "checkbox"
    assert elements.by_id("notes")[0] == "textarea"
    assert elements.by_id("place-order")[1]["type"] == "submit"
    assert '<option value="NO">Norway</option>' in html


def test_placing_an_order_redirects_to_thanks_and_clears_the_cart(client: TestClient) -> None:
    client.cookies.set(CART_COOKIE, f"{PRODUCTS[0].slug}:1")
    response = client.post("/checkout", data={"name": "x"}, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/thanks\?order=KS-[0-9A-F]{6}", location)
    assert f'{CART_COOKIE}=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    client.cookies.clear()
    assert location.split("=")[1] in client.get(location).text


def test_thanks_page_does_not_echo_an_arbitrary_order_parameter(client: TestClient) -> None:
    html = client.get("/thanks", params={"order": "<b>x</b>"}).text
    assert "<b>x</b>" not in html and "KS-000000" in html


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/shop.css", "text/css"),
        ("/static/shop.js", "text/javascript"),
        *[(product.image_url, "image/svg+xml") for product in PRODUCTS],
        ("/static/img/logo.svg", "image/svg+xml"),
        ("/static/img/hero.svg", "image/svg+xml"),
    ],
)
def test_static_files_are_served_with_their_content_types(
    client: TestClient, path: str, content_type: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    if content_type == "image/svg+xml":
        assert response.text.startswith("<svg xmlns=")


def test_stylesheet_declares_the_web_font_and_the_modal_rule(client: TestClient) -> None:
    css = client.get("/static/shop.css").text
    assert 'url("/static/fonts/shop-font.ttf")' in css
    assert ".modal[hidden] { display: none; }" in css


@pytest.mark.skipif(not FONT_PATH.is_file(), reason="fonts-dejavu-core not installed")
def test_web_font_is_served_from_the_system_package(client: TestClient) -> None:
    response = client.get("/static/fonts/shop-font.ttf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "font/ttf"
    assert response.content == FONT_PATH.read_bytes()


def test_web_font_answers_404_when_the_package_is_absent(tmp_path: Path) -> None:
    client = TestClient(create_shop_app(SNIPPET, font_path=tmp_path / "missing.ttf"))
    assert client.get("/static/fonts/shop-font.ttf").status_code == 404


def test_missing_static_file_is_a_plain_404(client: TestClient) -> None:
    response = client.get("/static/img/nope.svg")
    assert response.status_code == 404 and SNIPPET not in response.text


def test_parse_cart_merges_caps_and_skips_bad_entries() -> None:
    mug = PRODUCTS[0]
    lines = parse_cart(f"{mug.slug}:60|{mug.slug}:60|nope:1|{PRODUCTS[1].slug}:x|{PRODUCTS[2].slug}:0|")
    assert lines == ((mug, 99),)
    assert parse_cart(None) == () and parse_cart("") == ()
    assert cart_total_cents(lines) == mug.price_cents * 99


def test_typed_values_all_contain_the_typed_text_and_form_a_valid_email() -> None:
    values = dict(typed_values("canary42"))
    assert set(values) == {"name", "email", "address", "notes"}
    assert all("canary42" in text for text in values.values())
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", values["email"])


@pytest.mark.parametrize("bad", ["", "has space", "a@b", "x" * 41])
def test_typed_values_refuse_text_that_would_break_the_form(bad: str) -> None:
    with pytest.raises(ValueError):
        typed_values(bad)
