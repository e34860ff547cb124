"""The ASGI middleware on a Starlette app, through Starlette's TestClient."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from reel.integrations.asgi import ReelMiddleware

PAGE = "<!doctype html><html><head><title>Shop</title></head><body><h1>Welcome</h1></body></html>"
TAG = '<script src="https://reel.example/capture/reel.js" data-app-key="rk-test" async></script>'


def without_snippet(text: str) -> str:
    """The page as the app made it: the stub and the tag taken out."""
    start = text.index("<script>window.reel")
    end = text.index(TAG) + len(TAG)
    return text[:start] + text[end:]


async def page(_request: Request) -> Response:
    return HTMLResponse(PAGE)


async def api(_request: Request) -> Response:
    return JSONResponse({"page": PAGE})


async def stream(_request: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        yield b"<html><head></head>"
        yield b"<body>streamed</body></html>"

    return StreamingResponse(parts(), media_type="text/html")


async def with_csp(_request: Request) -> Response:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": "script-src 'self' 'nonce-hdr42'"})


async def with_state_nonce(request: Request) -> Response:
    request.state.csp_nonce = "state7"
    return HTMLResponse(PAGE)


async def big(_request: Request) -> Response:
    return HTMLResponse("<html><head></head><body>" + "x" * 5000 + "</body></html>")


async def chunked_page(scope: Scope, receive: Receive, send: Send) -> None:
    """A page sent in three body messages under a Content-Length (as a file response does)."""
    parts = [b"<html><head>", b"<title>t</title></head>", b"<body>in parts</body></html>"]
    headers = [(b"content-type", b"text/html"), (b"content-length", str(sum(map(len, parts))).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for i, part in enumerate(parts):
        await send({"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1})


def make_client(**options: object) -> TestClient:
    routes = [
        Route("/", page, methods=["GET", "HEAD"]),
        Route("/api", api),
        Route("/stream", stream),
        Route("/csp", with_csp),
        Route("/state", with_state_nonce),
        Route("/big", big),
        Route("/admin/page", page),
        Mount("/parts", app=chunked_page),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(
        ReelMiddleware,  # type: ignore[arg-type]
        reel_url="https://reel.example",
        app_key="rk-test",
        exclude_paths=["/admin/"],
        **options,
    )
    return TestClient(app)


def test_html_page_gets_the_snippet_before_head_end_with_a_right_content_length() -> None:
    response = make_client().get("/")
    assert response.status_code == 200
    assert TAG + "</head>" in response.text
    assert "window.reel=window.reel||{q:[]}" in response.text
    assert "consent(true)" not in response.text
    assert int(response.headers["content-length"]) == len(response.content)
    assert without_snippet(response.text) == PAGE


def test_granted_consent_puts_consent_true_in_the_page() -> None:
    response = make_client(consent="granted").get("/")
    assert "window.reel.consent(true);</script>" + TAG in response.text


def test_json_streams_excluded_paths_and_head_are_left_alone() -> None:
    client = make_client()
    assert client.get("/api").json() == {"page": PAGE}
    streamed = client.get("/stream")
    assert streamed.text == "<html><head></head><body>streamed</body></html>"
    assert client.get("/admin/page").text == PAGE
    head = client.head("/")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(PAGE)


def test_compressed_pages_are_left_alone() -> None:
    app = Starlette(routes=[Route("/", big)])
    app.add_middleware(GZipMiddleware, minimum_size=10)
    app.add_middleware(ReelMiddleware, reel_url="https://reel.example", app_key="rk-test")  # type: ignore[arg-type]
    with TestClient(app).stream("GET", "/", headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == len(raw)
    assert gzip.decompress(raw).startswith(b"<html><head></head><body>xxx")


def test_a_page_in_several_messages_under_a_content_length_is_changed() -> None:
    response = make_client().get("/parts")
    assert TAG + "</head>" in response.text
    assert without_snippet(response.text) == "<html><head><title>t</title></head><body>in parts</body></html>"
    assert int(response.headers["content-length"]) == len(response.content)


def test_a_page_over_the_bound_passes_unchanged() -> None:
    response = make_client(max_body_bytes=1000).get("/big")
    assert "reel.js" not in response.text and len(response.text) > 5000
    assert int(response.headers["content-length"]) == len(response.content)
    parts = make_client(max_body_bytes=30).get("/parts")
    assert parts.text == "<html><head><title>t</title></head><body>in parts</body></html>"


def test_nonce_from_the_csp_header_else_from_request_state() -> None:
    client = make_client()
    from_header = client.get("/csp").text
    assert from_header.count('nonce="hdr42"') == 2
    from_state = client.get("/state").text
    assert from_state.count('nonce="state7"') == 2
    assert 'nonce="' not in client.get("/").text


def test_an_extension_body_message_passes_after_the_held_start() -> None:
    """A server with the pathsend extension gets the start first, then the file, both unchanged."""
    sent: list[dict[str, object]] = []

    async def file_app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
        )
        await send({"type": "http.response.pathsend", "path": "/srv/page.html"})

    async def collect(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    async def nothing() -> MutableMapping[str, Any]:
        return {"type": "http.disconnect"}

    middleware = ReelMiddleware(file_app, reel_url="https://reel.example", app_key="rk-test")
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [],
        "extensions": {"http.response.pathsend": {}},
    }
    asyncio.run(middleware(scope, nothing, collect))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.pathsend"]
    assert sent[0]["headers"] == [(b"content-type", b"text/html")]
