"""The login page (`GET`/`POST /login`) and `POST /logout` for the operator UI's session cookie."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from reel.admin.operators import authenticate_password, end_login, start_login
from reel.api.auth import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SESSION_COOKIE,
    PageCaller,
    check_same_origin,
    clear_login_cookies,
    pre_login_csrf,
    read_form,
    resolve_caller,
    safe_next,
    set_login_cookies,
    set_pre_login_csrf,
)
from reel.credentials import same_secret
from reel.errors import Forbidden, Unauthorized
from reel.runtime.context import get_context
from reel.runtime.throttle import LoginThrottle

router = APIRouter(include_in_schema=False)

templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)
)

# One message for an unknown name, a wrong password and a disabled operator: nothing to enumerate.
WRONG_LOGIN = "Wrong name or password."
STALE_FORM = "The login form expired. Please try again."
_NO_STORE = {"Cache-Control": "no-store"}


def throttle_of(request: Request) -> LoginThrottle:
    """The app's failed-login throttle (created by `install_auth`)."""
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def _login_page(
    request: Request, *, next_path: str, status: int = 200, message: str = "", name: str = ""
) -> Response:
    token = pre_login_csrf(request)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {"csrf_token": token, "next": next_path, "message": message, "name": name},
        status_code=status,
        headers=_NO_STORE,
    )
    set_pre_login_csrf(response, request, token)
    return response


@router.get("/login")
async def login_form(request: Request) -> Response:
    """The login form; an operator already logged in goes straight on to `next`."""
    next_path = safe_next(request.query_params.get("next"))
    try:
        caller = await resolve_caller(request)
    except Unauthorized:
        caller = None
    if caller is not None and caller.via == "cookie":
        return RedirectResponse(next_path, status_code=303, headers=_NO_STORE)
    return _login_page(request, next_path=next_path)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    """Check name and password; on success set the login cookie and go to `next` (303)."""
    ctx = get_context(request)
    check_same_origin(request)
    form = await read_form(request)
    next_path = safe_next(form.get("next"))
    name = form.get("name", "").strip()
    password = form.get("password", "")
    sent, cookie = form.get(CSRF_FIELD, ""), request.cookies.get(CSRF_COOKIE, "")
    if not sent or not same_secret(sent, cookie):
        return _login_page(request, next_path=next_path, status=403, message=STALE_FORM, name=name)
    throttle = throttle_of(request)
    address = request.client.host if request.client else "unknown"
    wait_s = await run_in_threadpool(throttle.retry_after_s, name, address, ctx.clock.now_ms())
    if wait_s > 0:
        response = _login_page(
            request,
            next_path=next_path,
            status=429,
            message=f"Too many failed logins. Try again in {-(-wait_s // 60)} min.",
            name=name,
        )
        response.headers["Retry-After"] = str(wait_s)
        return response
    operator = await run_in_threadpool(authenticate_password, ctx.operators, name, password)
    if operator is None:
        await run_in_threadpool(throttle.record_failure, name, address, ctx.clock.now_ms())
        return _login_page(request, next_path=next_path, status=401, message=WRONG_LOGIN, name=name)
    await run_in_threadpool(throttle.record_success, name, address)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        await run_in_threadpool(end_login, ctx.operators, previous)
    secret = await run_in_threadpool(start_login, ctx.operators, operator, now_ms=ctx.clock.now_ms())
    response = RedirectResponse(next_path, status_code=303, headers=_NO_STORE)
    set_login_cookies(response, request, secret)
    return response


@router.post("/logout")
async def logout(request: Request, caller: PageCaller) -> Response:
    """End the login session (CSRF-checked like every cookie POST) and return to the login page."""
    if caller.via != "cookie":
        raise Forbidden("logout ends a browser login; API tokens are revoked with `reel tokens revoke`")
    secret = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(end_login, get_context(request).operators, secret)
    response = RedirectResponse("/login", status_code=303, headers=_NO_STORE)
    clear_login_cookies(response, request)
    return response
