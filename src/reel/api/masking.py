"""Operator API for masking rules (docs/contracts/masking-rules.md): read, replace, check a draft, list,
read and restore versions."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from reel.api.auth import AdminCaller, ApiCaller, Caller
from reel.api.params import MAX_QUERY_INT
from reel.api.schemas import RulesCheck, RulesDocument, RulesVersionDetail, RulesVersions
from reel.domain.rules import RuleSet, parse_rules, rules_document
from reel.errors import BadRequest, NotFound, PayloadTooLarge
from reel.runtime.context import ReelContext, get_context
from reel.runtime.responses import OrjsonResponse
from reel.storage.rule_store import RuleRecord, RuleStore

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


async def read_document(request: Request) -> object:
    """The JSON body of a request carrying a rules document (at most MAX_DOCUMENT_BYTES), not yet parsed."""
    body = await request.body()
    if len(body) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"a rules document is at most {MAX_DOCUMENT_BYTES} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from exc


@router.put(
    "/applications/{app_id}/masking-rules",
    summary="Replace the masking rules (admin)",
    response_model=RulesDocument,
)
async def put_rules(request: Request, app_id: str, caller: AdminCaller) -> OrjsonResponse:
    """Validate the document, store it as the next version and answer it; replays use it at once."""
    ctx = get_context(request)
    rules = parse_rules(await read_document(request))  # InvalidField (400) naming the field
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
                    "restored_from": record.restored_from,
                }
            )
        return {"versions": versions}

    return OrjsonResponse(await run_in_threadpool(work))


@router.post(
    "/applications/{app_id}/masking-rules/check",
    summary="Check a draft rules document without saving it",
    response_model=RulesCheck,
)
async def check_rules(request: Request, app_id: str, caller: AdminCaller) -> RulesCheck:
    """The draft as it would be stored, or 400 naming the first field that is wrong and why; nothing is
    saved. The rules editor calls it as an admin types."""
    ctx = get_context(request)
    await run_in_threadpool(_visible_app, ctx, caller, app_id)
    rules = parse_rules(await read_document(request))
    document = rules_document(rules)
    del document["version"]  # a draft has none yet
    return RulesCheck(ok=True, document=document)


def _version_model(ctx: ReelContext, record: RuleRecord) -> RulesVersionDetail:
    operator = ctx.operators.operator(record.operator_id) if record.operator_id else None
    doc = rules_document(record.rules)
    return RulesVersionDetail(
        version=record.version,
        preset=record.rules.preset,
        consent=doc["consent"],
        rules=doc["rules"],
        updated_by=record.operator_id,
        updated_by_name=operator.name if operator is not None else None,
        updated_at=record.created_at,
        restored_from=record.restored_from,
    )


def _saved_version(rules: RuleStore, app_id: str, version: int) -> RuleRecord:
    record = rules.version(app_id, version)
    if record is None:
        raise NotFound(f"this application has no masking rules version {version}")
    return record


VersionNumber = Annotated[
    int, Path(ge=0, le=MAX_QUERY_INT, description="A version number; 0 is Reel's defaults")
]


@router.get(
    "/applications/{app_id}/masking-rules/versions/{version}",
    summary="One saved version of the masking rules",
    response_model=RulesVersionDetail,
)
async def get_version(
    request: Request, app_id: str, version: VersionNumber, caller: ApiCaller
) -> RulesVersionDetail:
    """The rules document of one version as it was saved, with who saved it and when (404 if none)."""
    ctx = get_context(request)

    def work() -> RulesVersionDetail:
        return _version_model(ctx, _saved_version(ctx.rules, _visible_app(ctx, caller, app_id), version))

    return await run_in_threadpool(work)


@router.post(
    "/applications/{app_id}/masking-rules/versions/{version}/restore",
    summary="Restore an earlier version of the masking rules (admin)",
    response_model=RulesVersionDetail,
)
async def restore_version(
    request: Request, app_id: str, version: VersionNumber, caller: AdminCaller
) -> RulesVersionDetail:
    """Save the rules of an earlier version (0: the defaults) as the next version, naming the one restored;
    history is never rewritten. Replays use it at once."""
    ctx = get_context(request)
    now_ms = ctx.clock.now_ms()

    def work() -> RulesVersionDetail:
        visible = _visible_app(ctx, caller, app_id)
        old = _saved_version(ctx.rules, visible, version)
        saved = ctx.rules.save(visible, old.rules, caller.operator.id, now_ms, restored_from=old.version)
        return _version_model(ctx, saved)

    return await run_in_threadpool(work)
