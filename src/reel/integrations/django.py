"""Django middleware that adds Reel's snippet to HTML pages.

    MIDDLEWARE = [..., "reel.integrations.django.ReelMiddleware"]
    REEL = {"URL": "https://reel.example", "APP_KEY": "rk-…", "CONSENT": "page", "EXCLUDE_PATHS": ["/admin/"]}

Streaming responses (StreamingHttpResponse, FileResponse) pass through untouched. The nonce comes from
the response's Content-Security-Policy, else from the request: `request.csp_nonce` (django-csp) or the
nonce of Django's own CSP middleware; either CSP middleware goes before this one in MIDDLEWARE, so that it
writes its header after the snippet has used the nonce.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from reel.integrations.inject import DEFAULT_MAX_BODY_BYTES, ResponseInfo, SnippetSettings, insert_snippet
from reel.integrations.inject import nonce_from_csp as _nonce_from_csp

CSP_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
GetResponse = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


def settings_from_django(config: Any) -> SnippetSettings:
    """The middleware's settings from the `REEL` dict of Django's settings."""
    if not isinstance(config, dict) or not config.get("URL") or not config.get("APP_KEY"):
        raise ImproperlyConfigured('settings.REEL must be a dict with "URL" and "APP_KEY"')
    try:
        return SnippetSettings(
            reel_url=str(config["URL"]),
            app_key=str(config["APP_KEY"]),
            consent=config.get("CONSENT", "page"),
            exclude_paths=tuple(config.get("EXCLUDE_PATHS", ())),
            max_body_bytes=int(config.get("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"settings.REEL: {exc}") from None


class ReelMiddleware:
    """Injects the snippet into HTML responses; works in sync and async Django."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.settings = settings_from_django(getattr(django_settings, "REEL", None))
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        response = self.get_response(request)
        if not isinstance(response, HttpResponseBase):
            raise TypeError("a synchronous get_response returned an awaitable")
        return self.process(request, response)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseBase):
            response = await response
        return self.process(request, response)

    def process(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        """The response with the snippet, when it is a complete HTML page the request may change."""
        if response.streaming or not self.settings.wants(request.method or "GET", request.path):
            return response
        info = ResponseInfo.from_headers(response.status_code, response.headers.items())
        content: bytes = getattr(response, "content", b"")
        if not info.is_html() or len(content) > self.settings.max_body_bytes:
            return response
        changed = insert_snippet(content, self.settings.snippet(_nonce(request, response)))
        response.content = changed
        if "Content-Length" in response.headers:
            response.headers["Content-Length"] = str(len(changed))
        return response


def _nonce(request: HttpRequest, response: HttpResponseBase) -> str | None:
    found = _nonce_from_csp(response.headers[name] for name in CSP_HEADERS if name in response.headers)
    if found is not None:
        return found
    # django-csp's `csp_nonce`, Django's own (6.0+) `_csp_nonce`: lazy values generated on first use.
    for attribute in ("csp_nonce", "_csp_nonce"):
        value = getattr(request, attribute, None)
        if value is not None and str(value):
            return str(value)
    return None
