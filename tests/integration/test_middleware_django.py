"""The Django middleware, through Django's test clients (sync and async) on minimal settings."""

from __future__ import annotations

import asyncio
import gzip
import sys
from collections.abc import Iterator

import django
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import AsyncClient, Client, override_settings
from django.urls import path

PAGE = "<!doctype html><html><head><title>Shop</title></head><body><h1>Welcome</h1></body></html>"
TAG = '<script src="https://reel.example/capture/reel.js" data-app-key="rk-test" async></script>'
MIDDLEWARE = [f"{__name__}.NonceMiddleware", "reel.integrations.django.ReelMiddleware"]
REEL = {"URL": "https://reel.example", "APP_KEY": "rk-test", "EXCLUDE_PATHS": ["/admin/"]}


def without_snippet(text: str) -> str:
    start = text.index("<script>window.reel")
    end = text.index(TAG) + len(TAG)
    return text[:start] + text[end:]


def page(_request: HttpRequest) -> HttpResponse:
    # A Content-Length set by the view (or by a middleware inside Reel's) must be corrected.
    return HttpResponse(PAGE, headers={"Content-Length": str(len(PAGE))})


def api(_request: HttpRequest) -> JsonResponse:
    return JsonResponse({"page": PAGE})


def stream(_request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(iter([b"<html><head></head>", b"<body>streamed</body></html>"]))


def compressed(_request: HttpRequest) -> HttpResponse:
    return HttpResponse(gzip.compress(PAGE.encode()), headers={"Content-Encoding": "gzip"})


def with_csp(_request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE, headers={"Content-Security-Policy": "script-src 'self' 'nonce-dj5'"})


class NonceMiddleware:
    """Stands for django-csp: a `request.csp_nonce` the page may use (only on /nonce)."""

    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/nonce":
            request.csp_nonce = "req8"  # type: ignore[attr-defined]
        return self.get_response(request)  # type: ignore[operator,no-any-return]


urlpatterns = [
    path("", page),
    path("api", api),
    path("stream", stream),
    path("gzip", compressed),
    path("csp", with_csp),
    path("nonce", page),
    path("admin/", page),
]


@pytest.fixture(autouse=True, scope="module")
def django_settings() -> Iterator[None]:
    if not settings.configured:
        settings.configure(
            DEBUG=False, ALLOWED_HOSTS=["testserver"], SECRET_KEY="test-only", INSTALLED_APPS=[]
        )
        django.setup()
    with override_settings(ROOT_URLCONF=sys.modules[__name__], MIDDLEWARE=MIDDLEWARE, REEL=REEL):
        yield


def test_html_page_gets_the_snippet_with_a_right_content_length() -> None:
    response = Client().get("/")
    text = response.content.decode()
    assert TAG + "</head>" in text
    assert without_snippet(text) == PAGE
    assert int(response.headers["Content-Length"]) == len(response.content)


def test_granted_consent_puts_consent_true_in_the_page() -> None:
    with override_settings(REEL={**REEL, "CONSENT": "granted"}):
        text = Client().get("/").content.decode()
    assert "window.reel.consent(true);</script>" + TAG in text


def test_json_streaming_compressed_excluded_and_head_are_left_alone() -> None:
    client = Client()
    assert client.get("/api").json() == {"page": PAGE}
    assert (
        b"".join(client.get("/stream").streaming_content)
        == b"<html><head></head><body>streamed</body></html>"
    )
    assert gzip.decompress(client.get("/gzip").content).decode() == PAGE
    assert client.get("/admin/").content.decode() == PAGE
    assert client.head("/").content == b""


def test_nonce_from_the_csp_header_else_from_the_request() -> None:
    client = Client()
    assert client.get("/csp").content.decode().count('nonce="dj5"') == 2
    assert client.get("/nonce").content.decode().count('nonce="req8"') == 2
    assert 'nonce="' not in client.get("/").content.decode()


def test_async_django_gets_the_snippet_too() -> None:
    with override_settings(MIDDLEWARE=["reel.integrations.django.ReelMiddleware"]):
        response = asyncio.run(AsyncClient().get("/"))
    assert TAG + "</head>" in response.content.decode()
    assert int(response.headers["Content-Length"]) == len(response.content)


def test_missing_settings_are_refused_at_start() -> None:
    with override_settings(REEL={"URL": "https://reel.example"}), pytest.raises(ImproperlyConfigured):
        Client().get("/")
    with (
        override_settings(REEL={**REEL, "CONSENT": "always"}),
        pytest.raises(ImproperlyConfigured, match="consent"),
    ):
        Client().get("/")
