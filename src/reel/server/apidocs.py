"""The API docs, served by Reel itself: Swagger UI at `/api/docs` from Reel's own built files, so the page
works under Reel's Content-Security-Policy and without internet access. `/redoc` points there."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse

from reel import __version__

router = APIRouter(include_in_schema=False)

ASSETS = "/static/built/apidocs"

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="same-origin">
  <title>Reel {version} · API</title>
  <link rel="icon" href="/static/player/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
  <script nonce="{nonce}" src="{assets}/swagger-ui-bundle.js" defer></script>
  <script nonce="{nonce}" src="{assets}/start.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-openapi="/openapi.json"></div>
  <noscript>The API reference needs JavaScript; the OpenAPI document is at /openapi.json.</noscript>
</body>
</html>
"""


@router.get("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI on Reel's OpenAPI document."""
    nonce = escape(str(getattr(request.state, "csp_nonce", "")), quote=True)
    return HTMLResponse(_PAGE.format(version=escape(__version__), assets=ASSETS, nonce=nonce))


@router.get("/redoc")
def redoc() -> RedirectResponse:
    """One reference page is kept: the older address leads to it."""
    return RedirectResponse("/api/docs", status_code=308)
