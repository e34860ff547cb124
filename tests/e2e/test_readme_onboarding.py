"""README's "Using Reel on your own site", followed word for word: its commands run in a shell as written
(only the data directory, URLs and ports swapped for this machine's), then a page with the printed snippet
and the README's inline `reel.identify`/`reel.consent(true)` is recorded in Chromium with its user id."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from live import free_port
from reel.demo.browser import chromium_browser
from reel.demo.serving import serve_in_thread

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SECTION = "## Using Reel on your own site"
PASSWORD = "alice-password-1"


def readme_blocks(lang: str) -> list[str]:
    """The fenced blocks of `lang` in the README's own-site section, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) : text.index("\n## ", text.index(SECTION) + 1)]
    return re.findall(rf"```{lang}\n(.*?)```", section, flags=re.DOTALL)


def localised(block: str, swaps: dict[str, str]) -> str:
    """`block` with this machine's directory, URLs and ports; each swapped text must be in the README."""
    for documented, here in swaps.items():
        assert documented in block, f"the README no longer says {documented!r}: update this test"
        block = block.replace(documented, here)
    return block


@contextmanager
def shell(script: str, stdin: str, out: Path, err: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`script` run by bash -e from the repository in a fresh environment (no REEL_* variables of this
    machine), its own process group ended with SIGINT at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REEL_")}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            ["bash", "-e", "-c", script],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"reel serve did not become ready:\n{log.read_text()}")


def test_the_readme_commands_record_an_identified_visit(tmp_path: Path) -> None:
    port, shop_port = free_port(), free_port()
    reel_url, shop_origin = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{shop_port}"
    swaps = {
        "/var/lib/reel": str(tmp_path / "data"),
        "https://reel.example": reel_url,
        "https://shop.example": shop_origin,
        "0.0.0.0": "127.0.0.1",
        "8700": str(port),
    }
    commands, page_html = readme_blocks("sh")[0], readme_blocks("html")[0]
    script = localised(commands, swaps)
    assert script.rstrip().splitlines()[-1].startswith(".venv/bin/reel serve ")
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with shell(script, f"{PASSWORD}\n", out, err) as proc:
        wait_ready(reel_url, proc, err)
        app_key, _created, token, started = out.read_text().splitlines()
        assert "1 application and 1 operator" in started and "WARNING" not in err.read_text()
        snippet = next(line for line in err.read_text().splitlines() if line.startswith("<script>"))
        assert f'src="{reel_url}/capture/reel.js" data-app-key="{app_key}" async' in snippet
        assert (tmp_path / "data" / "reel.sqlite3").is_file()
        auth = {"Authorization": f"Bearer {token}"}
        (app,) = httpx.get(f"{reel_url}/api/v1/applications", headers=auth).json()["applications"]
        assert (app["app_key"], app["origins"]) == (app_key, [shop_origin])

        # The README's page: the printed snippet, then its inline calls, as written.
        inline = page_html[page_html.rindex("<script>\n") :]
        page = f"<!doctype html><html><head>{snippet}{inline}</head><body><button>Buy</button></body></html>"
        shop = Starlette(routes=[Route("/", lambda _request: HTMLResponse(page))])
        with serve_in_thread(shop, port=shop_port) as shop_url, chromium_browser() as browser:
            tab = browser.new_page()
            tab.goto(shop_url)
            tab.wait_for_function("() => window.reel && window.reel.status && window.reel.status().recording")
            tab.click("button")
            tab.evaluate("() => window.reel.flush()")
            sessions = wait_for_sessions(reel_url, auth)
            tab.close()
        assert [s["user_id"] for s in sessions] == ["user-42"]
        events = httpx.get(f"{reel_url}/api/v1/sessions/{sessions[0]['id']}/events", headers=auth).json()
        assert len(events["events"]) > 1


def wait_for_sessions(reel_url: str, auth: dict[str, str]) -> list[dict[str, object]]:
    """The sessions of user-42, once processing has extracted the identify action (seconds)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = httpx.get(f"{reel_url}/api/v1/sessions", params={"user_id": "user-42"}, headers=auth).json()
        if found["sessions"]:
            return list(found["sessions"])
        time.sleep(0.25)
    raise AssertionError("no session of user-42 was recorded")
