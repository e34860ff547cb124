"""Liveness (`/healthz`) and readiness (`/readyz`: able to accept beacons).

Readiness is about the write path of web beacons, which are stored in the session store's database
(row and events in one transaction). It fails while draining, when a store does not answer, when the
database's disk has less than `MIN_FREE_BYTES` left (embedded SQLite: one `statvfs`), and for
`FAILURE_HOLD_S` after the database refused a group of beacons (any backend, PostgreSQL included) unless
one has been saved since. The replay store is only read here: it takes web beacons' events later
(compaction waits for room, nothing is lost), so a full replay store leaves Reel ready; mobile beacons,
whose images go there at once, get 503 meanwhile (docs/reliability.md, Faults).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from reel.errors import ReelError
from reel.runtime.context import ReelContext, get_context
from reel.runtime.responses import OrjsonResponse
from reel.storage.sqlite_db import SqliteDatabase

router = APIRouter(include_in_schema=False)

MIN_FREE_BYTES = 256 * 1024
"""Below this much room on the database's disk, beacons are about to be refused: not ready."""
FAILURE_HOLD_S = 10.0
"""How long a refused group keeps readiness failed without a successful one (then beacons try again)."""


@router.get("/healthz")
def healthz() -> OrjsonResponse:
    """The process is alive."""
    return OrjsonResponse({"ok": True})


@router.get("/readyz")
async def readyz(request: Request) -> OrjsonResponse:
    """Ready when not draining, both stores answer and the database takes writes."""
    ctx = get_context(request)
    if getattr(request.app.state, "draining", False):
        return OrjsonResponse({"ok": False, "reason": "shutting down"}, status_code=503)
    try:
        await run_in_threadpool(ctx.sessions.applications)
        await run_in_threadpool(lambda: next(ctx.blobs.keys("readyz-probe/"), None))
    except ReelError as exc:
        return OrjsonResponse({"ok": False, "reason": exc.message}, status_code=503)
    problem = write_problem(ctx)
    if problem is not None:
        return OrjsonResponse({"ok": False, "reason": problem}, status_code=503)
    return OrjsonResponse({"ok": True})


def write_problem(ctx: ReelContext) -> str | None:
    """Why beacons would be refused now, or None."""
    folder = database_folder(ctx)
    if folder is not None:
        try:
            stat = os.statvfs(folder)
        except OSError as exc:
            return f"cannot check the database's disk: {exc.strerror}"
        free = stat.f_bavail * stat.f_frsize
        if free < MIN_FREE_BYTES:
            return f"the database's disk is full ({free // 1024} KiB free under {folder})"
    refused = ctx.committer.failing(FAILURE_HOLD_S)
    if refused is not None:
        return f"the database refused the last beacons: {refused}"
    return None


def database_folder(ctx: ReelContext) -> Path | None:
    """The folder of an embedded (SQLite file) session store; None for other backends."""
    db = getattr(ctx.sessions, "db", None)
    if isinstance(db, SqliteDatabase) and not db.memory:
        return Path(db.path).parent
    return None
