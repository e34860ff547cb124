"""Operator API for deletion (GDPR) and the audit log: delete a session or a user's sessions, list audits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from reel.api.auth import AdminCaller, Caller
from reel.api.params import MAX_QUERY_INT
from reel.api.schemas import AuditEntryOut, AuditLog, DeletionResult
from reel.errors import BadRequest
from reel.ids import is_server_id
from reel.retention.deletion import Actor, DeletionOutcome, delete_session, delete_user
from reel.retention.messages import tombstone_json
from reel.runtime.context import get_context
from reel.runtime.responses import OrjsonResponse
from reel.storage.retention_store import AuditEntry

router = APIRouter(prefix="/api/v1", tags=["retention"])


class UserDeletion(BaseModel):
    """The body of `POST /api/v1/deletions`."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=200)
    app_id: str | None = Field(default=None, max_length=80)


def _actor(caller: Caller) -> Actor:
    return Actor(caller.operator.name, caller.operator.id, caller.app_ids)


def _outcome_json(outcome: DeletionOutcome) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "sessions": list(outcome.sessions),
        "recordings": outcome.recordings,
        "audit_id": outcome.audit_id,
    }
    if outcome.already is not None:
        doc["already_deleted"] = tombstone_json(outcome.already)
    return doc


def audit_json(e: AuditEntry) -> dict[str, Any]:
    """The public JSON form of an audit entry (docs/contracts/retention.md), through its model."""
    return AuditEntryOut.model_validate(e).model_dump()


@router.delete(
    "/sessions/{session_id}",
    summary="Delete a session and its recording (admin)",
    response_model=DeletionResult,
)
async def delete_session_route(request: Request, session_id: str, caller: AdminCaller) -> OrjsonResponse:
    """Delete the session with every session of its recording; repeating it changes nothing. Audited."""
    if not is_server_id(session_id, "ses"):
        raise BadRequest("malformed session id", field="session_id")
    ctx = get_context(request)
    now = ctx.clock.now_ms()
    outcome = await run_in_threadpool(
        delete_session, ctx.sessions, ctx.blobs, session_id, _actor(caller), now, ctx.resources
    )
    return OrjsonResponse(_outcome_json(outcome))


@router.post("/deletions", summary="Delete every session of a user (admin)", response_model=DeletionResult)
async def delete_user_route(request: Request, caller: AdminCaller, body: UserDeletion) -> OrjsonResponse:
    """Delete every recording in which a session is identified as `user_id`, across splits. Audited."""
    ctx = get_context(request)
    now = ctx.clock.now_ms()
    actor = _actor(caller)

    def work() -> DeletionOutcome:
        return delete_user(
            ctx.sessions, ctx.blobs, body.user_id, actor, now, app_id=body.app_id, resources=ctx.resources
        )

    return OrjsonResponse(_outcome_json(await run_in_threadpool(work)))


@router.get("/audit", summary="The audit log, newest first (admin)", response_model=AuditLog)
async def list_audit(
    request: Request,
    caller: AdminCaller,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_QUERY_INT)] = 0,
) -> OrjsonResponse:
    """Entries of the applications the caller may see, and the caller's own."""
    ctx = get_context(request)

    def work() -> list[AuditEntry]:
        return ctx.sessions.audit_entries(
            app_ids=caller.app_ids, actor_id=caller.operator.id, limit=limit, offset=offset
        )

    return OrjsonResponse({"entries": [audit_json(e) for e in await run_in_threadpool(work)]})
