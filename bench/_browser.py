"""The Chromium the page-opening benchmarks (P1 deep links, P5) measure in: Reel's, without the
omnibox popup that Chromium 156 builds for every new window.

Each Playwright page is a new browser window, and for each one Chromium starts a "top chrome" WebUI
renderer for the address bar's popup and runs its scripts: about 0.6 s of one core (a trace of a deep
link: 660 ms of that renderer's main thread in the 700 ms the page took), at the very moment the page
under test loads. An operator opening a link in a browser that runs already pays none of it, and on a
2-core machine it took a core from the page. Puppeteer disables the same two features by default.

Chromium keeps only the last `--disable-features` it is given, so the list restates Playwright's own
(playwright 1.65, `chromiumSwitches`) before adding the two: checked on the renderers' command lines,
which carry the effective list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

from reel.demo.browser import CHROMIUM_ARGS, find_chromium

PLAYWRIGHT_DISABLED = (
    "AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,"
    "HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,"
    "AvoidCorsURLLoaderRestartOnRedirect,TcpPortRandomizationWin,OptimizationHints,"
    "NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch"
)
NO_OMNIBOX_POPUP = "WebUIOmniboxPopup,WebUIOmniboxAimPopup"


@contextmanager
def quiet_chromium() -> Iterator[Browser]:
    """Reel's headless Chromium without the per-window omnibox popup, for the duration of the block."""
    args = [*CHROMIUM_ARGS, f"--disable-features={PLAYWRIGHT_DISABLED},{NO_OMNIBOX_POPUP}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=args, headless=True)
        try:
            yield browser
        finally:
            browser.close()
