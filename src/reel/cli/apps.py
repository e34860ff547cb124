"""`reel apps ...`: manage monitored applications."""

from __future__ import annotations

import click
import orjson

from reel.admin.applications import create_application
from reel.capture.snippet import snippet_html
from reel.cli.common import open_stores_from_options, store_options


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
    """Create an application and print its app key (stdout) and, for a web app, its snippet (stderr)."""
    settings, sessions, clock = open_stores_from_options(options)
    try:
        app = create_application(sessions, name, list(origins), now_ms=clock.now_ms(), mobile=mobile)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--origin") from None
    finally:
        sessions.close()
    snippet = None if app.mobile else snippet_html(settings.snippet_base_url(), app.app_key)
    if as_json:
        doc = {
            "id": app.id,
            "name": app.name,
            "app_key": app.app_key,
            "origins": list(app.origins),
            "mobile": app.mobile,
            "snippet": snippet,
        }
        click.echo(orjson.dumps(doc).decode())
        return
    # The key alone on stdout, so `KEY=$(reel apps create ...)` keeps working; the rest is for people.
    click.echo(app.app_key)
    click.echo(f"Created {app.name!r} ({app.id}) in {settings.stores_described}.", err=True)
    if snippet is not None:
        click.echo("Add this to every page, in <head> (calls to reel.* may follow it inline):", err=True)
        click.echo(snippet, err=True)
        if not settings.public_url:
            click.echo(
                f"(It loads the recorder from {settings.snippet_base_url()}: set REEL_PUBLIC_URL to the URL "
                "your pages reach Reel at.)",
                err=True,
            )


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
