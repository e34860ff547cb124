"""Who is calling: operators by API token or login cookie, CSRF checks, and the dependencies routes use.

Every operator route declares one dependency: `api_caller` (401 JSON when nobody is logged in),
`admin_caller` (also 403 for viewers) or `page_caller` (303 to `/login?next=...`). A test generated from
the app's route table fails when a route outside the small public allowlist declares none.

Cookie-authenticated requests that change state must carry the CSRF token (double submit: the
`reel_csrf` cookie echoed in `X-CSRF-Token` or a `csrf_token` form field). The token of a login is an
HMAC of its session secret, so a token planted by a sibling site cannot match. Bearer tokens are exempt:
browsers never attach them on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import parse_qsl, quote, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.security import APIKeyCookie, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from reel.admin.operators import LOGIN_MAX_MS, operator_for_login, operator_for_token
from reel.credentials import new_csrf_token, same_secret, session_csrf_token
from reel.domain.origins import normalise_origin
from reel.errors import BadRequest, Forbidden, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from reel.runtime.context import get_context
from reel.runtime.throttle import LoginThrottle
from reel.storage.operator_store import Operator

SESSION_COOKIE = "reel_session"
CSRF_COOKIE = "reel_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
DEFAULT_NEXT = "/sessions"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 16 * 1024

# Declared only so the OpenAPI document shows both ways in; the values are read from the request below.
_bearer_scheme = HTTPBearer(auto_error=False, description="An API token: `reel tokens create NAME`.")
_cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="The UI's login cookie.")


@dataclass(frozen=True)
class Caller:
    """The operator behind a request and how they proved it."""

    operator: Operator
    via: Literal["token", "cookie"]

    @property
    def app_ids(self) -> tuple[str, ...] | None:
        """The applications the caller may see; None means every application."""
        return self.operator.app_ids

    def can_see(self, app_id: str) -> bool:
        """True if the caller may see this application and its sessions."""
        return self.operator.can_see(app_id)

    def require_admin(self) -> None:
        """Raise Forbidden unless the caller is an admin."""
        if not self.operator.is_admin:
            raise Forbidden("this action needs the admin role")


class LoginRequired(Unauthorized):
    """Nobody is logged in on an HTML page; answered with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("login required")
        self.next_path = next_path


async def resolve_caller(request: Request) -> Caller | None:
    """The caller named by the bearer token or the login cookie; None if neither is sent.

    A bearer token that is sent but wrong, expired or revoked raises Unauthorized rather than falling
    back to the cookie, so a script with a bad token learns it at once.
    """
    ctx = get_context(request)
    now_ms = ctx.clock.now_ms()
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        operator = await run_in_threadpool(operator_for_token, ctx.operators, value.strip(), now_ms=now_ms)
        if operator is None:
            raise Unauthorized("invalid, expired or revoked API token")
        return Caller(operator, "token")
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        operator = await run_in_threadpool(operator_for_login, ctx.operators, secret, now_ms=now_ms)
        if operator is not None:
            return Caller(operator, "cookie")
    return None


async def api_caller(
    request: Request,
    _bearer: Annotated[object, Depends(_bearer_scheme)],
    _cookie: Annotated[object, Depends(_cookie_scheme)],
) -> Caller:
    """Dependency of every `/api/v1` route: the caller, or 401 JSON; 403 for a cookie request without CSRF."""
    caller = await resolve_caller(request)
    if caller is None:
        raise Unauthorized("log in or send an API token ('Authorization: Bearer reel_...')")
    await check_csrf(request, caller)
    return caller


async def admin_caller(caller: Annotated[Caller, Depends(api_caller)]) -> Caller:
    """Dependency of admin-only API routes: as `api_caller`, and 403 for viewers."""
    caller.require_admin()
    return caller


async def page_caller(request: Request) -> Caller:
    """Dependency of every operator HTML page: the caller, or a 303 redirect to the login page."""
    try:
        caller = await resolve_caller(request)
    except Unauthorized:
        caller = None
    if caller is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(safe_next(target))
    await check_csrf(request, caller)
    return caller


ApiCaller = Annotated[Caller, Depends(api_caller)]
"""Parameter type of `/api/v1` routes any operator may call."""
AdminCaller = Annotated[Caller, Depends(admin_caller)]
"""Parameter type of admin-only `/api/v1` routes."""
PageCaller = Annotated[Caller, Depends(page_caller)]
"""Parameter type of operator HTML pages."""


async def check_csrf(request: Request, caller: Caller) -> None:
    """Raise Forbidden for a state-changing cookie request from elsewhere or without the right CSRF token."""
    if caller.via != "cookie" or request.method in SAFE_METHODS:
        return
    check_same_origin(request)
    expected = session_csrf_token(request.cookies.get(SESSION_COOKIE, ""))
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER) or (await read_form(request, required=False)).get(CSRF_FIELD, "")
    if not sent or not same_secret(sent, cookie) or not same_secret(sent, expected):
        raise Forbidden("missing or wrong CSRF token")


def check_same_origin(request: Request) -> None:
    """Raise Forbidden when the browser says the request comes from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Forbidden("cross-site request refused")
    origin = request.headers.get("origin")
    if origin is None:
        return
    own = normalise_origin(f"{request.url.scheme}://{request.url.netloc}")
    if origin.strip() == "null" or normalise_origin(origin) != own:
        raise Forbidden("the Origin of this request is not Reel's own")


async def read_form(request: Request, *, required: bool = True) -> dict[str, str]:
    """The fields of a urlencoded form body (first value of each); {} for other bodies unless required."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        if required:
            raise UnsupportedMediaType("send the form as application/x-www-form-urlencoded")
        return {}
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        if required:
            raise BadRequest("a form post needs a Content-Length")
        return {}
    if int(declared) > MAX_FORM_BYTES:
        if required:
            raise PayloadTooLarge(f"a form post is at most {MAX_FORM_BYTES} bytes")
        return {}
    body = await request.body()  # cached by Starlette, so the route can read the body again
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("malformed form body") from exc
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def safe_next(value: str | None) -> str:
    """`value` if it is a path on this server, else the default page: no open redirect via `next`."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return DEFAULT_NEXT
    # Browsers read `/\evil.example` as `//evil.example` and drop tabs and newlines inside URLs.
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return DEFAULT_NEXT
    return value


def csrf_token_for(request: Request, caller: Caller | None) -> str:
    """The CSRF token pages embed (`<meta name="csrf-token">`) for scripts; empty without a login cookie."""
    if caller is None or caller.via != "cookie":
        return ""
    return session_csrf_token(request.cookies.get(SESSION_COOKIE, ""))


def set_login_cookies(response: Response, request: Request, secret: str) -> None:
    """Set the login cookie (HttpOnly) and its CSRF cookie (readable by the page's scripts)."""
    secure = request.url.scheme == "https"
    max_age = LOGIN_MAX_MS // 1000
    response.set_cookie(
        SESSION_COOKIE, secret, max_age=max_age, path="/", httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE,
        session_csrf_token(secret),
        max_age=max_age,
        path="/",
        httponly=False,
        samesite="lax",
        secure=secure,
    )


def set_pre_login_csrf(response: Response, request: Request, token: str) -> None:
    """Set the CSRF cookie that protects the login form itself (no login session exists yet)."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        path="/",
        httponly=False,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def pre_login_csrf(request: Request) -> str:
    """The browser's current CSRF cookie, or a new token for the login form."""
    current = request.cookies.get(CSRF_COOKIE, "")
    return current if 16 <= len(current) <= 100 else new_csrf_token()


def clear_login_cookies(response: Response, request: Request) -> None:
    """Remove the login and CSRF cookies."""
    secure = request.url.scheme == "https"
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/", secure=secure, httponly=name == SESSION_COOKIE, samesite="lax")


def install_auth(app: FastAPI, throttle: LoginThrottle) -> None:
    """Keep the failed-login throttle, and answer LoginRequired with a 303 to the login page."""
    app.state.login_throttle = throttle

    async def on_login_required(_request: Request, exc: Exception) -> Response:
        next_path = exc.next_path if isinstance(exc, LoginRequired) else DEFAULT_NEXT
        return RedirectResponse(
            f"/login?next={quote(next_path, safe='/')}",
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )

    app.add_exception_handler(LoginRequired, on_login_required)


def template_auth(request: Request, caller: Caller) -> dict[str, str]:
    """What every operator page shows of the login: the operator's name and the CSRF token for scripts."""
    return {"operator_name": caller.operator.name, "csrf_token": csrf_token_for(request, caller)}
