"""Creating applications (tenants): shared by `reel apps create`, the operator API and the demo."""

from __future__ import annotations

from reel.domain.origins import normalise_origin
from reel.domain.records import Application
from reel.ids import new_app_key, new_id
from reel.storage.session_store import SessionStore


def checked_origins(origins: list[str], *, mobile: bool) -> tuple[str, ...]:
    """The origins normalised, without repeats; ValueError for one that is not an http(s) origin, or
    for none at all on a web application (its beacons would all be refused)."""
    if not origins and not mobile:
        raise ValueError("a web application needs at least one allowed origin")
    normalised: list[str] = []
    for origin in origins:
        value = normalise_origin(origin)
        if value is None:
            raise ValueError(f"{origin!r} is not an origin like https://shop.example")
        if value not in normalised:
            normalised.append(value)
    return tuple(normalised)


def create_application(
    sessions: SessionStore,
    name: str,
    origins: list[str],
    *,
    now_ms: int,
    retention_days: int = 30,
    mobile: bool = False,
) -> Application:
    """Create and store an application; raises ValueError for an origin that is not an http(s) origin.

    A web application needs at least one origin; a mobile one (`mobile`) may have none, since apps send
    no Origin header (docs/contracts/mobile-beacon.md).
    """
    app = Application(
        id=new_id("app"),
        name=name,
        app_key=new_app_key(),
        origins=checked_origins(origins, mobile=mobile),
        created_at=now_ms,
        retention_days=retention_days,
        mobile=mobile,
    )
    sessions.create_application(app)
    return app
