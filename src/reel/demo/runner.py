"""`reel demo`: Reel and the demo shop on embedded storage, with one scripted visit recorded at start."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from pathlib import Path

import click

from reel.admin.applications import create_application
from reel.admin.operators import create_operator
from reel.capture.snippet import snippet_html
from reel.clock import SystemClock
from reel.config import Settings
from reel.demo.serving import serve_in_thread
from reel.demo.shop import create_shop_app
from reel.domain.records import Application
from reel.server.app import create_app
from reel.storage.factory import open_operator_store, open_session_store
from reel.storage.operator_store import OperatorStore
from reel.storage.resource_store import ResourceSettings
from reel.storage.session_store import SessionStore

DEMO_APP_NAME = "Demo shop"
# The demo's operator login, printed at start; fixed so the demo is one command. Never use it beyond the demo.
DEMO_OPERATOR = "demo"
DEMO_PASSWORD = "reel-demo"  # noqa: S105 -- printed on purpose; the demo runs on a private data dir


def snippet(reel_url: str, app_key: str) -> str:
    """The snippet a site adds to be recorded (brief §4): the queue stub and the script tag."""
    return snippet_html(reel_url, app_key)


def demo_application(sessions: SessionStore, shop_port: int) -> Application:
    """The demo shop's application, created on first run and reused after."""
    origins = [f"http://127.0.0.1:{shop_port}", f"http://localhost:{shop_port}"]
    for app in sessions.applications():
        if app.name == DEMO_APP_NAME and set(app.origins) == set(origins):
            return app
    return create_application(sessions, DEMO_APP_NAME, origins, now_ms=SystemClock().now_ms())


def demo_operator(operators: OperatorStore) -> None:
    """Create the demo admin on first run; a later run keeps it (and any password changed since)."""
    if operators.operator_by_name(DEMO_OPERATOR) is None:
        create_operator(operators, DEMO_OPERATOR, "admin", DEMO_PASSWORD, now_ms=SystemClock().now_ms())


def run_demo(*, data_dir: Path, port: int, shop_port: int, visit: bool, forever: bool = True) -> None:
    """Serve Reel and the shop, drive a scripted visit if Chromium is present, then serve until Ctrl-C."""
    settings = Settings(data_dir=data_dir, port=port)
    sessions = open_session_store(settings.resolved_database_url)
    app = demo_application(sessions, shop_port)
    operators = open_operator_store(settings.resolved_database_url)
    demo_operator(operators)
    with ExitStack() as stack:
        reel_app = create_app(settings, sessions=sessions, operators=operators, background=True)
        # The shop runs on this machine: let resource capture fetch from loopback (brief §3.4).
        allow_local = ResourceSettings(app.id, (), allow_private=True, updated_at=SystemClock().now_ms())
        reel_app.state.reel.resources.save_settings(allow_local)
        reel_url = stack.enter_context(serve_in_thread(reel_app, port=port, lifespan="on"))
        shop_url = stack.enter_context(
            serve_in_thread(create_shop_app(snippet(reel_url, app.app_key)), port=shop_port)
        )
        click.echo(f"Reel:      {reel_url}/sessions   (sessions list and player)")
        click.echo(f"Demo shop: {shop_url}/   (recorded by Reel; app key {app.app_key})")
        click.echo(f"Login:     {DEMO_OPERATOR} / {DEMO_PASSWORD}")
        click.echo(f"Data:      {data_dir.resolve()}")
        if visit:
            threading.Thread(target=_scripted_visit, args=(shop_url, reel_url), daemon=True).start()
        while forever:
            time.sleep(3600)


def _scripted_visit(shop_url: str, reel_url: str) -> None:
    try:
        from reel.demo.browser import ChromiumNotFoundError, find_chromium
    except ModuleNotFoundError as exc:  # the slim install has no Playwright: the demo serves without it
        click.echo(f"Skipping the scripted visit: it needs {exc.name} (the development install has it).")
        return
    try:
        find_chromium()
    except ChromiumNotFoundError:
        click.echo("Chromium not found: skipping the scripted visit (`make chromium` installs it).")
        return
    from reel.demo.visit import run_visit_in_chromium

    click.echo("Recording a scripted visit to the shop in headless Chromium…")
    try:
        run_visit_in_chromium(shop_url)
    except Exception as exc:  # the demo keeps serving even if the scripted visit fails
        click.echo(f"The scripted visit failed: {exc}")
        return
    click.echo(f"Done. Play it back at {reel_url}/sessions")
