"""Operator API for applications: list those the caller may see with their snippet; admins create
applications (admins of every app) and change their retention and allowed origins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from reel.admin.applications import checked_origins, create_application
from reel.api.auth import AdminCaller, ApiCaller
from reel.api.schemas import ApplicationList, ApplicationOut, ApplicationUsage
from reel.capture.snippet import snippet_html
from reel.domain.records import Application
from reel.errors import Forbidden, InvalidField, NotFound
from reel.ingest import lookups
from reel.runtime.context import ReelContext, get_context
from reel.runtime.responses import OrjsonResponse
from reel.storage.retention_store import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, AuditEntry

router = APIRouter(prefix="/api/v1", tags=["applications"])


class NewApplication(BaseModel):
    """The body of `POST /api/v1/applications`."""

    name: str = Field(min_length=1, max_length=100)
    origins: list[str] = Field(default_factory=list, max_length=50)
    mobile: bool = False


def application_json(app: Application, reel_url: str) -> dict[str, Any]:
    """The public JSON form of an application (docs/contracts/operator-api.md); `snippet` loads the
    recorder from `reel_url` (null for a mobile application, which records with an SDK)."""
    return {
        "id": app.id,
        "name": app.name,
        "app_key": app.app_key,
        "origins": list(app.origins),
        "enabled": app.enabled,
        "retention_days": app.retention_days,
        "created_at": app.created_at,
        "mobile": app.mobile,
        "snippet": None if app.mobile else snippet_html(reel_url, app.app_key),
    }


def reel_url_for(request: Request) -> str:
    """Where pages reach Reel: REEL_PUBLIC_URL, else the URL this request came to (proxy headers
    from a trusted proxy included, as uvicorn reads them)."""
    public = get_context(request).settings.public_url
    return public or str(request.base_url).rstrip("/")


@router.get("/applications", summary="Applications the caller may see", response_model=ApplicationList)
async def list_applications(request: Request, caller: ApiCaller) -> OrjsonResponse:
    """Every application visible to the caller, oldest first."""
    ctx = get_context(request)
    reel_url = reel_url_for(request)

    def work() -> list[dict[str, Any]]:
        visible = [a for a in ctx.sessions.applications() if caller.can_see(a.id)]
        return [with_usage(ctx, a, reel_url) for a in visible]

    return OrjsonResponse({"applications": await run_in_threadpool(work)})


def with_usage(ctx: ReelContext, app: Application, reel_url: str) -> dict[str, Any]:
    """The application's JSON with the bytes of replay data it stores (`stored_bytes`)."""
    return {**application_json(app, reel_url), "stored_bytes": ctx.sessions.stored_bytes(app.id)}


class ApplicationChange(BaseModel):
    """The body of `PATCH /api/v1/applications/{id}`: the settings to change (one or both)."""

    model_config = ConfigDict(extra="forbid")

    retention_days: int | None = Field(default=None, ge=MIN_RETENTION_DAYS, le=MAX_RETENTION_DAYS)
    origins: list[str] | None = Field(default=None, max_length=50)


@router.patch(
    "/applications/{app_id}",
    summary="Change an application's retention or origins (admin)",
    response_model=ApplicationUsage,
)
async def change_application(
    request: Request, app_id: str, caller: AdminCaller, body: ApplicationChange
) -> OrjsonResponse:
    """Set how many days replay data is kept (the purge applies it from its next run) and which page
    origins may send beacons (at once). Each change is audited."""
    if body.retention_days is None and body.origins is None:
        raise InvalidField("give retention_days, origins or both", field="retention_days")
    ctx = get_context(request)
    now = ctx.clock.now_ms()
    reel_url = reel_url_for(request)

    def audit(app: Application, action: str, detail: str) -> AuditEntry:
        return AuditEntry(
            at=now,
            actor=caller.operator.name,
            actor_id=caller.operator.id,
            action=action,
            app_id=app.id,
            target=f"application {app.id}",
            detail=detail,
        )

    def work() -> dict[str, Any]:
        app = ctx.sessions.application(app_id) if caller.can_see(app_id) else None
        if app is None:
            raise NotFound("no such application")
        if body.origins is not None:
            try:
                origins = checked_origins(body.origins, mobile=app.mobile)
            except ValueError as exc:
                raise InvalidField(str(exc), field="origins") from exc
            detail = f"origins {' '.join(app.origins) or '(none)'} -> {' '.join(origins) or '(none)'}"
            changed = ctx.sessions.set_origins(app.id, origins, audit(app, "application.origins", detail))
            if changed is None:
                raise NotFound("no such application")
            app = changed
        if body.retention_days is not None:
            detail = f"retention {app.retention_days} -> {body.retention_days} days"
            changed = ctx.sessions.set_retention(
                app.id, body.retention_days, audit(app, "application.retention", detail)
            )
            if changed is None:
                raise NotFound("no such application")
            app = changed
        lookups.forget_application(ctx, app.app_key)
        return with_usage(ctx, app, reel_url)

    return OrjsonResponse(await run_in_threadpool(work))


@router.post(
    "/applications", status_code=201, summary="Create an application (admin)", response_model=ApplicationOut
)
async def create_application_route(
    request: Request, caller: AdminCaller, body: NewApplication
) -> OrjsonResponse:
    """Create an application and answer it with its new app key."""
    # An admin limited to some applications could not see the new one; creating tenants is for admins
    # of every application.
    if caller.app_ids is not None:
        raise Forbidden("creating applications needs an admin of every application")
    name = body.name.strip()
    if not name:
        raise InvalidField("name must not be blank", field="name")
    ctx = get_context(request)
    now_ms = ctx.clock.now_ms()
    try:
        app = await run_in_threadpool(
            lambda: create_application(ctx.sessions, name, body.origins, now_ms=now_ms, mobile=body.mobile)
        )
    except ValueError as exc:
        raise InvalidField(str(exc), field="origins") from exc
    return OrjsonResponse(application_json(app, reel_url_for(request)), status_code=201)
