"""Operator API for masking rules (docs/contracts/masking-rules.md): read, replace, list versions."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from reel.api.auth import AdminCaller, ApiCaller, Caller
from reel.api.schemas import RulesDocument, RulesVersions
from reel.domain.rules import RuleSet, parse_rules, rules_document
from reel.errors import BadRequest, NotFound, PayloadTooLarge
from reel.runtime.context import ReelContext, get_context
from reel.runtime.responses import OrjsonResponse
from reel.storage.rule_store import RuleRecord

router = APIRouter(prefix="/api/v1", tags=["masking"])

MAX_DOCUMENT_BYTES = 64 * 1024


def current_rules(ctx: ReelContext, app_id: str) -> RuleSet:
    """The application's current masking rules (version 0, the defaults, until some are saved)."""
    return ctx.rules.current(app_id).rules


def _visible_app(ctx: ReelContext, caller: Caller, app_id: str) -> str:
    """The application's id, or 404 (the same answer) for one that does not exist or the caller cannot see."""
    if not caller.can_see(app_id) or ctx.sessions.application(app_id) is None:
        raise NotFound("no such application")
    return app_id


def record_json(record: RuleRecord) -> dict[str, Any]:
    """The rules document of a version, with who saved it and when (null for version 0)."""
    doc = rules_document(record.rules)
    doc["updated_by"] = record.operator_id
    doc["updated_at"] = record.created_at
    return doc


@router.get(
    "/applications/{app_id}/masking-rules",
    summary="The application's current masking rules",
    response_model=RulesDocument,
)
async def get_rules(request: Request, app_id: str, caller: ApiCaller) -> OrjsonResponse:
    """The current rules document; version 0 (Reel's defaults) until rules are saved."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        return record_json(ctx.rules.current(_visible_app(ctx, caller, app_id)))

    return OrjsonResponse(await run_in_threadpool(work))


@router.put(
    "/applications/{app_id}/masking-rules",
    summary="Replace the masking rules (admin)",
    response_model=RulesDocument,
)
async def put_rules(request: Request, app_id: str, caller: AdminCaller) -> OrjsonResponse:
    """Validate the document, store it as the next version and answer it; replays use it at once."""
    ctx = get_context(request)
    body = await request.body()
    if len(body) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"a rules document is at most {MAX_DOCUMENT_BYTES} bytes")
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from exc
    rules = parse_rules(doc)  # InvalidField (400) naming the field
    now_ms = ctx.clock.now_ms()

    def work() -> dict[str, Any]:
        return record_json(
            ctx.rules.save(_visible_app(ctx, caller, app_id), rules, caller.operator.id, now_ms)
        )

    return OrjsonResponse(await run_in_threadpool(work))


@router.get(
    "/applications/{app_id}/masking-rules/versions",
    summary="Every saved version: who and when",
    response_model=RulesVersions,
)
async def list_versions(request: Request, app_id: str, caller: ApiCaller) -> OrjsonResponse:
    """Saved versions newest first, with the operator (id and name) who saved each."""
    ctx = get_context(request)

    def work() -> dict[str, Any]:
        versions = []
        names: dict[str, str | None] = {}
        for record in ctx.rules.history(_visible_app(ctx, caller, app_id)):
            who = record.operator_id or ""
            if who not in names:
                operator = ctx.operators.operator(who) if who else None
                names[who] = operator.name if operator is not None else None
            versions.append(
                {
                    "version": record.version,
                    "updated_by": record.operator_id,
                    "updated_by_name": names[who],
                    "updated_at": record.created_at,
                    "preset": record.rules.preset,
                }
            )
        return {"versions": versions}

    return OrjsonResponse(await run_in_threadpool(work))
