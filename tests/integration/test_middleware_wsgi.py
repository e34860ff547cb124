"""The WSGI middleware on a Flask app, through Flask's test client; and on plain WSGI callables."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask, Response, request, stream_with_context
from werkzeug.test import Client

from reel.integrations.wsgi import ReelMiddleware

PAGE = "<!doctype html><html><head><title>Shop</title></head><body><h1>Welcome</h1></body></html>"
TAG = '<script src="https://reel.example/capture/reel.js" data-app-key="rk-test" async></script>'


def without_snippet(text: str) -> str:
    start = text.index("<script>window.reel")
    end = text.index(TAG) + len(TAG)
    return text[:start] + text[end:]


def flask_app(**options: Any) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def page() -> str:
        return PAGE

    @app.get("/api")
    def api() -> dict[str, str]:
        return {"page": PAGE}

    @app.get("/stream")
    def stream() -> Response:
        def parts() -> Iterator[str]:
            yield "<html><head></head>"
            yield "<body>streamed</body></html>"

        return Response(stream_with_context(parts()), mimetype="text/html")

    @app.get("/gzip")
    def compressed() -> Response:
        return Response(
            gzip.compress(PAGE.encode()), mimetype="text/html", headers={"Content-Encoding": "gzip"}
        )

    @app.get("/csp")
    def with_csp() -> Response:
        return Response(
            PAGE, mimetype="text/html", headers={"Content-Security-Policy": "script-src 'nonce-fl1'"}
        )

    @app.get("/admin/")
    def admin() -> str:
        return PAGE

    @app.before_request
    def environ_nonce() -> None:
        if request.path == "/environ":
            request.environ["csp_nonce"] = "env9"

    @app.get("/environ")
    def environ_page() -> str:
        return PAGE

    app.wsgi_app = ReelMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, reel_url="https://reel.example", app_key="rk-test", exclude_paths=["/admin/"], **options
    )
    return app


def test_html_page_gets_the_snippet_with_a_right_content_length() -> None:
    response = flask_app().test_client().get("/")
    text = response.get_data(as_text=True)
    assert TAG + "</head>" in text
    assert without_snippet(text) == PAGE
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    assert "consent(true)" not in text


def test_granted_consent_puts_consent_true_in_the_page() -> None:
    text = flask_app(consent="granted").test_client().get("/").get_data(as_text=True)
    assert "window.reel.consent(true);</script>" + TAG in text


def test_json_streams_compressed_excluded_and_head_are_left_alone() -> None:
    client = flask_app().test_client()
    assert client.get("/api").get_json() == {"page": PAGE}
    assert client.get("/stream").get_data(as_text=True) == "<html><head></head><body>streamed</body></html>"
    compressed = client.get("/gzip")
    assert gzip.decompress(compressed.get_data()).decode() == PAGE
    assert int(compressed.headers["Content-Length"]) == len(compressed.get_data())
    assert client.get("/admin/").get_data(as_text=True) == PAGE
    head = client.head("/")
    assert head.get_data() == b"" and int(head.headers["Content-Length"]) == len(PAGE)


def test_nonce_from_the_csp_header_else_from_the_environ() -> None:
    client = flask_app().test_client()
    assert client.get("/csp").get_data(as_text=True).count('nonce="fl1"') == 2
    assert client.get("/environ").get_data(as_text=True).count('nonce="env9"') == 2


def test_a_page_over_the_bound_passes_unchanged() -> None:
    response = flask_app(max_body_bytes=50).test_client().get("/")
    assert response.get_data(as_text=True) == PAGE


StartResponse = Callable[..., Callable[[bytes], object]]


def list_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<html><head></head>", b"<body>list</body></html>"]


def generator_app(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    yield b"<html><head></head><body>gen</body></html>"


def write_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    write = start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", "44")])
    write(b"<html><head></head>")
    return [b"<body>written</body></html>"]


def test_plain_wsgi_lists_are_changed_generators_are_not_and_write_output_is_kept() -> None:
    def wrap(app: Any) -> Client:
        return Client(ReelMiddleware(app, reel_url="https://reel.example", app_key="rk-test"))

    listed = wrap(list_app).get("/")
    assert TAG + "</head>" in listed.get_data(as_text=True)
    assert int(listed.headers["Content-Length"]) == len(listed.get_data())
    assert wrap(generator_app).get("/").get_data() == b"<html><head></head><body>gen</body></html>"
    written = wrap(write_app).get("/").get_data(as_text=True)
    assert without_snippet(written) == "<html><head></head><body>written</body></html>"
