"""Running Reel under uvicorn with a drain: on SIGTERM, readiness fails first, then requests finish.

A load balancer stops sending traffic to a backend once its readiness probe fails, which takes a few
probe periods. So on SIGTERM Reel keeps serving for `drain_seconds` while `/readyz` answers 503, and
only then lets uvicorn shut down gracefully: stop accepting, let in-flight requests (a beacon being
uploaded, a replay being read) finish, run the lifespan shutdown. A second SIGTERM, or SIGINT (Ctrl-C),
skips the rest of the drain.
"""

from __future__ import annotations

import logging
import signal
import socket
import time
from types import FrameType

import uvicorn
from fastapi import FastAPI

from reel.config import Settings
from reel.runtime.sockets import bind_listening_socket

log = logging.getLogger("reel.server")

GRACEFUL_SHUTDOWN_S = 20
"""After the drain, how long in-flight requests may take before they are cancelled."""


class DrainingServer(uvicorn.Server):
    """A uvicorn server whose first SIGTERM starts a drain instead of the shutdown."""

    def __init__(self, config: uvicorn.Config, app: FastAPI, drain_seconds: float) -> None:
        super().__init__(config)
        self.reel_app = app
        self.drain_seconds = drain_seconds
        self.draining_since: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig == signal.SIGTERM and self.draining_since is None and self.drain_seconds > 0:
            self.start_drain()
            return
        super().handle_exit(sig, frame)

    def start_drain(self) -> None:
        """Fail readiness now; shut down once `drain_seconds` have passed (checked on every tick)."""
        self.reel_app.state.draining = True
        self.draining_since = time.monotonic()
        log.info("draining: /readyz answers 503; shutting down in %g s", self.drain_seconds)

    async def on_tick(self, counter: int) -> bool:
        if (
            self.draining_since is not None
            and not self.should_exit
            and time.monotonic() - self.draining_since >= self.drain_seconds
        ):
            self.should_exit = True
        return await super().on_tick(counter)


def serve_app(app: FastAPI, settings: Settings, sock: socket.socket | None = None) -> None:
    """Serve `app` on `sock`, or the settings' host and port, until a signal ends it (see the module
    docstring). Raises PortUnavailable (before anything starts) when the port cannot be listened on."""
    sock = sock if sock is not None else bind_listening_socket(settings.host, settings.port)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        # Reel writes the access lines itself (reel.server.logs): with the request id, without the query
        # string (it may hold a user id), and none for each accepted beacon unless asked.
        access_log=False,
        log_config=None,
        timeout_keep_alive=settings.keep_alive_timeout_s,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        # Forwarded headers are taken only from the configured proxies (never uvicorn's default of
        # trusting loopback): anyone else could pick the address the login throttle counts.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
    )
    try:
        DrainingServer(config, app, settings.drain_seconds).run(sockets=[sock])
    finally:
        sock.close()
