"""End to end: a Starlette, a Flask and a Django app with Reel's middleware, visited in Chromium.

None of the apps' pages carries Reel's tag; the middleware injects it (with automatic consent) under
each app's strict CSP nonce, and the page's inline `reel.identify` runs before the recorder has loaded.
Reel must then hold the session with the user id, the click and the custom event.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import django
import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from flask import Flask, Response, g
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from live import free_port
from reel.demo.serving import serve_in_thread
from reel.integrations.asgi import ReelMiddleware as AsgiReel
from reel.integrations.wsgi import ReelMiddleware as WsgiReel
from web_apps import check_recorded, live_reel_for, page_html, serve_wsgi, strict_csp

pytestmark = pytest.mark.browser


def test_starlette_app_is_recorded(tmp_path: Path) -> None:
    port = free_port()
    with live_reel_for(tmp_path / "data", f"http://127.0.0.1:{port}") as (live, app_key):

        async def orders(request: Request) -> HTMLResponse:
            return HTMLResponse(page_html("starlette-user", request.state.csp_nonce))

        class StrictCsp:
            """Outside Reel's middleware, like Reel's own headers: the nonce is in request.state."""

            def __init__(self, app: ASGIApp) -> None:
                self.app = app

            async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
                nonce = secrets.token_urlsafe(16)
                scope.setdefault("state", {})["csp_nonce"] = nonce

                async def with_csp(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        header = (b"content-security-policy", strict_csp(nonce, live.reel_url).encode())
                        message["headers"] = [*message.get("headers", []), header]
                    await send(message)

                await self.app(scope, receive, with_csp)

        app = Starlette(routes=[Route("/orders", orders)])
        app.add_middleware(AsgiReel, reel_url=live.reel_url, app_key=app_key, consent="granted")  # type: ignore[arg-type]
        app.add_middleware(StrictCsp)  # type: ignore[arg-type]
        with serve_in_thread(app, port=port) as url:
            check_recorded(live, f"{url}/orders", "starlette-user")


def test_flask_app_is_recorded(tmp_path: Path) -> None:
    port = free_port()
    with live_reel_for(tmp_path / "data", f"http://127.0.0.1:{port}") as (live, app_key):
        app = Flask(__name__)

        @app.before_request
        def make_nonce() -> None:
            g.nonce = secrets.token_urlsafe(16)

        @app.get("/orders")
        def orders() -> str:
            return page_html("flask-user", g.nonce)

        @app.after_request
        def add_csp(response: Response) -> Response:
            # Inside Reel's middleware: the nonce is read from this header.
            response.headers["Content-Security-Policy"] = strict_csp(g.nonce, live.reel_url)
            return response

        app.wsgi_app = WsgiReel(  # type: ignore[method-assign]
            app.wsgi_app, reel_url=live.reel_url, app_key=app_key, consent="granted"
        )
        with serve_wsgi(app, port) as url:
            check_recorded(live, f"{url}/orders", "flask-user")


def django_orders(request: HttpRequest) -> HttpResponse:
    return HttpResponse(page_html("django-user", request.csp_nonce))  # type: ignore[attr-defined]


class DjangoStrictCsp:
    """Stands for django-csp, listed before Reel's middleware: `request.csp_nonce`, header added last."""

    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)  # type: ignore[attr-defined]
        response: HttpResponse = self.get_response(request)  # type: ignore[operator]
        reel_url = django_settings.REEL["URL"]
        response.headers["Content-Security-Policy"] = strict_csp(request.csp_nonce, reel_url)  # type: ignore[attr-defined]
        return response


urlpatterns = [path("orders", django_orders)]


def test_django_app_is_recorded(tmp_path: Path) -> None:
    if not django_settings.configured:
        django_settings.configure(DEBUG=False, SECRET_KEY="test-only", INSTALLED_APPS=[])
        django.setup()
    port = free_port()
    with live_reel_for(tmp_path / "data", f"http://127.0.0.1:{port}") as (live, app_key):
        reel = {"URL": live.reel_url, "APP_KEY": app_key, "CONSENT": "granted"}
        middleware = [f"{__name__}.DjangoStrictCsp", "reel.integrations.django.ReelMiddleware"]
        with (
            override_settings(
                ROOT_URLCONF=sys.modules[__name__],
                MIDDLEWARE=middleware,
                REEL=reel,
                ALLOWED_HOSTS=["127.0.0.1"],
            ),
            serve_wsgi(WSGIHandler(), port) as url,
        ):
            check_recorded(live, f"{url}/orders", "django-user")
