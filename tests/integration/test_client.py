"""The Python client (reel.client) against a live Reel over HTTP: search, read, delete, errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from client_reel import ClientReel, client_reel
from live import free_port
from reel.client import (
    AuthenticationFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    Reel,
    ReelUnreachable,
    SessionDeleted,
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClientReel]:
    with client_reel(tmp_path_factory.mktemp("client") / "data") as running:
        yield running


@pytest.fixture
def reel(live: ClientReel) -> Iterator[Reel]:
    with Reel(live.url, live.admin_token) as client:
        yield client


def test_search_by_the_api_filters(reel: Reel) -> None:
    assert [s.user_id for s in reel.sessions()] == [None, "bob", "alice"]  # newest first
    assert [s.user_id for s in reel.sessions(sort="start")] == ["alice", "bob", None]
    (alice,) = reel.sessions(user_id="alice")
    assert alice.first_url == "http://shop.test:8701/dashboard" and alice.errors == 1
    assert [s.user_id for s in reel.sessions(url="/checkout")] == ["bob"]
    assert [s.user_id for s in reel.sessions(has_errors=True)] == ["alice"]
    assert {s.user_id for s in reel.sessions(min_actions=4)} == {"alice", "bob"}
    assert list(reel.sessions(platform="mobile")) == []
    later = datetime.fromtimestamp((alice.start + 1) / 1000, tz=UTC)
    assert {s.user_id for s in reel.sessions(started_after=later)} == {"bob", None}
    assert [s.user_id for s in reel.sessions(started_before=alice.start + 1)] == ["alice"]


def test_iteration_pages_through_every_result_and_stops_at_the_limit(reel: Reel) -> None:
    every = [s.id for s in reel.sessions(page_size=1)]
    assert len(every) == 3 == len(set(every))
    assert every == [s.id for s in reel.sessions()]
    assert [s.id for s in reel.sessions(limit=2, page_size=1)] == every[:2]
    page = reel.search(offset=1, limit=1)
    assert page.total == 3 and [s.id for s in page] == every[1:2] and page.has_more


def test_session_actions_and_events_as_the_player_gets_them(reel: Reel) -> None:
    (alice,) = reel.sessions(user_id="alice")
    detail = reel.session(alice.id)
    assert detail.id == alice.id and detail.user_id == "alice"
    assert len(detail.segments) >= 1 and detail.gaps == () and [p.id for p in detail.parts] == [alice.id]
    kinds = [a.kind for a in reel.actions(alice.id)]
    assert kinds[:2] == ["load", "identify"] and kinds.count("click") == 2 and "error" in kinds
    error = next(a for a in reel.actions(alice.id) if a.kind == "error")
    assert error.label == "TypeError: ****"  # masked with the current rules, as in the player
    events = reel.events(alice.id)
    assert [e["type"] for e in events[:2]] == [4, 2]
    snapshot = str(events[1]["data"]["node"])
    assert "'textContent': '****'" in snapshot and "'textContent': '0'" not in snapshot


def test_a_session_shows_in_jupyter_as_the_player_at_a_moment(reel: Reel, live: ClientReel) -> None:
    (bob,) = reel.sessions(user_id="bob")
    html = bob.at(1500)._repr_html_()
    assert f'<iframe src="{live.url}/sessions/{bob.id}?t=1500"' in html
    assert f'<a href="{live.url}/sessions/{bob.id}?t=1500"' in html
    assert f"/sessions/{bob.id}?t=0" in bob._repr_html_()
    assert reel.player_url(bob.id, 20) == f"{live.url}/sessions/{bob.id}?t=20"


def test_api_errors_become_exceptions_that_say_why(reel: Reel, live: ClientReel) -> None:
    with pytest.raises(NotFound, match="no such session") as missing:
        reel.session("ses_doesnotexist")
    assert missing.value.status == 404 and missing.value.code == "not_found"
    with pytest.raises(InvalidRequest) as bad:
        reel.search(limit=500)
    assert bad.value.status == 400 and bad.value.field == "limit"
    with pytest.raises(ValueError, match="not a session id"):
        reel.session("../applications")
    with pytest.raises(AuthenticationFailed), Reel(live.url, "reel_wrong") as stranger:
        stranger.applications()
    with pytest.raises(PermissionDenied), Reel(live.url, live.viewer_token) as viewer:
        viewer.delete_user(live.app_id, "bob")
    with (
        pytest.raises(ReelUnreachable),
        Reel(f"http://127.0.0.1:{free_port()}", "reel_x", timeout=2) as nowhere,
    ):
        nowhere.applications()


def test_delete_by_user_then_the_session_answers_gone(live: ClientReel) -> None:
    with Reel(live.url, live.admin_token) as reel:
        (bob,) = reel.sessions(user_id="bob")
        deletion = reel.delete_user(live.app_id, "bob")
        assert deletion.sessions == (bob.id,) and deletion.recordings == 1 and deletion.audit_id is not None
        assert list(reel.sessions(user_id="bob")) == []
        with pytest.raises(SessionDeleted) as gone:
            reel.events(bob.id)
        assert gone.value.status == 410 and gone.value.deleted["cause"] == "request"
        again = reel.delete_user(live.app_id, "bob")
        assert again.sessions == () and again.recordings == 0
        assert [a.name for a in reel.applications()] == ["Shop"]


def test_client_and_middleware_import_without_the_server_stack() -> None:
    code = (
        "import sys, reel.client, reel.integrations.asgi, reel.integrations.wsgi, reel.capture.snippet\n"
        "heavy = ('reel.server', 'reel.storage', 'reel.api', 'reel.processing', 'fastapi', 'starlette')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
