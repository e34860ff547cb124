"""`reel apps ...`: manage monitored applications."""

from __future__ import annotations

import click
import orjson

from reel.cli.common import open_stores_from_options, store_options
from reel.ids import new_app_key, new_id
from reel.ingest.origins import normalise_origin
from reel.storage.records import Application
from reel.storage.session_store import SessionStore


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
    if not origins and not mobile:
        raise ValueError("a web application needs at least one allowed origin")
    normalised = []
    for origin in origins:
        value = normalise_origin(origin)
        if value is None:
            raise ValueError(f"{origin!r} is not an origin like https://shop.example")
        normalised.append(value)
    app = Application(
        id=new_id("app"),
        name=name,
        app_key=new_app_key(),
        origins=tuple(normalised),
        created_at=now_ms,
        retention_days=retention_days,
        mobile=mobile,
    )
    sessions.create_application(app)
    return app


@click.group("apps")
def apps_group() -> None:
    """Manage monitored applications."""


@apps_group.command("create")
@click.argument("name")
@click.option("--origin", "origins", multiple=True, help="Allowed page origin (repeatable; web apps).")
@click.option("--mobile", is_flag=True, help="Accept mobile beacons (apps send no Origin to check).")
@click.option("--json", "as_json", is_flag=True, help="Print the application as JSON.")
@store_options
def create_command(
    name: str, origins: tuple[str, ...], mobile: bool, as_json: bool, **options: object
) -> None:
    """Create an application and print its app key."""
    _settings, sessions, clock = open_stores_from_options(options)
    try:
        app = create_application(sessions, name, list(origins), now_ms=clock.now_ms(), mobile=mobile)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--origin") from None
    finally:
        sessions.close()
    if as_json:
        doc = {
            "id": app.id,
            "name": app.name,
            "app_key": app.app_key,
            "origins": list(app.origins),
            "mobile": app.mobile,
        }
        click.echo(orjson.dumps(doc).decode())
    else:
        click.echo(app.app_key)


@apps_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@store_options
def list_command(as_json: bool, **options: object) -> None:
    """List applications."""
    _settings, sessions, _clock = open_stores_from_options(options)
    try:
        for app in sessions.applications():
            if as_json:
                doc = {"id": app.id, "name": app.name, "app_key": app.app_key, "origins": list(app.origins)}
                click.echo(orjson.dumps(doc).decode())
            else:
                click.echo(f"{app.id}\t{app.app_key}\t{app.name}\t{' '.join(app.origins)}")
    finally:
        sessions.close()
