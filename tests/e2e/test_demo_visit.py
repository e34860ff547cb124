"""The scripted visit against the demo shop alone (no Reel server), in Debian's Chromium."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from playwright.sync_api import Request

from reel.demo.browser import chromium_browser
from reel.demo.serving import serve_in_thread
from reel.demo.shop import FONT_PATH, create_shop_app
from reel.demo.visit import run_scripted_visit, run_visit_in_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STEPS = [
    ("catalogue", "/"),
    ("product", "/products/enamel-mug"),
    ("product-scrolled", "/products/enamel-mug"),
    ("product-top", "/products/enamel-mug"),
    ("modal-open", "/products/enamel-mug"),
    ("modal-closed", "/products/enamel-mug"),
    ("cart", "/cart"),
    ("checkout", "/checkout"),
    ("checkout-filled", "/checkout"),
    ("thanks", "/thanks"),
]

# A stand-in for Reel's recorder that logs its API calls in sessionStorage, so they survive navigations.
FAKE_REEL = """<script>
(function () {
  function log(entry) {
    var calls = JSON.parse(sessionStorage.getItem("fake-reel") || "[]");
    calls.push(entry + "@" + location.pathname);
    sessionStorage.setItem("fake-reel", JSON.stringify(calls));
  }
  window.reel = {
    consent: function (granted) { log("consent:" + granted); },
    flush: function () { log("flush"); return Promise.resolve(); }
  };
})();
</script>"""


@pytest.fixture(scope="module")
def shop_url() -> Iterator[str]:
    with serve_in_thread(create_shop_app("<!-- no Reel here -->")) as url:
        yield url


def test_scripted_visit_walks_the_shop_and_logs_distinct_moments(shop_url: str) -> None:
    log = run_visit_in_chromium(shop_url, typed_text="e2eCanary")

    assert [(m.step, m.path) for m in log.moments] == STEPS
    times = [m.wall_ms for m in log.moments]
    assert log.started_ms <= times[0] and times[-1] <= log.ended_ms
    # Each moment sits in its own quiet stretch, so a replay can be sought to it unambiguously.
    assert all(later - earlier >= 500 for earlier, later in itertools.pairwise(times))
    assert [m.step for m in log.moments if m.modal_open] == ["modal-open"]
    assert log.moment("product-scrolled").scroll_y > 600
    assert log.moment("product-top").scroll_y == 0
    assert log.moment("thanks").url.startswith(f"{shop_url}/thanks?order=KS-")
    assert log.moment("product").title.startswith("Enamel Camp Mug")
    assert all("e2eCanary" in text for text in log.typed_strings) and len(log.typed_strings) == 4


def test_visit_fills_the_form_as_logged_and_leaves_the_cart_empty(shop_url: str) -> None:
    with chromium_browser() as browser:
        page = browser.new_page()
        seen: dict[str, str] = {}

        def remember_form(request: Request) -> None:
            if request.method == "POST":
                seen.update(request.post_data_json or {})

        page.on("request", remember_form)
        log = run_scripted_visit(page, shop_url, typed_text="formCheck", country="SE", pace=0.3)
        assert page.locator("#cart-count").inner_text() == "0"
        page.close()

    typed = dict(log.typed)
    assert {k: seen[k] for k in typed} == typed
    assert seen["country"] == "SE" and seen["gift"] == "yes"


def test_visit_talks_to_reel_when_present_consents_and_flushes_before_navigating() -> None:
    with serve_in_thread(create_shop_app(FAKE_REEL)) as url, chromium_browser() as browser:
        page = browser.new_page()
        run_scripted_visit(page, url, pace=0.3)
        calls: list[str] = page.evaluate("JSON.parse(sessionStorage.getItem('fake-reel'))")
        page.close()

    assert calls[0] == "consent:true@/"
    # After the choice is stored, every later page re-affirms it to the recorder.
    assert "consent:true@/cart" in calls and "consent:true@/thanks" in calls
    assert [c for c in calls if c.startswith("flush")] == [
        "flush@/",
        "flush@/products/enamel-mug",
        "flush@/cart",
        "flush@/checkout",
    ]


def test_declining_consent_is_stored_and_hides_the_banner(shop_url: str) -> None:
    with chromium_browser() as browser:
        page = browser.new_page()
        run_scripted_visit(page, shop_url, consent=False, pace=0.2)
        assert page.evaluate("localStorage.getItem('shop-consent')") == "no"
        page.goto(shop_url + "/")
        assert page.locator("#consent-banner").is_hidden()
        page.close()


def test_shop_renders_its_images_and_web_font(shop_url: str) -> None:
    with chromium_browser() as browser:
        page = browser.new_page()
        page.goto(shop_url + "/products/brass-lamp")
        page.evaluate("document.fonts.ready.then(() => true)")
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        assert broken == []
        font_status = page.evaluate(
            "Array.from(document.fonts).filter(f => f.family.includes('Shop Serif')).map(f => f.status)"
        )
        heading_font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        page.close()
    assert heading_font.startswith('"Shop Serif"')
    assert font_status == (["loaded"] if FONT_PATH.is_file() else ["error"])
