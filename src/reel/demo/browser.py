"""Launching Debian's Chromium with Playwright (Playwright never downloads a browser for Reel)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Playwright, sync_playwright

FALLBACK_CHROMIUM = "/usr/bin/chromium"

# Quiet, deterministic headless runs: no sandbox (containers run as root), no GPU, no background traffic
# that would compete with the recording or make the network log noisy.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


class ChromiumNotFoundError(RuntimeError):
    """No Chromium executable on this machine (`make chromium` installs Debian's)."""


def find_chromium() -> str:
    """The path of the system Chromium executable."""
    found = shutil.which("chromium")
    if found:
        return found
    if Path(FALLBACK_CHROMIUM).is_file():
        return FALLBACK_CHROMIUM
    raise ChromiumNotFoundError("chromium not found on PATH nor at /usr/bin/chromium; run `make chromium`")


def launch_chromium(playwright: Playwright, *, headless: bool = True) -> Browser:
    """Start the system Chromium under Playwright with Reel's standard flags."""
    return playwright.chromium.launch(
        executable_path=find_chromium(),
        args=list(CHROMIUM_ARGS),
        headless=headless,
    )


@contextmanager
def chromium_browser(*, headless: bool = True) -> Iterator[Browser]:
    """A running Chromium for the duration of the block, closed (with Playwright) afterwards."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, headless=headless)
        try:
            yield browser
        finally:
            browser.close()
