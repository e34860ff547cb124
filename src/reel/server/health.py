"""Liveness (`/healthz`) and readiness (`/readyz`: able to accept beacons)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from reel.errors import ReelError
from reel.runtime.context import get_context
from reel.runtime.responses import OrjsonResponse

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> OrjsonResponse:
    """The process is alive."""
    return OrjsonResponse({"ok": True})


@router.get("/readyz")
async def readyz(request: Request) -> OrjsonResponse:
    """Ready when not draining and both stores answer."""
    ctx = get_context(request)
    if getattr(request.app.state, "draining", False):
        return OrjsonResponse({"ok": False, "reason": "shutting down"}, status_code=503)
    try:
        await run_in_threadpool(ctx.sessions.applications)
        await run_in_threadpool(lambda: next(ctx.blobs.keys("readyz-probe/"), None))
    except ReelError as exc:
        return OrjsonResponse({"ok": False, "reason": exc.message}, status_code=503)
    return OrjsonResponse({"ok": True})
