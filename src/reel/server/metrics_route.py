"""`/metrics` in Prometheus text format: open by default, behind a bearer token or off by setting.

No operator login is asked (Prometheus has none); REEL_METRICS_TOKEN makes it answer only requests that
carry the token, REEL_METRICS=off turns it off, and the deployment guide's proxy keeps it internal.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from reel.errors import NotFound, Unauthorized
from reel.runtime.context import get_context
from reel.runtime.metrics import render_metrics

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Every metric of this process, or of every process sharing REEL_METRICS_DIR."""
    settings = get_context(request).settings
    if not settings.metrics:
        raise NotFound("metrics are turned off (REEL_METRICS=off)")
    if settings.metrics_token:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if not secrets.compare_digest(sent.encode(), expected.encode()):
            raise Unauthorized("metrics need the bearer token set in REEL_METRICS_TOKEN")
    # Reading every process's files in multiprocess mode is disk work: off the event loop.
    body, content_type = await run_in_threadpool(render_metrics)
    return Response(body, media_type=content_type)
