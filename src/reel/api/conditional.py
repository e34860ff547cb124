"""HTTP content negotiation and validators for answers the server keeps compressed (pure on headers)."""

from __future__ import annotations

from starlette.requests import Request


def accepts(request: Request, coding: str) -> bool:
    """True if the request's Accept-Encoding allows `coding` (named, or `*`, with a non-zero q)."""
    allowed: dict[str, bool] = {}
    for item in request.headers.get("accept-encoding", "").split(","):
        name, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name:
            allowed[name.strip().lower()] = q > 0
    return allowed.get(coding, allowed.get("*", False))


def not_modified(request: Request, etag: str) -> bool:
    """True if If-None-Match names `etag` (a quoted entity tag) or `*`: the client's copy is current.
    Weak comparison, as RFC 9110 asks for If-None-Match."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags
