"""The beacon's own way in: `POST /v1/web/beacons` is answered before any of FastAPI's layers.

Beacons are nearly every request a busy Reel serves, and their route takes nothing FastAPI adds: no
parameters to validate, no dependencies, no response model, no routing among ~100 routes. FastAPI's
outer layers (error, telemetry and body-limit middlewares), Starlette's request and response objects and
Reel's own middlewares cost about a fifth of a beacon's CPU (P3 in docs/scale.md), so Reel's app
(`reel.server.app.ReelApp`) hands these requests to `BeaconEndpoint`, which does for them what those
layers do for every other request, in one place: the request id and its header, the security headers,
the metrics and access line (`reel.server.logs`), and a 500 for an unexpected error. Other methods and
paths go on to FastAPI; the route stays declared there too, for the API docs.
"""

from __future__ import annotations

import logging

from starlette.types import Receive, Scope, Send

from reel.errors import ReelError
from reel.ingest.beacon_request import CORS_HEADERS, Answer, BeaconRequest, error_answer
from reel.ingest.routes import answer_web_beacon
from reel.runtime.context import ReelContext
from reel.server.logs import RequestRecord
from reel.server.security import BEACON_HEADERS

log = logging.getLogger("reel.server")
_JSON = (b"content-type", b"application/json")


class BeaconEndpoint:
    """Plain ASGI answering `POST /v1/web/beacons` with everything Reel's middlewares add (see above)."""

    def __init__(self, ctx: ReelContext, *, log_beacons: bool) -> None:
        self.ctx = ctx
        self.log_beacons = log_beacons

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        record = RequestRecord(scope, self.log_beacons)
        try:
            try:
                answer = await answer_web_beacon(self.ctx, BeaconRequest.of_scope(scope), receive)
            except Exception:
                # A bug, not the client's fault: logged with its trace; the recorder retries a 500.
                log.exception("unexpected error answering a beacon")
                answer = _INTERNAL_ERROR
            headers = [
                _JSON,
                (b"content-length", str(len(answer.body)).encode()),
                *answer.headers,
                *BEACON_HEADERS,
                (b"x-request-id", record.request_id.encode()),
            ]
            record.status = answer.status
            await send({"type": "http.response.start", "status": answer.status, "headers": headers})
            await send({"type": "http.response.body", "body": answer.body})
        finally:
            record.finish()


_INTERNAL_ERROR: Answer = error_answer(ReelError("internal error"), CORS_HEADERS)
