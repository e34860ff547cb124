"""How masked text, detector matches, URLs, CSS strings and messages are written."""

from __future__ import annotations

import pytest

from reel.domain.rules import UrlPolicy
from reel.replay.masking import mask_detected, mask_text, mask_url
from reel.replay.masking.css import mask_css
from reel.replay.masking.detectors import luhn, mod97
from reel.replay.masking.text import mask_message, star_count
from reel.replay.masking.urls import mask_css_urls, mask_srcset

ALL = ("email", "card", "phone", "iban")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Ada Lovelace", "******** ********"),  # 12 -> 16 stars, a space after every 8
        ("Ada", "****"),  # at least 4
        ("abcde", "********"),
        ("abcdefgh", "********"),
        ("abcdefghi", "******** ********"),
        ("  Ada\n", "  ****\n"),  # whitespace around is kept
        ("", ""),
        ("   ", "   "),
        ("****", "****"),  # masked already
        ("******** ********", "******** ********"),
        (" * ", " * "),
        ("😀😀😀", "********"),  # 6 UTF-16 units, as the recorder counts
    ],
)
def test_masked_text_is_stars_by_a_power_of_two(text: str, masked: str) -> None:
    assert mask_text(text) == masked
    assert mask_text(masked) == masked


def test_the_star_count_never_says_the_length_and_is_capped() -> None:
    assert [star_count(n) for n in (1, 4, 5, 8, 9, 16, 17, 1000, 5000)] == [
        4,
        4,
        8,
        8,
        16,
        16,
        32,
        1024,
        2048,
    ]
    assert mask_text("x" * 100_000).count("*") == 2048


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("write to ada.lovelace+x@example.co.uk today", "ada.lovelace+x@example.co.uk"),
        ("card 4111 1111 1111 1111 exp 12/29", "4111 1111 1111 1111"),
        ("card 4111-1111-1111-1111.", "4111-1111-1111-1111"),
        ("id 99 4111111111111111 9", "4111111111111111"),  # a group of a longer run of digits
        ("ref 12 4111 1111 1111 1111", "4111 1111 1111 1111"),
        ("call +44 (20) 7946-0958 now", "7946-0958"),
        ("tel 555.123.4567", "555.123.4567"),
        ("IBAN DE89 3704 0044 0532 0130 00 is mine", "DE89 3704 0044 0532 0130 00"),
        ("gb82west12345698765432", "gb82west12345698765432"),
    ],
)
def test_detectors_mask_what_they_find(text: str, gone: str) -> None:
    masked = mask_detected(text, ALL)
    assert gone not in masked and "*" in masked
    assert mask_detected(masked, ALL) == masked


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("order 12345, 2 items", ALL),
        ("version 1.2.3 @home", ALL),
        ("a@b", ALL),
        ("4111 1111 1111 1112", ("card",)),  # fails Luhn (its last 9-15 digits do look like a phone)
        ("41111111111111112345678", ("card",)),  # 23 digits in one group: no card (a phone: masked whole)
        ("DE89 3704 0044 0532 0130 01", ("iban",)),  # fails mod 97
    ],
)
def test_detectors_leave_the_rest(text: str, names: tuple[str, ...]) -> None:
    assert mask_detected(text, names) == text


def test_only_the_named_detectors_run() -> None:
    text = "ada@example.com 4111 1111 1111 1111"
    assert mask_detected(text, ("card",)).startswith("ada@example.com ")
    assert mask_detected(text, ()) == text


def test_checksums() -> None:
    assert luhn("4111111111111111") and not luhn("4111111111111112")
    assert (
        mod97("DE89370400440532013000")
        and mod97("gb82west12345698765432")
        and not mod97("DE00370400440532013000")
    )


DEFAULT = UrlPolicy(None, None, ALL)
TOKEN = UrlPolicy(frozenset({"token"}), None, ALL)


@pytest.mark.parametrize(
    ("policy", "url", "masked"),
    [
        (DEFAULT, "https://shop.test/a?b=1&c=&d#frag", "https://shop.test/a?b=***&c=&***"),
        (DEFAULT, "/p/1", "/p/1"),
        (DEFAULT, "https://user:pw@shop.test/", "https://shop.test/"),
        (DEFAULT, "HTTPS://Shop.test/x", "https://Shop.test/x"),
        (DEFAULT, "#section", "#section"),  # a reference to an element of the same document
        (DEFAULT, "#access_token=abc&state=1", ""),  # a fragment carrying data is dropped
        (DEFAULT, "mailto:ada@example.com?subject=hi", "mailto:***"),
        (DEFAULT, "tel:+15551234567", "tel:***"),
        (DEFAULT, "data:image/png;base64,AAAA?x=1", "data:image/png;base64,AAAA?x=1"),
        (DEFAULT, "/users/ada%40example.com/orders", "/users/***/orders"),
        (TOKEN, "/cb?token=abc&page=2", "/cb?token=***&page=2"),
        (TOKEN, "/cb?page=ada@example.com", "/cb?page=***"),
        (TOKEN, "/cb?to%6ben=abc", "/cb?to%6ben=***"),  # names compared decoded
        (
            UrlPolicy(frozenset(), __import__("re").compile("^[0-9a-f]{24,}$"), ()),
            "/o/5f2b9c0e1d3a4b5c6d7e8f90/x",
            "/o/***/x",
        ),
    ],
)
def test_url_rules(policy: UrlPolicy, url: str, masked: str) -> None:
    assert mask_url(url, policy) == masked
    assert mask_url(masked, policy) == masked


def test_srcset_and_css_urls() -> None:
    assert mask_srcset("a.jpg?v=1 1x, b.jpg?v=2 2x", DEFAULT) == "a.jpg?v=*** 1x, b.jpg?v=*** 2x"
    css = 'a{background:url("/i.png?u=ada")} b{background:URL( /j.png?k=1 )}'
    assert mask_css_urls(css, DEFAULT) == 'a{background:url("/i.png?u=***")} b{background:url(/j.png?k=***)}'


@pytest.mark.parametrize(
    ("css", "masked"),
    [
        ('p::before{content:"Ada Lovelace"}', 'p::before{content:"******** ********"}'),
        (
            "p::after { CONTENT : 'Ada' attr(title) ; color: red }",
            "p::after { CONTENT : '****' attr(title) ; color: red }",
        ),
        ('p{content:""}', 'p{content:""}'),
        ('.content:hover{font-family:"Arial"}', '.content:hover{font-family:"Arial"}'),
        ('p{align-content:"x"; --content: "y"}', 'p{align-content:"****"; --content: "****"}'),
        ('p{content:"a\\"b"}', 'p{content:"****"}'),
        ('p{content:"unterminated', 'p{content:"******** ********'),
        # Any declaration's strings (custom properties, quotes, list markers), in attributes too...
        ("--name:'Ada';content:var(--name)", "--name:'****';content:var(--name)"),
        ('q{quotes:"<" ">"} li{list-style:"Ada"}', 'q{quotes:"****" "****"} li{list-style:"****"}'),
        # ...but not the strings that name fonts, grid areas or features, nor selectors, @import, url().
        (
            '.a{font:12px "Open Sans";grid-template-areas:"a b" "c d";font-feature-settings:"liga"}',
            '.a{font:12px "Open Sans";grid-template-areas:"a b" "c d";font-feature-settings:"liga"}',
        ),
        (
            '@import "x.css"; a:not([title="t"]) b:hover{content:"Ada"}',
            '@import "x.css"; a:not([title="t"]) b:hover{content:"****"}',
        ),
        (
            'p{background:url("/a.png");content:/* "c" */"Ada"}',
            'p{background:url("/a.png");content:/* "c" */"****"}',
        ),
    ],
)
def test_css_declaration_strings_are_masked_like_text(css: str, masked: str) -> None:
    assert mask_css(css, mask_text, DEFAULT) == masked
    assert mask_css(masked, mask_text, DEFAULT) == masked


def test_messages_keep_their_error_name() -> None:
    assert mask_message("TypeError: x is undefined", True) == "TypeError: ******** ********"
    assert mask_message("Error: boom", True) == "Error: ****"
    assert mask_message("plain", True) == "********"
    assert mask_message("TypeError: shown", False) == "TypeError: shown"
