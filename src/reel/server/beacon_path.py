"""The beacon's own way in: `POST /v1/web/beacons` is answered before FastAPI's router and handler.

Beacons are nearly every request a busy Reel serves, and their route takes nothing FastAPI adds: no
parameters to validate, no dependencies, no response model. Matching it among the ~100 routes and
running FastAPI's request handler cost about as much CPU as the beacon's own decoding (P3 in
docs/scale.md), so this middleware, innermost, hands the request straight to the route's function.
Everything outside it still applies: the request log (id, metrics), the security headers, the server
error answer. Other methods and paths go on to the router; the route stays declared there too, for the
API docs.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from reel.ingest.paths import WEB_BEACONS_PATH
from reel.ingest.routes import receive_web_beacon


class BeaconPath:
    """ASGI middleware answering `POST /v1/web/beacons` itself (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == WEB_BEACONS_PATH:
            response = await receive_web_beacon(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
