"""Operator API for applications: list those the caller may see; admins of every app create new ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from reel.cli.apps import create_application
from reel.errors import Forbidden, InvalidField
from reel.server.auth import AdminCaller, ApiCaller
from reel.server.context import get_context
from reel.server.responses import OrjsonResponse
from reel.storage.records import Application

router = APIRouter(prefix="/api/v1", tags=["applications"])


class NewApplication(BaseModel):
    """The body of `POST /api/v1/applications`."""

    name: str = Field(min_length=1, max_length=100)
    origins: list[str] = Field(min_length=1, max_length=50)


def application_json(app: Application) -> dict[str, Any]:
    """The public JSON form of an application (docs/contracts/operator-api.md)."""
    return {
        "id": app.id,
        "name": app.name,
        "app_key": app.app_key,
        "origins": list(app.origins),
        "enabled": app.enabled,
        "retention_days": app.retention_days,
        "created_at": app.created_at,
    }


@router.get("/applications", summary="Applications the caller may see")
async def list_applications(request: Request, caller: ApiCaller) -> OrjsonResponse:
    """Every application visible to the caller, oldest first."""
    ctx = get_context(request)
    apps = await run_in_threadpool(ctx.sessions.applications)
    return OrjsonResponse({"applications": [application_json(a) for a in apps if caller.can_see(a.id)]})


@router.post("/applications", status_code=201, summary="Create an application (admin)")
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
            lambda: create_application(ctx.sessions, name, body.origins, now_ms=now_ms)
        )
    except ValueError as exc:
        raise InvalidField(str(exc), field="origins") from exc
    return OrjsonResponse(application_json(app), status_code=201)
