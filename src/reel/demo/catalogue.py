"""The demo shop's products, reviews and shipping countries: fixed data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Review:
    """One customer review shown under a product."""

    author: str
    stars: int
    text: str


@dataclass(frozen=True, slots=True)
class Product:
    """One product of the catalogue; `slug` names its page and its image."""

    slug: str
    name: str
    price_cents: int
    tagline: str
    description: str
    accent: str

    @property
    def price(self) -> str:
        """The price as shown to shoppers."""
        return format_cents(self.price_cents)

    @property
    def image_url(self) -> str:
        """Where the shop serves this product's illustration."""
        return f"/static/img/{self.slug}.svg"

    @property
    def url(self) -> str:
        """This product's page."""
        return f"/products/{self.slug}"


PRODUCTS: tuple[Product, ...] = (
    Product(
        "enamel-mug",
        "Enamel Camp Mug",
        1800,
        "Chip-proof rim, speckled finish.",
        "A steel mug coated in speckled enamel, light enough for a backpack and sturdy enough "
        "for the office. Holds 350 ml and keeps its colour after a thousand dishwasher runs.",
        "#2f6f73",
    ),
    Product(
        "pour-over-kettle",
        "Gooseneck Kettle",
        6400,
        "A slow, steady pour.",
        "A one-litre gooseneck kettle for pour-over coffee. The thin spout lets you control "
        "the flow drop by drop; the handle stays cool.",
        "#b4532a",
    ),
    Product(
        "linen-tote",
        "Linen Market Tote",
        2900,
        "Carries twelve kilos of groceries.",
        "Washed linen with leather handles and an inside pocket for keys. Folds flat into "
        "its own pocket when the shopping is done.",
        "#8a7d4f",
    ),
    Product(
        "ceramic-planter",
        "Ribbed Planter",
        3600,
        "Hand-thrown, with a drainage dish.",
        "A stoneware planter with a ribbed outside and a matching saucer. Fits a 14 cm "
        "nursery pot; every one is a little different.",
        "#6b8f5e",
    ),
    Product(
        "brass-lamp",
        "Brass Desk Lamp",
        11900,
        "Warm light for late work.",
        "A solid brass lamp with a pivoting head and a fabric cord. Takes an E14 bulb and "
        "ages into a soft patina.",
        "#c79a2e",
    ),
    Product(
        "wool-throw",
        "Striped Wool Throw",
        8800,
        "Woven on a 1960s loom.",
        "A lambswool throw, 130 by 180 cm, woven in stripes of rust and cream. Warm without being heavy.",
        "#a8442f",
    ),
    Product(
        "field-notebook",
        "Field Notebook Set",
        1400,
        "Three pocket notebooks.",
        "Three dot-grid notebooks with kraft covers and rounded corners, 48 pages each. "
        "Fountain-pen friendly paper.",
        "#44546a",
    ),
    Product(
        "tea-tin",
        "Loose Leaf Tea Tin",
        2200,
        "Airtight, with a double lid.",
        "A tin-plated caddy with a double lid that keeps 150 g of tea fresh for months. "
        "Printed with a pattern of pine cones.",
        "#5d4a7a",
    ),
)

_BY_SLUG = {product.slug: product for product in PRODUCTS}

# Reviews are generated from fixed parts so every product page is long enough to scroll.
_REVIEW_AUTHORS = ("Mara K.", "Tobias L.", "Priya N.", "Jon E.", "Ines R.", "Kwame A.", "Lena S.", "Ola B.")
_REVIEW_TEXTS = (
    "Arrived well packed and a day early. Exactly as pictured.",
    "Better made than I expected for the price. I bought a second one as a gift.",
    "Nice colour, though slightly smaller than I imagined. Still five stars for quality.",
    "Have used it every day for three months and it still looks new.",
    "The details are lovely. You can tell someone cared about this.",
    "Customer service answered my question within an hour.",
)

COUNTRIES: tuple[tuple[str, str], ...] = (
    ("", "Choose a country"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("ES", "Spain"),
    ("FR", "France"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("SE", "Sweden"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
)


def find_product(slug: str) -> Product | None:
    """The product with this slug, or None."""
    return _BY_SLUG.get(slug)


def reviews_for(product: Product) -> tuple[Review, ...]:
    """The fixed reviews shown on a product's page."""
    offset = PRODUCTS.index(product)
    return tuple(
        Review(
            author=_REVIEW_AUTHORS[(offset + i) % len(_REVIEW_AUTHORS)],
            stars=5 - (offset + i) % 3,
            text=_REVIEW_TEXTS[(offset + i) % len(_REVIEW_TEXTS)],
        )
        for i in range(6)
    )


def parse_cart(raw: str | None) -> tuple[tuple[Product, int], ...]:
    """The cart held in the shop's cookie (`slug:qty|slug:qty`); unknown or bad entries are skipped."""
    if not raw:
        return ()
    quantities: dict[str, int] = {}
    for entry in raw.split("|"):
        slug, _, qty_text = entry.partition(":")
        if slug not in _BY_SLUG or not qty_text.isdigit():
            continue
        quantities[slug] = min(99, quantities.get(slug, 0) + int(qty_text))
    return tuple((_BY_SLUG[slug], qty) for slug, qty in quantities.items() if qty > 0)


def cart_total_cents(lines: tuple[tuple[Product, int], ...]) -> int:
    """The sum of a cart's lines in cents."""
    return sum(product.price_cents * qty for product, qty in lines)


def format_cents(cents: int) -> str:
    """An amount in cents as shown to shoppers."""
    return f"${cents // 100}.{cents % 100:02d}"
