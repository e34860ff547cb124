"""`reel serve` builds its routes and compiles its templates before it answers: a first request after a start
costs what the next ones do (reel.server.warmup)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import fastapi.routing
import jinja2
import pytest
from fastapi.testclient import TestClient

from reel.clock import FixedClock
from reel.config import Settings
from reel.player import pages
from reel.server import login
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


def first_requests(settings: Settings, clock: FixedClock, *, warm: bool) -> tuple[int, int]:
    """Route states built and templates compiled while a new app answers PATHS for the first time."""
    for templates in (pages.templates, login.templates):
        templates.env.cache.clear()  # compiled templates are kept per process: start as a new one does
    app = create_app(settings, clock=clock)
    if warm:
        warm_up(app)
    headers = admin_headers(app.state.reel.operators, now_ms=clock.now_ms(), name=f"admin-{warm}")
    with (
        TestClient(app, headers=headers) as client,
        # FastAPI's own function for a route's parameters and dependencies: the work the warm-up moves.
        counting(fastapi.routing, "_populate_api_route_state") as built,
        counting(jinja2.Environment, "compile") as compiled,
    ):
        for path in PATHS:
            assert client.get(path).status_code == 200, path
    return built[0], compiled[0]


def test_after_the_warm_up_the_first_requests_build_no_route_and_compile_no_template(
    settings: Settings, clock: FixedClock
) -> None:
    built, compiled = first_requests(settings, clock, warm=False)
    assert built > 0 and compiled > 0  # what a new server's first requests pay without the warm-up
    assert first_requests(settings, clock, warm=True) == (0, 0)
