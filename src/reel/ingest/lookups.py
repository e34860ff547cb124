"""What ingest reads for every beacon, kept in memory: applications by app key, for a couple of seconds,
and each recording's owner and clock offset, which never change once claimed.

So a beacon costs no database read on the way in: the group commit is its only visit to the session
store (a new recording is claimed there too). The recorders' config (`/v1/web/config`, fetched on every
page view of a recorded site, and `/v1/mobile/config`) finds its application here too. An application
disabled (or a key revoked) stops its beacons within `APP_TTL_MS` (plus `REREAD_MS` while it is being
read again).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from reel.domain.records import Application, RecordingClaim
from reel.runtime.context import ReelContext

APP_TTL_MS = 2_000
"""How long an application (or an unknown key) read by key is used before it is read again."""


REREAD_MS = 1_000
"""While one request reads an expired application again, how long others may go on with the copy kept
(under load, dozens of beacons of one key would otherwise all read it at the same moment)."""


def kept_application(ctx: ReelContext, app_key: str) -> tuple[Application | None] | None:
    """The application of `app_key` as kept (in a 1-tuple; None inside for an unknown key), or None when
    it must be read: never kept, expired, or forgotten. Of the requests that find it expired, the first
    reads it again and the others use the kept copy meanwhile (up to REREAD_MS)."""
    now = ctx.clock.now_ms()
    kept = ctx.lookups.get(("app", app_key))
    if not isinstance(kept, tuple):
        return None
    if kept[1] > now:
        return (kept[0],)
    rereading = ctx.lookups.get(("app-reread", app_key))
    if isinstance(rereading, int) and rereading > now:
        return (kept[0],)
    ctx.lookups.put(("app-reread", app_key), now + REREAD_MS, 1)
    return None


async def application_of_key(ctx: ReelContext, app_key: str) -> Application | None:
    """The application of `app_key` (None for an unknown key): as kept, or read on a worker thread."""
    kept = kept_application(ctx, app_key)
    if kept is not None:
        return kept[0]
    return await run_in_threadpool(read_application, ctx, app_key)


def read_application(ctx: ReelContext, app_key: str) -> Application | None:
    """The application of `app_key` read from the store now, and kept for APP_TTL_MS."""
    app = ctx.sessions.application_by_key(app_key)
    ctx.lookups.put(("app", app_key), (app, ctx.clock.now_ms() + APP_TTL_MS), 1)
    return app


def known_claim(ctx: ReelContext, recording_id: str) -> RecordingClaim | None:
    """The owner and clock offset of a recording already claimed, if this process has read it."""
    kept = ctx.lookups.get(("claim", recording_id))
    return kept if isinstance(kept, RecordingClaim) else None


def claim(ctx: ReelContext, app_id: str, recording_id: str, clock_offset_ms: int, now: int) -> RecordingClaim:
    """The recording's claim (created for `app_id` with `clock_offset_ms` if new), kept from then on."""
    found = known_claim(ctx, recording_id)
    if found is None:
        found = ctx.sessions.claim_recording(app_id, recording_id, clock_offset_ms, now)
        ctx.lookups.put(("claim", recording_id), found, 1)
    return found


def remember_claim(ctx: ReelContext, recording_id: str, claim: RecordingClaim) -> None:
    """Keep a recording's claim, learnt from the group commit that made or checked it."""
    ctx.lookups.put(("claim", recording_id), claim, 1)


def forget_application(ctx: ReelContext, app_key: str) -> None:
    """Read an application again at its next beacon (it was changed here: the change applies at once in
    this process, within APP_TTL_MS in the others)."""
    ctx.lookups.put(("app", app_key), None, 1)
