"""The scripted visit to the demo shop that the demo and the end-to-end tests record.

Route: catalogue → product page → scroll to the reviews and back → add to cart (modal opens) → close the
modal → cart → checkout → type name, e-mail, address and notes, pick a country, tick gift wrap → submit →
thanks. Each moment in the returned `VisitLog` is taken in a quiet stretch (nothing changes for at least
`SETTLE_MS * pace` before and after it), so a replay sought to `wall_ms` should show what it describes.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from playwright.sync_api import Page

from reel.demo.browser import chromium_browser
from reel.demo.catalogue import COUNTRIES, find_product

DEFAULT_TYPED_TEXT = "zq7canary"
SETTLE_MS = 300
DWELL_MS = 400
TYPING_DELAY_MS = 25

# Characters that keep `f"{typed_text}-email@example.test"` a valid address for the form's type=email field.
_TYPED_TEXT_RE = re.compile(r"[A-Za-z0-9._-]{1,40}")

# Flushing is best effort: without Reel it is a no-op, and a hung flush must not stall the visit.
_FLUSH_JS = """() => {
  const reel = window.reel;
  if (!reel || typeof reel.flush !== "function") return false;
  const done = Promise.resolve(reel.flush()).then(() => true, () => false);
  return Promise.race([done, new Promise((resolve) => setTimeout(() => resolve(false), 2000))]);
}"""

_STATE_JS = """() => {
  const modal = document.getElementById("modal");
  return {
    now: Date.now(),
    href: location.href,
    path: location.pathname,
    title: document.title,
    modal: modal !== null && !modal.hidden,
    scrollY: Math.round(window.scrollY),
  };
}"""


@dataclass(frozen=True, slots=True)
class VisitMoment:
    """What the page showed at one wall-clock instant of the visit."""

    step: str
    wall_ms: int
    url: str
    path: str
    title: str
    modal_open: bool
    scroll_y: int


@dataclass(frozen=True, slots=True)
class VisitLog:
    """The moments of one scripted visit, and the text typed into the checkout form."""

    shop_url: str
    started_ms: int
    ended_ms: int
    moments: tuple[VisitMoment, ...]
    typed: tuple[tuple[str, str], ...]
    product_slug: str
    country: str

    @property
    def duration_ms(self) -> int:
        """Wall-clock length of the visit."""
        return self.ended_ms - self.started_ms

    @property
    def typed_strings(self) -> tuple[str, ...]:
        """Every string typed into a form field (none of them may appear in stored replay data)."""
        return tuple(text for _, text in self.typed)

    def moment(self, step: str) -> VisitMoment:
        """The moment recorded under this step name."""
        for moment in self.moments:
            if moment.step == step:
                return moment
        raise KeyError(step)


def typed_values(typed_text: str) -> tuple[tuple[str, str], ...]:
    """The (field id, text) pairs the visit types at checkout, each containing `typed_text`."""
    if not _TYPED_TEXT_RE.fullmatch(typed_text):
        raise ValueError("typed_text must be 1-40 characters of A-Z, a-z, 0-9, '.', '_' or '-'")
    return (
        ("name", f"{typed_text}-name"),
        ("email", f"{typed_text}-email@example.test"),
        ("address", f"{typed_text}-address 12"),
        ("notes", f"{typed_text}-notes ring twice"),
    )


def flush_reel(page: Page) -> None:
    """Ask the Reel recorder, if the page has one, to send what it holds."""
    page.evaluate(_FLUSH_JS)


class _Recorder:
    """Collects moments; pauses so each one sits in a quiet stretch."""

    def __init__(self, page: Page, pace: float) -> None:
        self.page = page
        self.pace = pace
        self.moments: list[VisitMoment] = []

    def wait(self, ms: int) -> None:
        self.page.wait_for_timeout(ms * self.pace)

    def mark(self, step: str) -> None:
        self.wait(SETTLE_MS)
        state = self.page.evaluate(_STATE_JS)
        self.moments.append(
            VisitMoment(
                step=step,
                wall_ms=int(state["now"]),
                url=str(state["href"]),
                path=str(state["path"]),
                title=str(state["title"]),
                modal_open=bool(state["modal"]),
                scroll_y=int(state["scrollY"]),
            )
        )
        self.wait(SETTLE_MS)

    def navigate_by_click(self, selector: str, url_pattern: str) -> None:
        flush_reel(self.page)
        self.page.click(selector)
        self.page.wait_for_url(re.compile(url_pattern))


def run_scripted_visit(
    page: Page,
    shop_url: str,
    *,
    typed_text: str = DEFAULT_TYPED_TEXT,
    consent: bool = True,
    product_slug: str = "enamel-mug",
    country: str = "NO",
    pace: float = 1.0,
) -> VisitLog:
    """Walk the shop from catalogue to thanks page in `page`; `pace` scales every pause (1.0 ≈ 12 s)."""
    typed = typed_values(typed_text)
    if find_product(product_slug) is None:
        raise ValueError(f"unknown product {product_slug!r}")
    if country not in {code for code, _ in COUNTRIES if code}:
        raise ValueError(f"unknown country {country!r}")
    base = shop_url.rstrip("/") + "/"
    rec = _Recorder(page, pace)
    started_ms = int(page.evaluate("Date.now()"))

    page.goto(base)
    # The banner appears only until a choice is stored, so a second visit in the same context skips it.
    banner_button = page.locator("#consent-accept" if consent else "#consent-decline")
    if banner_button.is_visible():
        rec.wait(DWELL_MS)
        banner_button.click()
    rec.mark("catalogue")

    rec.navigate_by_click(f"#card-{product_slug}", rf"/products/{re.escape(product_slug)}$")
    rec.mark("product")

    for _ in range(4):
        page.mouse.wheel(0, 350)
        rec.wait(150)
    rec.mark("product-scrolled")
    for _ in range(4):
        page.mouse.wheel(0, -350)
        rec.wait(150)
    page.evaluate("window.scrollTo(0, 0)")
    rec.mark("product-top")

    page.fill("#quantity", "2")
    page.click("#add-to-cart")
    page.wait_for_selector("#modal", state="visible")
    rec.mark("modal-open")
    rec.wait(DWELL_MS)
    page.click("#modal-continue")
    page.wait_for_selector("#modal", state="hidden")
    rec.mark("modal-closed")

    rec.navigate_by_click("#nav-cart", r"/cart$")
    rec.mark("cart")

    rec.navigate_by_click("#checkout-link", r"/checkout$")
    rec.mark("checkout")

    for field, text in typed[:3]:
        page.locator(f"#{field}").press_sequentially(text, delay=TYPING_DELAY_MS * pace)
        rec.wait(150)
    page.select_option("#country", country)
    rec.wait(DWELL_MS)
    page.check("#gift")
    rec.wait(DWELL_MS)
    field, text = typed[3]
    page.locator(f"#{field}").press_sequentially(text, delay=TYPING_DELAY_MS * pace)
    rec.mark("checkout-filled")

    rec.navigate_by_click("#place-order", r"/thanks\?order=")
    rec.mark("thanks")

    ended_ms = int(page.evaluate("Date.now()"))
    return VisitLog(
        shop_url=shop_url,
        started_ms=started_ms,
        ended_ms=ended_ms,
        moments=tuple(rec.moments),
        typed=typed,
        product_slug=product_slug,
        country=country,
    )


def run_visit_in_chromium(
    shop_url: str,
    *,
    typed_text: str = DEFAULT_TYPED_TEXT,
    consent: bool = True,
    product_slug: str = "enamel-mug",
    country: str = "NO",
    pace: float = 1.0,
    headless: bool = True,
    close_grace_ms: int = 1000,
) -> VisitLog:
    """Run the scripted visit in a fresh system Chromium, then close the tab so `pagehide` fires."""
    with chromium_browser(headless=headless) as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        log = run_scripted_visit(
            page,
            shop_url,
            typed_text=typed_text,
            consent=consent,
            product_slug=product_slug,
            country=country,
            pace=pace,
        )
        page.close()
        # The recorder's last beacon leaves with keepalive from `pagehide`; the browser must outlive it.
        if close_grace_ms > 0:
            time.sleep(close_grace_ms / 1000)
        context.close()
    return log
