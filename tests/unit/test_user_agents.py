"""Browser, OS and device class read from user agent strings as browsers send them."""

from __future__ import annotations

import pytest

from reel.domain.user_context import read_user_agent

CASES = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Safari/537.36 Edg/131.0.2903.70",
        0,
        ("Edge 131", "Windows", "desktop"),
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        0,
        ("Firefox 133", "Linux", "desktop"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Mobile Safari/537.36",
        5,
        ("Chrome 131", "Android", "mobile"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36",
        10,
        ("Samsung Internet 25", "Android", "tablet"),
    ),
    # iPadOS asks for desktop sites as a Mac; only its touch screen tells them apart.
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15",
        5,
        ("Safari 17", "iOS", "tablet"),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Safari/605.1.15",
        0,
        ("Safari 17", "macOS", "desktop"),
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 "
        "Safari/537.36",
        0,
        ("Chrome 130", "Linux", "desktop"),
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
        "Safari/537.36 OPR/115.0.0.0",
        0,
        ("Opera 115", "ChromeOS", "desktop"),
    ),
    ("", 0, ("", "", "")),
    ("curl/8.5.0", 0, ("", "", "")),
]


@pytest.mark.parametrize(("ua", "touch", "expected"), CASES)
def test_user_agents_are_read(ua: str, touch: int, expected: tuple[str, str, str]) -> None:
    assert read_user_agent(ua, touch) == expected
