"""`reel serve` builds its routes and compiles its templates before it answers: a new server's first
requests build no route and compile no template (reel.server.warmup)."""

from __future__ import annotations

import gc
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fastapi.routing
import jinja2
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reel.cli.main import cli
from reel.clock import FixedClock
from reel.config import Settings
from reel.player import pages
from reel.server import draining, login, logs
from reel.server.app import create_app
from reel.server.warmup import warm_up
from support import admin_headers

# One request per kind of page and API, each through a different router: health, login, the pages, the API.
PATHS = ("/healthz", "/login", "/sessions", "/applications", "/api/v1/sessions", "/api/v1/applications")


@contextmanager
def counting(owner: Any, name: str) -> Iterator[list[int]]:
    """Counts the calls of `owner.name` while the block runs."""
    calls = [0]
    original: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(owner, name, counted)
        yield calls


def forget_templates() -> None:
    """Compiled templates are kept per process: start as a new one does."""
    for templates in (pages.templates, login.templates):
        cache = templates.env.cache
        if cache is not None:
            cache.clear()


def answered(app: FastAPI, headers: dict[str, str]) -> tuple[int, int]:
    """Route states built and templates compiled while `app` answers PATHS (started and stopped here)."""
    with (
        TestClient(app, headers=headers) as client,
        # FastAPI's own function for a route's parameters and dependencies: the work the warm-up moves.
        counting(fastapi.routing, "_populate_api_route_state") as built,
        counting(jinja2.Environment, "compile") as compiled,
    ):
        for path in PATHS:
            assert client.get(path).status_code == 200, path
    return built[0], compiled[0]


def first_requests(settings: Settings, clock: FixedClock, *, warm: bool) -> tuple[int, int]:
    """Route states built and templates compiled while a new app answers PATHS for the first time."""
    forget_templates()
    app = create_app(settings, clock=clock)
    if warm:
        warm_up(app)
    return answered(app, admin_headers(app.state.reel.operators, now_ms=clock.now_ms(), name=f"admin-{warm}"))


def test_after_the_warm_up_the_first_requests_build_no_route_and_compile_no_template(
    settings: Settings, clock: FixedClock
) -> None:
    built, compiled = first_requests(settings, clock, warm=False)
    assert built > 0 and compiled > 0  # what a new server's first requests pay without the warm-up
    assert first_requests(settings, clock, warm=True) == (0, 0)


def test_reel_serve_hands_the_server_a_warmed_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[int, int]] = []

    def serve_app(app: FastAPI, settings: Settings, sock: socket.socket | None = None) -> None:
        if sock is not None:
            sock.close()
        try:
            ctx = app.state.reel
            served.append(answered(app, admin_headers(ctx.operators, now_ms=ctx.clock.now_ms())))
        finally:
            gc.unfreeze()  # `reel serve` froze this test process's objects out of the collector

    forget_templates()
    monkeypatch.setattr(draining, "serve_app", serve_app)
    monkeypatch.setattr(logs, "configure_logging", lambda _format: None)  # the test run's logging stays
    result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), "--port", "0", "--no-work"])
    assert result.exit_code == 0, result.output
    assert served == [(0, 0)]
