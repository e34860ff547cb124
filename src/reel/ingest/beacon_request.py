"""What ingest reads of a beacon's HTTP request, taken straight from the ASGI scope, and its answers.

Beacons are nearly every request a busy Reel serves. Starlette's Request builds a header map and a query
map (a multi-dict each) for the few values a beacon needs; reading them here in one pass over the scope
cost a fraction of that (P3 in docs/scale.md), and the same values serve the web and mobile routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import Scope

from reel.errors import ReelError
from reel.ingest import send_time
from reel.runtime.responses import error_parts

RawHeaders = tuple[tuple[bytes, bytes], ...]

# The headers a beacon's request may carry that ingest reads, by their lower-case ASGI names.
_WANTED = {
    b"origin": "origin",
    b"content-length": "content_length",
    b"content-encoding": "content_encoding",
    b"content-type": "content_type",
    b"expect": "expect",
    b"x-reel-app-key": "app_key",
    send_time.HEADER.encode(): "sent_at",
}


class BeaconRequest(NamedTuple):
    """A beacon request's parameters: the query's (`k`, `ce`, `sent_at`) win over the headers', as the
    recorder's `sendBeacon` can set no header; absent ones are None."""

    app_key: str | None
    origin: str | None
    content_length: str | None
    encoding: str | None
    content_type: str | None
    expect: str | None
    sent_at: str | None

    @classmethod
    def of_scope(cls, scope: Scope) -> BeaconRequest:
        """The parameters of the request in `scope` (its headers once, its query string once)."""
        found: dict[str, str] = {}
        for name, value in scope["headers"]:
            field = _WANTED.get(name)
            # The first of a repeated header counts, as Starlette's Headers.get() took it.
            if field is not None and field not in found:
                found[field] = value.decode("latin-1")
        params = _query(scope.get("query_string", b""))
        return cls(
            app_key=params.get("k") or found.get("app_key"),
            origin=found.get("origin"),
            content_length=found.get("content_length"),
            encoding=params.get("ce") or found.get("content_encoding"),
            content_type=found.get("content_type"),
            expect=found.get("expect"),
            sent_at=params.get(send_time.PARAMETER) or found.get("sent_at"),
        )


def _query(query: bytes) -> dict[str, str]:
    """The query's parameters as Starlette reads them (the last of a repeated one wins)."""
    text = query.decode("latin-1")
    if "%" in text or "+" in text:
        return dict(parse_qsl(text, keep_blank_values=True))
    # Nothing to unquote (a recorder's query, nearly always): what parse_qsl makes, split by hand.
    params: dict[str, str] = {}
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            params[name] = value
    return params


class Answer(NamedTuple):
    """A beacon's answer as ASGI sends it: status, JSON body and its route's own headers."""

    status: int
    body: bytes
    headers: RawHeaders

    def response(self) -> Response:
        """The answer as a Starlette response (routes reached through the router)."""
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in self.headers}
        return Response(self.body, self.status, headers, media_type="application/json")


# Beacons are not credentialed (the recorder sends credentials: 'omit'), so any page may read our answer;
# the recorder needs the status code to decide whether to retry.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Retry-After",
}
# Answers after which the connection cannot be reused: the rest of the body will not be read.
CLOSING_HEADERS = {**CORS_HEADERS, "Connection": "close"}


def raw_headers(headers: Mapping[str, str]) -> RawHeaders:
    """`headers` as ASGI sends them."""
    return tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())


CORS_RAW = raw_headers(CORS_HEADERS)
"""CORS_HEADERS as ASGI sends them (every accepted beacon's answer)."""


def error_answer(exc: ReelError, headers: Mapping[str, str]) -> Answer:
    """The JSON error answer for `exc` with `headers`, and Retry-After where the error has one."""
    body, own = error_parts(exc)
    return Answer(exc.status, body, raw_headers({**headers, **own}))
