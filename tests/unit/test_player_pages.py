"""The operator pages (session list and player): routes, id validation, and markup fit for a strict CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from reel.api.auth import Caller, page_caller
from reel.clock import FixedClock
from reel.config import Settings
from reel.errors import ReelError
from reel.player import pages
from reel.runtime.responses import error_response
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.operator_store import Operator

PLAYER_STATIC = Path(pages.__file__).parent / "static"
OPERATOR = Operator(id="op_test", name="Ada", role="viewer", app_ids=None, created_at=0)


def pages_app(caller: Caller, built_dir: Path) -> FastAPI:
    """Only the page router and the two static mounts, logged in as `caller`."""
    app = FastAPI()
    app.include_router(pages.router)
    app.mount("/static/built", StaticFiles(directory=built_dir), name="built")
    app.mount("/static/player", StaticFiles(directory=PLAYER_STATIC), name="player-static")
    app.dependency_overrides[page_caller] = lambda: caller

    async def on_reel_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ReelError)
        return error_response(exc)

    app.add_exception_handler(ReelError, on_reel_error)
    return app


@pytest.fixture
def built_dir(tmp_path: Path) -> Path:
    built = tmp_path / "built"
    built.mkdir()
    (built / "player.js").write_text("/* bundle */")
    return built


@pytest.fixture
def client(built_dir: Path) -> Iterator[TestClient]:
    with TestClient(pages_app(Caller(OPERATOR, "cookie"), built_dir), follow_redirects=False) as c:
        yield c


def assert_csp_friendly(html: str) -> None:
    """No inline script, event handler or style attribute: the pages must run under a strict CSP."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert re.search(r"<script\b[^>]*>(?!</script>)", html) is None, "inline script body"
    assert re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE) is None, "inline event handler"
    assert re.search(r"\sstyle\s*=", html, re.IGNORECASE) is None, "inline style attribute"
    assert "<style" not in html


def test_root_redirects_to_the_session_list(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/sessions"


def test_session_list_page_is_a_shell_for_the_bundle(client: TestClient) -> None:
    response = client.get("/sessions")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'data-page="sessions"' in html
    assert 'id="sessions"' in html
    assert '<script src="/static/built/player.js" defer></script>' in html
    assert 'href="/static/player/player.css"' in html
    assert_csp_friendly(html)


def test_player_page_carries_the_session_id_in_an_attribute(client: TestClient) -> None:
    response = client.get("/sessions/ses_01HABC-def_9", params={"t": "5000"})
    assert response.status_code == 200
    html = response.text
    assert 'data-page="player"' in html
    assert 'data-session-id="ses_01HABC-def_9"' in html
    assert html.count("ses_01HABC-def_9") == 1  # only in the attribute: never in script or text
    assert_csp_friendly(html)


def test_an_80_character_id_is_accepted(client: TestClient) -> None:
    assert client.get("/sessions/" + "a" * 80).status_code == 200


@pytest.mark.parametrize(
    "bad_id",
    [
        "a" * 81,
        "a..b",
        "..%2F..",
        "ses.1",
        "ses%20one",
        "%3Cscript%3E",
        "ses%27x",
        "%C3%A9t%C3%A9",
        "a%2F..%2Fb",
    ],
)
def test_malformed_session_ids_are_refused_with_400(client: TestClient, bad_id: str) -> None:
    response = client.get(f"/sessions/{bad_id}")
    assert response.status_code in (400, 404), response.text  # an encoded "/" may not reach the route at all
    if response.status_code == 400:
        assert response.json()["error"]["code"] == "bad_request"
        assert response.json()["error"]["field"] == "session_id"


def test_check_session_id_refuses_traversal_and_markup() -> None:
    assert pages.check_session_id("ses_ok-1") == "ses_ok-1"
    for bad in ["", "../x", "a/b", "<b>", "a b", "x" * 81, "é"]:
        with pytest.raises(ReelError):
            pages.check_session_id(bad)


def test_operator_name_is_escaped(built_dir: Path) -> None:
    hostile = Operator(
        id="op_x", name='<img src=x onerror="alert(1)">', role="viewer", app_ids=None, created_at=0
    )
    with TestClient(pages_app(Caller(hostile, "cookie"), built_dir)) as c:
        html = c.get("/sessions").text
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=" in html  # shown as text, inert


def test_logout_form_carries_the_csrf_token_for_a_browser_login(client: TestClient) -> None:
    html = client.get("/sessions").text
    assert 'action="/logout"' in html
    token = re.search(r'<meta name="csrf-token" content="([^"]*)">', html)
    assert token is not None
    assert f'name="csrf_token" value="{token.group(1)}"' in html


def test_no_logout_form_for_an_api_token(built_dir: Path) -> None:
    with TestClient(pages_app(Caller(OPERATOR, "token"), built_dir)) as c:
        html = c.get("/sessions").text
    assert "Ada" in html
    assert 'action="/logout"' not in html


def test_static_assets_are_served(client: TestClient) -> None:
    css = client.get("/static/player/player.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]
    assert ".replayer-mouse" in css.text  # the replayed pointer is styled by Reel's own rules
    assert client.get("/static/player/favicon.svg").status_code == 200
    assert client.get("/static/built/player.js").status_code == 200


def test_pages_need_a_login_in_the_real_app(tmp_path: Path) -> None:
    app = create_app(
        Settings(data_dir=tmp_path / "data"),
        sessions=memory_session_store(),
        blobs=MemoryReplayStore(),
        clock=FixedClock(1_764_240_000_000),
        operators=MemoryOperatorStore(),
    )
    with TestClient(app, follow_redirects=False) as c:
        response = c.get("/sessions/ses_1", params={"t": "5000"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/sessions/ses_1")


def test_the_session_search_in_the_query_is_never_written_into_the_page(client: TestClient) -> None:
    hostile = '"><script>alert(1)</script>'
    response = client.get(
        "/sessions", params={"user_id": hostile, "url": hostile, "has_errors": "1", "offset": "50"}
    )
    assert response.status_code == 200
    html = response.text
    assert "alert(1)" not in html  # the script reads the filters from location.search itself
    assert 'id="sessions"' in html
    assert_csp_friendly(html)


# The action kinds of GET /api/v1/sessions/{id}/actions, and the seek-bar markers drawn for them.
ACTION_KINDS = (
    "load",
    "navigation",
    "click",
    "rage_click",
    "dead_click",
    "input",
    "select",
    "submit",
    "identify",
    "custom",
    "error",
)
MARKER_STYLES = ("page", "error", "rage", "dead", "click", "identify", "custom")


def test_every_action_kind_has_an_icon_and_every_marker_a_style() -> None:
    css = (PLAYER_STATIC / "player.css").read_text()
    for kind in ACTION_KINDS:
        assert f'.action[data-kind="{kind}"] .a-icon' in css, kind
    for style in MARKER_STYLES:
        assert f".tl-marker.m-{style}" in css, style
