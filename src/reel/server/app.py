"""The ASGI app factory: wires routes of every stage of the data path to one context."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from reel import __version__
from reel.api import applications as applications_api
from reel.api import masking as masking_api
from reel.api import masking_preview as masking_preview_api
from reel.api import mobile as mobile_api
from reel.api import resources as resources_api
from reel.api import retention as retention_api
from reel.api import sessions as sessions_api
from reel.api.auth import install_auth
from reel.capture import routes as capture_routes
from reel.clock import Clock
from reel.config import Settings
from reel.errors import BadRequest, ReelError
from reel.ingest import config as config_routes
from reel.ingest import mobile_config as mobile_config_routes
from reel.ingest import mobile_routes
from reel.ingest import routes as ingest_routes
from reel.ingest.paths import WEB_BEACONS_PATH
from reel.player import pages as player_pages
from reel.runtime.assets import BUILT_DIR
from reel.runtime.context import close_context, open_context
from reel.runtime.metrics import process_exited
from reel.runtime.ratelimit import RateLimiter
from reel.runtime.responses import error_response
from reel.server import apidocs, health, login, metrics_route
from reel.server.beacon_path import BeaconEndpoint
from reel.server.logs import RequestLog
from reel.server.security import install_security_headers
from reel.server.work import Work, start_work
from reel.server.work_process import WorkProcess
from reel.storage.operator_store import OperatorStore
from reel.storage.replay_store import ReplayStore
from reel.storage.resource_store import ResourceStore
from reel.storage.rule_store import RuleStore
from reel.storage.session_store import SessionStore

PLAYER_STATIC = Path(__file__).resolve().parent.parent / "player" / "static"


class ReelApp(FastAPI):
    """Reel's ASGI app: FastAPI, except that web beacons are answered before any of its layers
    (`reel.server.beacon_path`: they are nearly every request, and need none of them)."""

    beacons: BeaconEndpoint | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.beacons is not None
            and scope["type"] == "http"
            and scope["path"] == WEB_BEACONS_PATH
            and scope["method"] == "POST"
        ):
            await self.beacons(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings,
    *,
    sessions: SessionStore | None = None,
    blobs: ReplayStore | None = None,
    clock: Clock | None = None,
    operators: OperatorStore | None = None,
    background: bool = False,
    limiter: RateLimiter | None = None,
    resources: ResourceStore | None = None,
    rules: RuleStore | None = None,
    work_process: Callable[[], WorkProcess] | None = None,
) -> ReelApp:
    """A Reel app on the stores named by `settings`, unless stores are passed in (tests).

    With `background`, the app's lifespan also runs processing (actions, splits, closing silent
    sessions) and the retention purge on threads; tests leave it off and call
    `reel.processing.worker.process_pending` and `reel.retention.purge.purge`. With `work_process`
    instead, the lifespan starts that work in a child process and stops it at shutdown
    (reel.server.work_process: what the embedded `reel serve` does).
    """
    ctx = open_context(
        settings,
        sessions=sessions,
        blobs=blobs,
        clock=clock,
        operators=operators,
        limiter=limiter,
        resources=resources,
        rules=rules,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        work: Work | WorkProcess | None = None
        if background:
            work = start_work(ctx)
        elif work_process is not None:
            work = work_process()
        yield
        app.state.draining = True
        if work is not None:
            work.stop()
        process_exited(os.getpid())  # its live gauges leave a shared REEL_METRICS_DIR with it
        close_context(ctx)

    # The docs pages are Reel's own (reel.server.apidocs): FastAPI's load Swagger UI from a CDN, which
    # the CSP forbids and an offline server cannot reach.
    app = ReelApp(title="Reel", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.reel = ctx
    app.state.draining = False
    _install_error_handlers(app)
    install_auth(app, ctx.login_throttle)
    app.beacons = BeaconEndpoint(ctx, log_beacons=settings.log_beacons)
    install_security_headers(app, settings.frame_ancestors)
    # Outermost, so the request id and the timing cover everything else, error answers included.
    app.add_middleware(RequestLog, log_beacons=settings.log_beacons)
    _include_routes(app)
    return app


def _include_routes(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(metrics_route.router)
    app.include_router(apidocs.router)
    app.include_router(capture_routes.router)
    app.include_router(ingest_routes.router)
    app.include_router(config_routes.router)
    app.include_router(mobile_routes.router)
    app.include_router(mobile_config_routes.router)
    app.include_router(sessions_api.router)
    app.include_router(mobile_api.router)
    app.include_router(applications_api.router)
    app.include_router(masking_api.router)
    app.include_router(masking_preview_api.router)
    app.include_router(retention_api.router)
    app.include_router(resources_api.router)
    app.include_router(login.router)
    app.include_router(player_pages.router)
    BUILT_DIR.mkdir(parents=True, exist_ok=True)
    app.mount("/static/built", StaticFiles(directory=BUILT_DIR), name="built")
    app.mount("/static/player", StaticFiles(directory=PLAYER_STATIC, check_dir=False), name="player-static")


def _install_error_handlers(app: FastAPI) -> None:
    async def on_reel_error(_request: Request, exc: Exception) -> Response:
        return error_response(cast(ReelError, exc))  # registered for ReelError only

    async def on_validation_error(_request: Request, exc: Exception) -> Response:
        errors = cast(RequestValidationError, exc).errors()
        first = errors[0] if errors else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        return error_response(BadRequest(f"invalid request: {first.get('msg', 'bad input')}", field=field))

    app.add_exception_handler(ReelError, on_reel_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
