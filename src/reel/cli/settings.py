"""`reel config`: the settings in force (after REEL_* variables and options), or the reference table."""

from __future__ import annotations

import click

from reel.cli.common import settings_from_options, store_options
from reel.config import shown_url
from reel.config_reference import configuration_reference


@click.command("config")
@click.option("--reference", is_flag=True, help="Print every REEL_* variable as a Markdown table.")
@store_options
def config_command(reference: bool, **options: object) -> None:
    """Print the settings every reel command would use here (data directory, stores, URLs)."""
    if reference:
        click.echo(configuration_reference(), nl=False)
        return
    settings = settings_from_options(options)
    rows = [
        ("data directory", str(settings.data_dir.resolve())),
        ("session store", shown_url(settings.resolved_database_url)),
        ("replay store", shown_url(settings.resolved_blob_url)),
        ("listens on", f"{settings.host}:{settings.port}"),
        ("trusted proxies", ", ".join(settings.trusted_proxies) or "(none: forwarded headers ignored)"),
        ("public URL", settings.public_url or f"(none: snippets use {settings.snippet_base_url()})"),
        ("log format", settings.log_format),
        ("metrics", "off" if not settings.metrics else "token" if settings.metrics_token else "open"),
        ("metrics directory", settings.metrics_dir or "(none: each process counts for itself)"),
    ]
    for name, value in rows:
        click.echo(f"{name:<18} {value}")
