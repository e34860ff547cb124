"""Issue 12, end to end at scale: three `reel serve --no-work` and two `reel worker` processes on
PostgreSQL and an S3 server, real recorder traffic from several Chromium pages spread over the serve
processes, one serve and one worker killed with SIGKILL mid-run and restarted. Afterwards every
acknowledged beacon is stored once, every session's actions are counted once, splits are right, and
every session plays."""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from live import OPERATOR, PASSWORD, free_port, open_logged_in
from reel.admin.applications import create_application
from reel.admin.operators import create_operator, issue_token
from reel.capture.snippet import snippet_html
from reel.config import Settings
from reel.demo.browser import chromium_browser
from reel.demo.serving import serve_in_thread
from reel.domain.records import SessionQuery
from reel.storage.factory import open_operator_store, open_session_store
from reel_process import ReelProcess
from services import Backend

SERVES, WORKERS, PAGES = 3, 2, 6
CLICKS = 24
SPLIT_AFTER = 10
"""A load and 24 clicks are 25 actions: parts of 10, 10 and 5."""


def page_html(reel_url: str, app_key: str, n: int) -> str:
    buttons = "".join(
        f'<button id="b{i}" onclick="this.textContent=\'done {i}\'">Buy {i}</button>' for i in range(8)
    )
    return (
        f"<!doctype html><html><head><title>Shop {n}</title>"
        f"{snippet_html(reel_url, app_key, consent='granted')}</head>"
        f"<body><h1>Shop page {n}</h1><main>{buttons}</main></body></html>"
    )


class Acks:
    """Beacons the recorders saw acknowledged: (recording id, seq), read from each request's body."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acked: set[tuple[str, int]] = set()

    def on_response(self, response: Any) -> None:
        if "/v1/web/beacons" not in response.url or response.request.method != "POST":
            return
        if response.status != 200:
            return
        body = response.request.post_data_buffer or b""
        if "ce=gzip" in response.url:
            body = gzip.decompress(body)
        doc = orjson.loads(body)
        with self.lock:
            self.acked.add((str(doc["recording_id"]), int(doc["seq"])))


@pytest.fixture
def processes(tmp_path: Path, backend: Backend) -> Iterator[dict[str, list[ReelProcess]]]:
    env = {**backend.env(), "REEL_BEACONS_PER_SECOND": "0", "REEL_SPLIT_AFTER_ACTIONS": str(SPLIT_AFTER)}
    data = tmp_path / "data"
    serves = [ReelProcess(data, tmp_path / f"serve-{i}.log", env=env) for i in range(SERVES)]
    workers = [
        ReelProcess(data, tmp_path / f"worker-{i}.log", env=env, command="worker") for i in range(WORKERS)
    ]
    try:
        for p in serves:
            p.start("--no-work")
        for p in workers:
            p.start()
        for p in serves:
            p.wait_ready(timeout_s=60)
        yield {"serve": serves, "worker": workers}
    finally:
        for p in serves + workers:
            p.stop()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgres-s3"], indirect=True)
def test_three_servers_and_two_workers_lose_nothing_and_count_once(
    tmp_path: Path, backend: Backend, processes: dict[str, list[ReelProcess]]
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=backend.database_url, blob_url=backend.blob_url
    )
    shop_port = free_port()
    origin = f"http://127.0.0.1:{shop_port}"
    sessions = open_session_store(settings.resolved_database_url)
    operators = open_operator_store(settings.resolved_database_url)
    now = int(time.time() * 1000)
    app = create_application(sessions, "Shop", [origin], now_ms=now)
    admin = create_operator(operators, OPERATOR, "admin", PASSWORD, now_ms=now)
    _token, secret = issue_token(operators, admin, "scale", now_ms=now)
    auth = {"Authorization": f"Bearer {secret}"}
    serves, workers = processes["serve"], processes["worker"]
    html = {n: page_html(serves[n % SERVES].url, app.app_key, n) for n in range(PAGES)}

    async def shop_page(request: Request) -> HTMLResponse:
        return HTMLResponse(html[int(request.path_params["n"])])

    shop = Starlette(routes=[Route("/page/{n:int}", shop_page)])
    acks = Acks()
    with serve_in_thread(shop, port=shop_port), chromium_browser() as browser:
        pages = []
        for n in range(PAGES):
            page = browser.new_page()
            page.on("response", acks.on_response)
            page.goto(f"{origin}/page/{n}")
            page.wait_for_function(
                "() => window.reel && window.reel.status && window.reel.status().recording"
            )
            pages.append(page)
        for click in range(CLICKS):
            for page in pages:
                page.click(f"#b{click % 8}")
            if click == CLICKS // 3:
                serves[1].kill9()  # its pages' recorders retry until it is back
                workers[0].kill9()  # its leases run out; the other worker takes its recordings
            if click == CLICKS // 2:
                serves[1].start("--no-work")
                serves[1].wait_ready(timeout_s=60)
                workers[0].start()
            if click % 6 == 5:
                for page in pages:
                    page.evaluate("() => { void window.reel.flush(); }")  # no wait: a dead server delays it
            time.sleep(0.15)
        for page in pages:
            page.close(run_before_unload=True)  # the final beacon, as a tab closes
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            listed = sessions.list_sessions(SessionQuery(limit=1000)).sessions
            if len(listed) == PAGES * 3 and sum(s.actions for s in listed) == PAGES * (CLICKS + 1):
                break
            time.sleep(1)

        # Every acknowledged beacon stored once (the primary key makes "once"; here: none missing).
        recordings = {rec for rec, _ in acks.acked}
        assert len(recordings) == PAGES
        stored = {(b.recording_id, b.seq) for rec in recordings for b in sessions.beacons(rec)}
        assert acks.acked <= stored, sorted(acks.acked - stored)[:5]
        # Actions counted once and splits right: each recording a load and its clicks, in parts of 10.
        listed = sessions.list_sessions(SessionQuery(limit=1000)).sessions
        by_recording: dict[str, list[Any]] = {}
        for s in listed:
            by_recording.setdefault(s.recording_id, []).append(s)
        for rec, parts in by_recording.items():
            parts.sort(key=lambda s: s.part)
            assert [s.actions for s in parts] == [10, 10, 5], (rec, [s.actions for s in parts])
            kinds = Counter(a.kind for s in parts for a in sessions.actions(s.id))
            assert kinds["click"] == CLICKS and kinds["load"] == 1, (rec, kinds)
            every = [(a.ts, a.kind, a.target) for s in parts for a in sessions.actions(s.id)]
            assert len(every) == len(set(every)), f"{rec}: an action stored twice"
        # Every session plays: the player of each part draws it, through any of the serve processes.
        page = browser.new_page()
        open_logged_in(page, f"{serves[0].url}/sessions")
        for n, s in enumerate(listed):
            url = f"{serves[n % SERVES].url}/sessions/{s.id}"
            if n % SERVES:
                page.context.clear_cookies()
                open_logged_in(page, url)
            else:
                page.goto(url)
            page.wait_for_function("() => window.reelPlayer !== undefined")
            page.evaluate("() => window.reelPlayer.ready")
            assert page.evaluate("() => window.reelPlayer.state()") not in ("error", "empty"), s.id
            assert page.evaluate("() => window.reelPlayer.iframe() !== null"), s.id
        response = httpx.get(f"{serves[2].url}/api/v1/sessions", headers=auth)
        assert response.json()["total"] == PAGES * 3
    sessions.close()
    operators.close()
