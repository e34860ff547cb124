"""The user's browser and device: the recorder's context (web-beacon.md) read into session fields (pure).

Browser, OS and device class are read from the user agent string here, once, so the recorder stays
small; what the string cannot tell (an iPad that calls itself a Mac) the touch point count settles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEVICES = ("desktop", "mobile", "tablet")


@dataclass(frozen=True, kw_only=True)
class UserContext:
    """The user context fields of a session ('' or 0 where unknown); `Session` extends it."""

    browser: str = ""
    """The user's browser and major version ("Chrome 131"), read from the recorder's context."""
    os: str = ""
    """The user's operating system ("Windows", "macOS", "Android" …)."""
    device: str = ""
    """'desktop', 'mobile' or 'tablet' ('' when unknown)."""
    viewport_width: int = 0
    viewport_height: int = 0
    language: str = ""
    """The browser's language (a BCP 47 tag, "en-GB")."""
    timezone: str = ""
    """The browser's IANA time zone ("Europe/Paris")."""
    referrer: str = ""
    """The page the visit came from (document.referrer, through the capture URL rules)."""


# First match wins: Edge and Opera also say Chrome, Chrome also says Safari.
_BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/(\d+)")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/(\d+)")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"\b(?:HeadlessChrome|Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"\bVersion/(\d+)[.\d]*(?: Mobile/\S+)? Safari/")),
)
_OSES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Windows", re.compile(r"\bWindows\b")),
    ("iOS", re.compile(r"\b(?:iPhone|iPad|iPod)\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def read_user_agent(ua: str, touch_points: int = 0) -> tuple[str, str, str]:
    """(browser with its major version, OS, device class) of a user agent string; '' where unknown."""
    if not ua:
        return "", "", ""
    browser = next((f"{name} {m.group(1)}" for name, rx in _BROWSERS if (m := rx.search(ua))), "")
    os = next((name for name, rx in _OSES if rx.search(ua)), "")
    if not browser and not os:
        return "", "", ""  # not a browser (a script, a bot): nothing to say about its device
    if "iPad" in ua or (os == "Android" and "Mobile" not in ua) or (os == "macOS" and touch_points > 1):
        device = "tablet"  # iPadOS 13+ reports a Mac; only its touch screen gives it away
        os = "iOS" if os == "macOS" else os
    elif os in ("iOS", "Android") or "Mobi" in ua:
        device = "mobile"
    else:
        device = "desktop"
    return browser, os, device
