"""The recorder's masking on the golden masking vectors (tests/vectors/masking.json), in Chromium.

A harness page (web/test/harness/masking.ts, bundled by esbuild) is served at the vector's page URL and
built from the vector's full snapshot; Reel's Recorder records it (rrweb with Reel's options, then
scrub), and the harness makes each later change of the vector on the live page (mutations, typing,
inserted CSS rules, custom events) for rrweb to record. What the Recorder would send must be the
vector's `masked` stream, the same one replay's masker is held to (tests/unit/test_masking_vectors.py).
The same page recorded by rrweb without masking must give the vector's `events`: the inputs are real
recordings, not shapes only Reel's Python would accept.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Route

from reel.demo.browser import chromium_browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CASES: list[dict[str, Any]] = json.loads((ROOT / "tests" / "vectors" / "masking.json").read_text("utf-8"))[
    "cases"
]
PAGE = "<!DOCTYPE html><html><head><script src='/__reel_harness.js'></script></head><body></body></html>"


@pytest.fixture(scope="module")
def harness() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is needed to bundle the recorder's harness")
    done = subprocess.run(
        [node, "scripts/bundle-test.mjs", "test/harness/masking.ts"],
        cwd=WEB,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser() as b:
        yield b


def record(browser: Browser, harness: str, case: dict[str, Any], *, raw: bool) -> list[dict[str, Any]]:
    """What the harness page records of the vector: masked by the Recorder, or by rrweb alone unmasked."""
    meta = case["events"][0]["data"]
    context = browser.new_context(viewport={"width": meta["width"], "height": meta["height"]})
    try:
        page = context.new_page()

        def serve(route: Route) -> None:
            if route.request.url.endswith("/__reel_harness.js"):
                route.fulfill(body=harness, content_type="application/javascript")
            elif route.request.resource_type == "document":
                route.fulfill(body=PAGE, content_type="text/html")
            else:
                route.fulfill(status=404, body="")  # images of the vectors: a broken image keeps its size

        page.route("**/*", serve)
        page.goto(meta["href"])
        events: list[dict[str, Any]] = page.evaluate(
            "([rules, events, raw]) => reelMaskingHarness.run(rules, events, raw)",
            [case["rules"], case["events"], raw],
        )
    finally:
        context.close()
    for event in events:
        event.pop("timestamp", None)
    return events


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_recorder_masks_each_vector_as_the_vector_says(
    browser: Browser, harness: str, case: dict[str, Any]
) -> None:
    assert record(browser, harness, case, raw=False) == case["masked"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_vectors_input_is_what_rrweb_records_of_the_page(
    browser: Browser, harness: str, case: dict[str, Any]
) -> None:
    assert record(browser, harness, case, raw=True) == case["events"]
