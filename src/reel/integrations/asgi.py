"""ASGI middleware (Starlette, FastAPI, any ASGI app) that adds Reel's snippet to HTML pages.

    app.add_middleware(ReelMiddleware, reel_url="https://reel.example", app_key="rk-…")

A body sent in one message, or in several under a Content-Length within `max_body_bytes`, is buffered
and changed; a stream without Content-Length (progressive output) passes through untouched, since
holding it back would delay the page. The nonce comes from the response's Content-Security-Policy, else
from the request state (`request.state.csp_nonce`, the key is `nonce_state_key`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from reel.capture.snippet import ConsentMode
from reel.integrations.inject import (
    DEFAULT_MAX_BODY_BYTES,
    ResponseInfo,
    SnippetSettings,
    insert_snippet,
    nonce_from_csp,
)

# The ASGI callables, spelled out so this module needs no framework installed.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP_HEADERS = (b"content-security-policy", b"content-security-policy-report-only")


class ReelMiddleware:
    """Injects the snippet into the HTML responses of the wrapped ASGI app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        reel_url: str,
        app_key: str,
        consent: ConsentMode = "page",
        exclude_paths: tuple[str, ...] | list[str] = (),
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        nonce_state_key: str = "csp_nonce",
    ) -> None:
        self.app = app
        self.settings = SnippetSettings(reel_url, app_key, consent, tuple(exclude_paths), max_body_bytes)
        self.nonce_state_key = nonce_state_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.settings.wants(scope.get("method", "GET"), scope["path"]):
            await self.app(scope, receive, send)
            return
        response = _Response(self.settings, scope, self.nonce_state_key, send)
        await self.app(scope, receive, response.send)
        await response.finish()


class _Response:
    """One response on its way out: held back while it may still get the snippet, passed on otherwise."""

    def __init__(self, settings: SnippetSettings, scope: Scope, nonce_state_key: str, send: Send) -> None:
        self.settings = settings
        self.scope = scope
        self.nonce_state_key = nonce_state_key
        self.downstream = send
        self.start: Message | None = None
        self.length: int | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.through = False

    async def send(self, message: Message) -> None:
        """The `send` the wrapped app calls."""
        if self.through:
            await self.downstream(message)
        elif message["type"] == "http.response.start":
            await self._on_start(message)
        elif self.start is None:
            await self.downstream(message)
        elif message["type"] == "http.response.body":
            await self._on_body(self.start, message)
        else:
            # An extension's body (e.g. http.response.pathsend): not ours to change, after the held start.
            await self._let_through(self.start, message)

    async def _on_start(self, message: Message) -> None:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        info = ResponseInfo.from_headers(int(message["status"]), headers)
        if not info.is_html() or (info.content_length or 0) > self.settings.max_body_bytes:
            self.through = True
            await self.downstream(message)
            return
        self.start, self.length = message, info.content_length

    async def _on_body(self, start: Message, message: Message) -> None:
        body: bytes = message.get("body", b"")
        more = bool(message.get("more_body", False))
        if more and self.length is None and not self.chunks:
            # A stream without Content-Length: progressive output that holding back would delay.
            await self._let_through(start, message)
            return
        self.chunks.append(body)
        self.size += len(body)
        if self.size > self.settings.max_body_bytes:
            await self._let_through(start, {"type": "http.response.body", "body": b"", "more_body": more})
        elif not more:
            await self._inject(start)

    async def _let_through(self, start: Message, message: Message) -> None:
        """Sends the held start and body unchanged, then `message`; everything after passes straight on."""
        self.through = True
        await self.downstream(start)
        if self.chunks:
            await self.downstream(
                {"type": "http.response.body", "body": b"".join(self.chunks), "more_body": True}
            )
        await self.downstream(message)

    async def _inject(self, start: Message) -> None:
        self.through = True
        raw_headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        body = insert_snippet(b"".join(self.chunks), self.settings.snippet(self._nonce(raw_headers)))
        headers = [(k, v) for k, v in raw_headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode("ascii")))
        await self.downstream({**start, "headers": headers})
        await self.downstream({"type": "http.response.body", "body": body, "more_body": False})

    def _nonce(self, headers: list[tuple[bytes, bytes]]) -> str | None:
        policies = [v.decode("latin-1") for k, v in headers if k.lower() in CSP_HEADERS]
        found = nonce_from_csp(policies)
        if found is None:
            state = self.scope.get("state")
            value = state.get(self.nonce_state_key) if isinstance(state, MutableMapping) else None
            found = value if isinstance(value, str) and value else None
        return found

    async def finish(self) -> None:
        """After the app returned: a response it left unfinished is passed on as it was."""
        if self.start is not None and not self.through:
            await self._let_through(
                self.start, {"type": "http.response.body", "body": b"", "more_body": True}
            )
