"""WSGI middleware (Flask, any WSGI app) that adds Reel's snippet to HTML pages.

    app.wsgi_app = ReelMiddleware(app.wsgi_app, reel_url="https://reel.example", app_key="rk-…")

A body given as a list (or tuple), or as an iterable under a Content-Length within `max_body_bytes` (how
Flask answers a rendered page), is read whole and changed; any other iterable is a stream (a generator,
a file) and passes through untouched, since reading it first would delay the page. The nonce comes from
the response's Content-Security-Policy, else from `environ[nonce_environ_key]`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any

from reel.capture.snippet import ConsentMode
from reel.integrations.inject import (
    DEFAULT_MAX_BODY_BYTES,
    ResponseInfo,
    SnippetSettings,
    insert_snippet,
    nonce_from_csp,
)

# PEP 3333's callables, spelled out so this module needs no framework installed.
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
Headers = list[tuple[str, str]]
Write = Callable[[bytes], object]
StartResponse = Callable[..., Write]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

CSP_HEADERS = ("content-security-policy", "content-security-policy-report-only")


class ReelMiddleware:
    """Injects the snippet into the HTML responses of the wrapped WSGI app."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        reel_url: str,
        app_key: str,
        consent: ConsentMode = "page",
        exclude_paths: tuple[str, ...] | list[str] = (),
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        nonce_environ_key: str = "csp_nonce",
    ) -> None:
        self.app = app
        self.settings = SnippetSettings(reel_url, app_key, consent, tuple(exclude_paths), max_body_bytes)
        self.nonce_environ_key = nonce_environ_key

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if not self.settings.wants(environ.get("REQUEST_METHOD", "GET"), path):
            return self.app(environ, start_response)
        held = _Held(start_response)
        result = self.app(environ, held.start_response)
        if held.status is None:
            # start_response is called lazily, on the first item: a generator, so a stream.
            return held.lazily(result)
        info = ResponseInfo.from_headers(_status_code(held.status), held.headers)
        limit = self.settings.max_body_bytes
        complete = isinstance(result, list | tuple) or (
            info.content_length is not None and info.content_length <= limit
        )
        if not info.is_html() or not complete:
            return held.unchanged(result)
        body = b"".join(held.written) + _read_all(result)
        if len(body) > limit:
            return held.replayed(body)
        nonce = nonce_from_csp(v for k, v in held.headers if k.lower() in CSP_HEADERS)
        if nonce is None:
            value = environ.get(self.nonce_environ_key)
            nonce = value if isinstance(value, str) and value else None
        body = insert_snippet(body, self.settings.snippet(nonce))
        headers = [(k, v) for k, v in held.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(held.status, headers, held.exc_info)
        return [body]


def _status_code(status: str) -> int:
    code = status.split(" ", 1)[0]
    return int(code) if code.isdigit() else 0


def _read_all(result: Iterable[bytes]) -> bytes:
    """Every byte of a WSGI body, closing it afterwards as PEP 3333 asks."""
    try:
        return b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if callable(close):
            close()


class _Held:
    """The app's start_response, held back until it is known whether the body changes."""

    def __init__(self, start_response: StartResponse) -> None:
        self.downstream = start_response
        self.status: str | None = None
        self.headers: Headers = []
        self.exc_info: ExcInfo | None = None
        self.written: list[bytes] = []
        self.real_write: Write | None = None

    def start_response(self, status: str, headers: Headers, exc_info: ExcInfo | None = None) -> Write:
        if self.real_write is not None:
            # Already passed on: let the server handle a second call (an error after output began).
            return self.downstream(status, headers, exc_info) if exc_info else self.real_write
        self.status, self.headers, self.exc_info = status, list(headers), exc_info
        return self.write

    def write(self, data: bytes) -> None:
        """The legacy write() callable: kept until the response is passed on, then written through."""
        if self.real_write is not None:
            self.real_write(data)
        else:
            self.written.append(data)

    def _pass_on(self) -> Write:
        if self.real_write is None and self.status is not None:
            self.real_write = self.downstream(self.status, self.headers, self.exc_info)
            for data in self.written:
                self.real_write(data)
            self.written.clear()
        return self.real_write or (lambda _data: None)

    def unchanged(self, result: Iterable[bytes]) -> Iterable[bytes]:
        """The response as the app gave it."""
        self._pass_on()
        return result

    def replayed(self, body: bytes) -> Iterable[bytes]:
        """An oversized body already read: passed on unchanged."""
        self.written.clear()
        self._pass_on()
        return [body]

    def lazily(self, result: Iterable[bytes]) -> Iterator[bytes]:
        """A generator app's body, passing its start_response on when it is called."""
        try:
            for chunk in result:
                self._pass_on()
                yield chunk
            self._pass_on()
        finally:
            close = getattr(result, "close", None)
            if callable(close):
                close()
