"""Security headers on every response: a strict Content-Security-Policy with a per-request nonce.

The replay iframe has no `src`, so it inherits the operator page's policy: scripts can never run in it
(and the sandbox has no allow-scripts either). Recorded pages need inline styles; their style sheets,
fonts and images come from Reel's own copies (`/resources/{sha256}`, brief §3.4) or are placeholders
(`data:`), so nothing may be loaded from anywhere else: a replay never reaches the recorded site.
"""

from __future__ import annotations

import re
import secrets

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reel.ingest.paths import BEACON_PATHS

# The player page, the one page other sites may embed when the operator allows it (REEL_FRAME_ANCESTORS).
PLAYER_PAGE = re.compile(r"/sessions/[A-Za-z0-9_-]{1,80}")


def content_security_policy(nonce: str | None, frame_ancestors: tuple[str, ...] = ()) -> str:
    """The policy of operator pages; scripts only from Reel itself, with this request's nonce (None: no
    inline script at all); framed by no page unless `frame_ancestors` lists origins allowed to embed it."""
    ancestors = " ".join(("'self'", *frame_ancestors)) if frame_ancestors else "'none'"
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'" if nonce is not None else "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' blob:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        )
    )


class SecurityHeaders:
    """ASGI middleware adding CSP, nosniff, referrer and framing headers (cheap: no body buffering).

    The nonce is put in the request scope's state, where templates read it as `request.state.csp_nonce`.
    `frame_ancestors` (origins) may embed the player page; X-Frame-Options, which cannot name origins,
    is left off that page then.
    """

    def __init__(self, app: ASGIApp, frame_ancestors: tuple[str, ...] = ()) -> None:
        self.app = app
        self.frame_ancestors = frame_ancestors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra: tuple[tuple[bytes, bytes], ...]
        if path in BEACON_PATHS:
            # A beacon's answer is JSON for the recorder, never a page: the policy without a nonce, made
            # once (a nonce and the policy's text per request were a few percent of a beacon's CPU).
            extra = BEACON_HEADERS
        else:
            nonce = secrets.token_urlsafe(16)
            scope.setdefault("state", {})["csp_nonce"] = nonce
            framable = bool(self.frame_ancestors) and PLAYER_PAGE.fullmatch(path) is not None
            ancestors = self.frame_ancestors if framable else ()
            policy = (b"content-security-policy", content_security_policy(nonce, ancestors).encode())
            extra = (policy, *_FIXED_HEADERS) if framable else (policy, *_FIXED_HEADERS, _NO_FRAMES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


_FIXED_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))
_NO_FRAMES = (b"x-frame-options", b"DENY")
# What a beacon's answer carries: JSON for the recorder, never a page (also sent by
# reel.server.beacon_path, which answers web beacons before this middleware).
BEACON_HEADERS = (
    (b"content-security-policy", content_security_policy(None).encode()),
    *_FIXED_HEADERS,
    _NO_FRAMES,
)


def install_security_headers(app: FastAPI, frame_ancestors: tuple[str, ...] = ()) -> None:
    """Add the security headers to every response of `app`; `frame_ancestors` may embed the player."""
    app.add_middleware(SecurityHeaders, frame_ancestors=frame_ancestors)
