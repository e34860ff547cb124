"""Operators over HTTP: every operator route needs a login; roles, tokens, cookies, CSRF, tenant scoping."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from conftest import BeaconMaker
from reel.admin.applications import create_application
from reel.admin.operators import HOUR_MS, LOGIN_IDLE_MS, create_operator, issue_token
from reel.api.auth import CSRF_COOKIE, SESSION_COOKIE, safe_next
from reel.clock import FixedClock
from reel.config import Settings
from reel.domain.records import Application, SessionQuery
from reel.runtime.throttle import LoginThrottle
from reel.server.app import create_app
from reel.storage.factory import memory_session_store
from reel.storage.memory_blobs import MemoryReplayStore
from reel.storage.memory_operators import MemoryOperatorStore
from reel.storage.session_store import SessionStore
from support import ORIGIN, post_beacon

OTHER_ORIGIN = "http://other.test:9000"
PASSWORD = "s3cret-pass"

# Routes anyone may call. Everything else must refuse a caller who is not logged in; a new route that
# forgets its auth dependency fails test_every_operator_route_refuses_anonymous_callers.
PUBLIC_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/capture/reel.js"),
    ("POST", "/v1/web/beacons"),
    ("OPTIONS", "/v1/web/beacons"),
    ("GET", "/v1/web/config"),  # the recorder's masking rules and consent settings: the app key is public
    ("POST", "/v1/mobile/beacons"),  # apps authenticate with the app key (docs/contracts/mobile-beacon.md)
    ("GET", "/v1/mobile/config"),  # the SDK's masking rules, settings and limits: the app key is public
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/"),  # only redirects to /sessions, which asks for a login
    # The OpenAPI document describes the public interface (brief §4); it holds no data.
    ("GET", "/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/redoc"),
    # Counters only, no ids or data; REEL_METRICS_TOKEN or REEL_METRICS=off close it (test_metrics.py).
    ("GET", "/metrics"),
}
PUBLIC_MOUNTS = {"/static/built", "/static/player"}


@dataclass
class Env:
    app: FastAPI
    client: TestClient
    sessions: SessionStore
    operators: MemoryOperatorStore
    clock: FixedClock
    shop: Application
    other: Application

    def token(self, name: str, role: str = "admin", app_ids: tuple[str, ...] | None = None) -> dict[str, str]:
        """Authorization headers of a new token-only operator."""
        op = create_operator(self.operators, name, role, None, now_ms=self.clock.now_ms(), app_ids=app_ids)
        _token, secret = issue_token(self.operators, op, "tests", now_ms=self.clock.now_ms())
        return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def env(settings: Settings, clock: FixedClock) -> Iterator[Env]:
    sessions, operators = memory_session_store(), MemoryOperatorStore()
    app = create_app(settings, sessions=sessions, blobs=MemoryReplayStore(), clock=clock, operators=operators)
    shop = create_application(sessions, "Shop", [ORIGIN], now_ms=clock.now_ms())
    other = create_application(sessions, "Other", [OTHER_ORIGIN], now_ms=clock.now_ms() + 1)
    with TestClient(app, follow_redirects=False) as client:
        yield Env(app, client, sessions, operators, clock, shop, other)


def record(env: Env, beacon: BeaconMaker) -> tuple[str, str]:
    """One session in the shop and one in the other app; their ids."""
    assert post_beacon(env.client, env.shop, beacon(0)).status_code == 200
    doc = beacon(0, recording_id="rec-2", session_id="ses-2")
    assert post_beacon(env.client, env.other, doc, origin=OTHER_ORIGIN).status_code == 200
    by_app = {s.app_id: s.id for s in env.sessions.list_sessions(SessionQuery()).sessions}
    return by_app[env.shop.id], by_app[env.other.id]


def login(client: TestClient, name: str, password: str = PASSWORD, next_path: str = "/sessions") -> Any:
    """Fetch the login form (for its CSRF cookie) and submit it."""
    form = client.get("/login")
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"name": name, "password": password, "csrf_token": token.group(1), "next": next_path}
    return client.post("/login", data=data)


def operator_with_password(env: Env, name: str = "alice", role: str = "admin", **kw: Any) -> None:
    create_operator(env.operators, name, role, PASSWORD, now_ms=env.clock.now_ms(), **kw)


# --- the route table -------------------------------------------------------------------------------------


def _route_methods(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route, including those of included routers."""
    found: list[tuple[str, str]] = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, str(context.path)
        if isinstance(route, Mount):
            assert path in PUBLIC_MOUNTS, f"mount {path} is neither public nor authenticated"
            continue
        assert isinstance(route, APIRoute | Route), f"unexpected route type {route!r} at {path}"
        for method in sorted(context.methods or ()):
            if method != "HEAD":  # HEAD is GET without a body
                found.append((method, path))
    return found


def _fill(path: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        return ids.get(match.group(1).split(":")[0], "abc123")

    return re.sub(r"{([^}]+)}", value, path)


@pytest.mark.parametrize("credentials", ["none", "bad-token", "bad-cookie"])
def test_every_operator_route_refuses_anonymous_callers(
    env: Env, beacon: BeaconMaker, credentials: str
) -> None:
    shop_session, _ = record(env, beacon)
    ids = {"session_id": shop_session, "app_id": env.shop.id}
    routes = _route_methods(env.app)
    assert set(routes) >= PUBLIC_ROUTES, f"stale allowlist entries: {PUBLIC_ROUTES - set(routes)}"
    checked = 0
    for method, template in routes:
        if (method, template) in PUBLIC_ROUTES:
            continue
        path = _fill(template, ids)
        headers = {"Authorization": "Bearer reel_not-a-real-token"} if credentials == "bad-token" else {}
        cookies = {SESSION_COOKIE: "forged-session"} if credentials == "bad-cookie" else {}
        env.client.cookies.clear()
        for name, value in cookies.items():
            env.client.cookies.set(name, value)
        response = env.client.request(method, path, headers=headers, json={} if method != "GET" else None)
        where = f"{method} {template}"
        if template.startswith(("/api/", "/resources/")):  # resources: subresource loads, no redirect
            assert response.status_code == 401, where
            assert response.json()["error"]["code"] == "unauthorized", where
        else:
            assert response.status_code == 303, where
            assert response.headers["location"].startswith("/login?next="), where
        checked += 1
    assert checked >= 6  # sessions list/one/events, applications list/create, two pages, logout


def test_public_routes_answer_without_login(env: Env) -> None:
    assert env.client.get("/healthz").status_code == 200
    assert env.client.get("/readyz").status_code == 200
    assert env.client.get("/login").status_code == 200
    assert env.client.get("/openapi.json").status_code == 200
    assert env.client.options("/v1/web/beacons").status_code == 204


def test_the_openapi_document_declares_bearer_and_cookie_auth(env: Env) -> None:
    schemes = env.client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


# --- roles and tokens --------------------------------------------------------------------------------------


def test_viewer_may_list_but_not_create_applications(env: Env) -> None:
    viewer = env.token("vera", "viewer")
    listing = env.client.get("/api/v1/applications", headers=viewer)
    assert listing.status_code == 200
    assert [a["name"] for a in listing.json()["applications"]] == ["Shop", "Other"]
    refused = env.client.post(
        "/api/v1/applications", headers=viewer, json={"name": "New", "origins": ["https://new.example"]}
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert len(env.sessions.applications()) == 2


def test_admin_creates_an_application_and_gets_its_key(env: Env) -> None:
    admin = env.token("ada")
    created = env.client.post(
        "/api/v1/applications", headers=admin, json={"name": "New", "origins": ["https://New.example:443"]}
    )
    assert created.status_code == 201, created.text
    doc = created.json()
    assert doc["app_key"].startswith("rk-") and doc["origins"] == ["https://new.example"]
    stored = env.sessions.application(doc["id"])
    assert stored is not None and stored.app_key == doc["app_key"]


def test_bad_application_input_answers_400_naming_the_field(env: Env) -> None:
    admin = env.token("ada")
    bad_origin = env.client.post(
        "/api/v1/applications", headers=admin, json={"name": "N", "origins": ["ftp://x"]}
    )
    assert bad_origin.status_code == 400 and bad_origin.json()["error"]["field"] == "origins"
    blank = env.client.post("/api/v1/applications", headers=admin, json={"name": "  ", "origins": [ORIGIN]})
    assert blank.status_code == 400 and blank.json()["error"]["field"] == "name"
    missing = env.client.post("/api/v1/applications", headers=admin, json={"name": "N"})
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "origins"


def test_an_admin_of_some_apps_cannot_create_applications(env: Env) -> None:
    scoped = env.token("sam", "admin", app_ids=(env.shop.id,))
    response = env.client.post(
        "/api/v1/applications", headers=scoped, json={"name": "N", "origins": [ORIGIN]}
    )
    assert response.status_code == 403


def test_wrong_expired_revoked_and_disabled_tokens_answer_401(env: Env) -> None:
    op = create_operator(env.operators, "bot", "viewer", None, now_ms=env.clock.now_ms())
    token, secret = issue_token(
        env.operators, op, "ci", now_ms=env.clock.now_ms(), expires_at=env.clock.now_ms() + HOUR_MS
    )

    def status(header: str) -> int:
        return int(env.client.get("/api/v1/sessions", headers={"Authorization": header}).status_code)

    assert status(f"Bearer {secret}") == 200
    assert status(f"bearer {secret}") == 200  # the scheme is case-insensitive (RFC 7235)
    assert status(f"Bearer {secret}x") == 401
    assert status("Bearer reel_unknown") == 401
    assert status(f"Basic {secret}") == 401
    assert status("Bearer ") == 401
    env.operators.set_disabled(op.id, True)
    assert status(f"Bearer {secret}") == 401
    env.operators.set_disabled(op.id, False)
    env.clock.advance(HOUR_MS)
    assert status(f"Bearer {secret}") == 401  # expired
    _other, fresh = issue_token(env.operators, op, "ci2", now_ms=env.clock.now_ms())
    assert status(f"Bearer {fresh}") == 200
    env.operators.revoke_token(_other.id)
    assert status(f"Bearer {fresh}") == 401
    body = env.client.get("/api/v1/sessions", headers={"Authorization": "Bearer reel_x"}).json()
    assert body["error"]["code"] == "unauthorized"
    assert token.id != _other.id


def test_using_a_token_records_when_it_was_last_used(env: Env) -> None:
    headers = env.token("bot")
    assert env.client.get("/api/v1/sessions", headers=headers).status_code == 200
    [token] = env.operators.tokens()
    assert token.last_used_at == env.clock.now_ms()


# --- cookie login ------------------------------------------------------------------------------------------


def test_login_sets_a_safe_cookie_and_opens_the_ui(env: Env) -> None:
    operator_with_password(env)
    assert env.client.get("/sessions").headers["location"] == "/login?next=/sessions"
    response = login(env.client, "alice", next_path="/sessions/ses_abc?t=5000")
    assert response.status_code == 303
    assert response.headers["location"] == "/sessions/ses_abc?t=5000"
    set_cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookies if c.startswith(f"{SESSION_COOKIE}="))
    csrf_cookie = next(c for c in set_cookies if c.startswith(f"{CSRF_COOKIE}="))
    lowered = session_cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # plain http here; see the https test
    assert "httponly" not in csrf_cookie.lower()
    assert env.client.get("/api/v1/sessions").status_code == 200
    page = env.client.get("/sessions")
    assert page.status_code == 200
    meta = re.search(r'<meta name="csrf-token" content="([^"]*)">', page.text)
    assert meta is not None and meta.group(1) == env.client.cookies[CSRF_COOKIE]
    assert "alice" in page.text


def test_cookies_are_secure_over_https(settings: Settings, clock: FixedClock) -> None:
    operators = MemoryOperatorStore()
    app = create_app(
        settings, sessions=memory_session_store(), blobs=MemoryReplayStore(), clock=clock, operators=operators
    )
    create_operator(operators, "alice", "admin", PASSWORD, now_ms=clock.now_ms())
    with TestClient(app, base_url="https://reel.test", follow_redirects=False) as client:
        response = login(client, "alice")
        assert response.status_code == 303
        for cookie in response.headers.get_list("set-cookie"):
            assert "secure" in cookie.lower(), cookie


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(env: Env) -> None:
    operator_with_password(env)
    wrong = login(env.client, "alice", "nope")
    unknown = login(env.client, "mallory", "nope")
    assert wrong.status_code == unknown.status_code == 401
    message = "Wrong name or password."
    assert message in wrong.text and message in unknown.text
    assert SESSION_COOKIE not in env.client.cookies
    disabled = create_operator(env.operators, "dora", "admin", PASSWORD, now_ms=env.clock.now_ms())
    env.operators.set_disabled(disabled.id, True)
    refused = login(env.client, "dora")
    assert refused.status_code == 401 and message in refused.text


def test_the_login_form_needs_its_csrf_token(env: Env) -> None:
    operator_with_password(env)
    env.client.get("/login")
    data = {"name": "alice", "password": PASSWORD, "next": "/sessions"}
    assert env.client.post("/login", data=data).status_code == 403
    assert env.client.post("/login", data={**data, "csrf_token": "forged-token-1234567"}).status_code == 403
    assert SESSION_COOKIE not in env.client.cookies


def test_a_cross_site_login_post_is_refused(env: Env) -> None:
    operator_with_password(env)
    form = env.client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    data = {"name": "alice", "password": PASSWORD, "csrf_token": token.group(1)}
    response = env.client.post("/login", data=data, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_login_sessions_expire_when_idle(env: Env) -> None:
    operator_with_password(env)
    login(env.client, "alice")
    env.clock.advance(LOGIN_IDLE_MS - 1000)
    assert env.client.get("/api/v1/sessions").status_code == 200  # activity keeps it alive
    env.clock.advance(LOGIN_IDLE_MS - 1000)
    assert env.client.get("/api/v1/sessions").status_code == 200
    env.clock.advance(LOGIN_IDLE_MS)
    assert env.client.get("/api/v1/sessions").status_code == 401
    assert env.client.get("/sessions").status_code == 303


def test_logout_ends_the_login_and_needs_csrf(env: Env) -> None:
    operator_with_password(env)
    login(env.client, "alice")
    assert env.client.post("/logout").status_code == 403
    response = env.client.post("/logout", data={"csrf_token": env.client.cookies[CSRF_COOKIE]})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    env.client.cookies.clear()
    assert env.client.get("/api/v1/sessions").status_code == 401


def test_failed_logins_are_throttled_per_name_from_one_address(env: Env) -> None:
    env.app.state.login_throttle = LoginThrottle(per_name=2, per_address=100)
    operator_with_password(env)
    assert login(env.client, "alice", "bad1").status_code == 401
    assert login(env.client, "alice", "bad2").status_code == 401
    blocked = login(env.client, "alice")  # from that address even the right password waits
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert login(env.client, "someone-else", "x").status_code == 401  # other names are not blocked
    env.clock.advance(16 * 60 * 1000)
    assert login(env.client, "alice").status_code == 303


def test_failed_logins_are_throttled_per_address(env: Env) -> None:
    env.app.state.login_throttle = LoginThrottle(per_name=100, per_address=2)
    assert login(env.client, "a", "x").status_code == 401
    assert login(env.client, "b", "x").status_code == 401
    assert login(env.client, "c", "x").status_code == 429


# --- CSRF --------------------------------------------------------------------------------------------------


NEW_APP = {"name": "New", "origins": ["https://new.example"]}


def test_cookie_requests_that_change_state_need_the_csrf_token(env: Env) -> None:
    operator_with_password(env)
    login(env.client, "alice")
    token = env.client.cookies[CSRF_COOKIE]
    missing = env.client.post("/api/v1/applications", json=NEW_APP)
    assert missing.status_code == 403 and missing.json()["error"]["code"] == "forbidden"
    wrong = env.client.post("/api/v1/applications", json=NEW_APP, headers={"X-CSRF-Token": "x" * 64})
    assert wrong.status_code == 403
    cross = env.client.post(
        "/api/v1/applications",
        json=NEW_APP,
        headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    null_origin = env.client.post(
        "/api/v1/applications", json=NEW_APP, headers={"X-CSRF-Token": token, "Origin": "null"}
    )
    assert null_origin.status_code == 403
    assert len(env.sessions.applications()) == 2
    right = env.client.post(
        "/api/v1/applications", json=NEW_APP, headers={"X-CSRF-Token": token, "Origin": "http://testserver"}
    )
    assert right.status_code == 201, right.text


def test_a_csrf_token_of_another_login_does_not_work(env: Env) -> None:
    operator_with_password(env)
    login(env.client, "alice")
    stale = env.client.cookies[CSRF_COOKIE]
    env.client.cookies.clear()
    login(env.client, "alice")
    # A token planted in both cookie and header still fails: each token is bound to one login.
    env.client.cookies.set(CSRF_COOKIE, stale)
    response = env.client.post("/api/v1/applications", json=NEW_APP, headers={"X-CSRF-Token": stale})
    assert response.status_code == 403


def test_the_csrf_cookie_must_match_the_header(env: Env) -> None:
    operator_with_password(env)
    login(env.client, "alice")
    token = env.client.cookies[CSRF_COOKIE]
    env.client.cookies.delete(CSRF_COOKIE)
    response = env.client.post("/api/v1/applications", json=NEW_APP, headers={"X-CSRF-Token": token})
    assert response.status_code == 403


def test_bearer_requests_need_no_csrf_token(env: Env) -> None:
    admin = env.token("ada")
    response = env.client.post(
        "/api/v1/applications", json=NEW_APP, headers={**admin, "Origin": "https://script.example"}
    )
    assert response.status_code == 201


# --- redirects ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/sessions/ses_1?t=5", "/sessions/ses_1?t=5"),
        ("/", "/"),
        (None, "/sessions"),
        ("", "/sessions"),
        ("https://evil.example/", "/sessions"),
        ("//evil.example/", "/sessions"),
        ("/\\evil.example", "/sessions"),
        ("/\t/evil.example", "/sessions"),
        ("javascript:alert(1)", "/sessions"),
        ("sessions", "/sessions"),
        ("/login?next=/login", "/sessions"),
    ],
)
def test_next_is_only_ever_a_local_path(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


def test_login_never_redirects_off_site(env: Env) -> None:
    operator_with_password(env)
    response = login(env.client, "alice", next_path="https://evil.example/phish")
    assert response.status_code == 303 and response.headers["location"] == "/sessions"
    already = env.client.get("/login", params={"next": "//evil.example"})
    assert already.status_code == 303 and already.headers["location"] == "/sessions"


def test_pages_redirect_to_login_keeping_the_path(env: Env) -> None:
    response = env.client.get("/sessions/ses_abc", params={"t": "1500"})
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/sessions/ses_abc?t=1500"]


# --- tenant scoping ----------------------------------------------------------------------------------------


def test_operators_see_only_their_applications_sessions(env: Env, beacon: BeaconMaker) -> None:
    shop_session, other_session = record(env, beacon)
    everyone = env.token("ada")
    shop_only = env.token("vic", "viewer", app_ids=(env.shop.id,))
    nobody = env.token("nil", "viewer", app_ids=())
    all_ids = {s["id"] for s in env.client.get("/api/v1/sessions", headers=everyone).json()["sessions"]}
    assert all_ids == {shop_session, other_session}
    listing = env.client.get("/api/v1/sessions", headers=shop_only).json()
    assert [s["id"] for s in listing["sessions"]] == [shop_session] and listing["total"] == 1
    assert env.client.get("/api/v1/sessions", headers=nobody).json() == {"sessions": [], "total": 0}
    apps = env.client.get("/api/v1/applications", headers=shop_only).json()["applications"]
    assert [a["id"] for a in apps] == [env.shop.id]


@pytest.mark.parametrize("suffix", ["", "/events"])
def test_another_tenants_session_is_not_found(env: Env, beacon: BeaconMaker, suffix: str) -> None:
    shop_session, other_session = record(env, beacon)
    shop_only = env.token("vic", "viewer", app_ids=(env.shop.id,))
    assert env.client.get(f"/api/v1/sessions/{shop_session}{suffix}", headers=shop_only).status_code == 200
    hidden = env.client.get(f"/api/v1/sessions/{other_session}{suffix}", headers=shop_only)
    unknown = env.client.get(f"/api/v1/sessions/ses_doesnotexist{suffix}", headers=shop_only)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.content == unknown.content
