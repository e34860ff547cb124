"""`reel`: serve, manage applications, operators and tokens, run the demo."""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path

import click

from reel import __version__
from reel.cli.apps import apps_group
from reel.cli.backup import backup_command, restore_command
from reel.cli.common import settings_from_options
from reel.cli.export import export_command
from reel.cli.operators import tokens_group, users_group
from reel.cli.retention import delete_command, purge_command
from reel.cli.settings import config_command

log = logging.getLogger("reel.server")


@click.group()
@click.version_option(__version__, prog_name="reel")
def cli() -> None:
    """Reel: self-hosted session replay."""


@cli.command()
@click.option("--host", default=None, help="Address to listen on (REEL_HOST; default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (REEL_PORT; default 8700).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--database-url", default=None, help="Session store URL (REEL_DATABASE_URL).")
@click.option(
    "--drain-seconds",
    type=float,
    default=None,
    help="On SIGTERM, answer /readyz with 503 this long before shutting down (REEL_DRAIN_SECONDS; 5).",
)
@click.option(
    "--work/--no-work",
    default=None,
    help="Also run processing, compaction, resource capture and the purge, in a child `reel worker` "
    "(REEL_SERVE_WORK; on). Off where `reel worker` processes do it.",
)
def serve(
    host: str | None,
    port: int | None,
    data_dir: Path | None,
    database_url: str | None,
    drain_seconds: float | None,
    work: bool | None,
) -> None:
    """Run the Reel server."""
    from reel.cli.data_dirs import StoreContents, empty_store_warning, unwritable_folder
    from reel.errors import ReelError
    from reel.runtime.sockets import PortUnavailable, bind_listening_socket
    from reel.server.app import create_app
    from reel.server.draining import serve_app
    from reel.server.logs import configure_logging
    from reel.server.warmup import warm_up
    from reel.server.work_process import (
        WorkProcess,
        arrivals_file,
        child_environment,
        shareable,
        worker_command,
    )

    settings = settings_from_options({"data_dir": data_dir, "database_url": database_url}).with_overrides(
        host=host, port=port, drain_seconds=drain_seconds, serve_work=work
    )
    configure_logging(settings.log_format)
    try:
        sock = bind_listening_socket(settings.host, settings.port)
    except PortUnavailable as exc:
        raise click.ClickException(f"{exc.message} (--port or REEL_PORT)") from None
    problem = unwritable_folder(settings)
    if problem is not None:
        sock.close()
        raise click.ClickException(problem)
    try:
        # The work runs in a child process where the stores can be shared (reel.server.work_process).
        in_child = settings.serve_work and shareable(settings)
        arrivals = arrivals_file() if in_child else None
        app = create_app(
            settings,
            background=settings.serve_work and not in_child,
            work_process=(
                lambda: WorkProcess(
                    worker_command(settings, arrivals), arrivals, env=child_environment(arrivals)
                ).start()
            )
            if arrivals is not None
            else None,
        )
        ctx = app.state.reel
        if arrivals is not None:  # the child's work gives way to this server's beacons
            ctx.priority.share(arrivals)
        contents = StoreContents(len(ctx.sessions.applications()), len(ctx.operators.operators()))
    except ReelError as exc:  # a store that cannot be opened: say which and why, without a traceback
        sock.close()
        raise click.ClickException(f"cannot open the stores: {exc.message}") from None
    warning = empty_store_warning(settings, contents, os.environ.get("REEL_DATA_DIR"))
    started = (
        f"Reel {__version__} on http://{settings.host}:{settings.port}/ "
        f"(data: {settings.stores_described}; {contents.describe()})"
    )
    warm_up(app)  # what the first requests would otherwise build, so that it is frozen with the rest
    # What exists now (modules, routes, stores, templates) lives as long as the server: frozen out of the
    # collector's full passes, which otherwise walk it about once a second under beacon load and hold
    # every request in flight meanwhile (gen-2 passes of ~20-75 ms, ~8 ms once frozen: P3's p99). Done
    # before the server says it started, so a Ctrl-C sent on seeing that line never lands in the
    # collection: once, under a full test run, a server ignored a SIGINT sent then (a KeyboardInterrupt
    # raised in a finalizer the collection runs is not the main code's to see).
    gc.collect()
    gc.freeze()
    if settings.log_format == "json":  # every line a JSON object, for the log collector
        if warning is not None:
            log.warning(warning)
        log.info(started)
    else:
        if warning is not None:
            click.secho(warning, fg="yellow", bold=True, err=True)
        click.echo(started)
    serve_app(app, settings, sock)


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--database-url", default=None, help="Session store URL (REEL_DATABASE_URL).")
@click.option("--parent-pid", type=int, default=None, hidden=True, help="Run as this `reel serve`'s work.")
@click.option(
    "--arrivals",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    hidden=True,
    help="Give way to the beacons whose arrivals the server writes here.",
)
def worker(
    data_dir: Path | None, database_url: str | None, parent_pid: int | None, arrivals: Path | None
) -> None:
    """Run processing, compaction, resource capture and the purge (no HTTP), until SIGTERM or SIGINT.

    Run as many as the load needs, beside `reel serve --no-work` processes, on a PostgreSQL session store
    and an S3-compatible replay store: each recording is worked on by one worker at a time, under a lease
    that another worker takes over if this one dies.
    """
    import signal
    import threading

    from reel.runtime.context import close_context, open_context
    from reel.server.logs import configure_logging
    from reel.server.work import start_work
    from reel.server.work_process import follow_parent

    settings = settings_from_options({"data_dir": data_dir, "database_url": database_url})
    configure_logging(settings.log_format)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if parent_pid is not None:  # a `reel serve`'s own worker (reel.server.work_process): stops with it
        follow_parent(parent_pid, stop.set)
    ctx = open_context(settings)
    if arrivals is not None:
        ctx.priority.follow(arrivals)
    work = start_work(ctx)
    log.info("Reel %s worker started (data: %s)", __version__, settings.stores_described)
    if settings.log_format != "json" and parent_pid is None:
        click.echo(f"Reel {__version__} worker: processing, compaction, resource capture, purge")
    try:
        stop.wait()
    finally:
        work.stop()
        close_context(ctx)


@cli.command()
@click.option("--port", type=int, default=8700, show_default=True, help="Reel's port.")
@click.option("--shop-port", type=int, default=8701, show_default=True, help="The demo shop's port.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".reel-data/demo"))
@click.option("--visit/--no-visit", default=True, help="Drive one scripted visit in Chromium at start.")
def demo(port: int, shop_port: int, data_dir: Path, visit: bool) -> None:
    """Run Reel with the demo shop on embedded storage."""
    from reel.demo.runner import run_demo
    from reel.runtime.sockets import PortUnavailable

    try:
        run_demo(data_dir=data_dir, port=port, shop_port=shop_port, visit=visit)
    except PortUnavailable as exc:
        raise click.ClickException(f"{exc.message} (--port for Reel, --shop-port for the shop)") from None


cli.add_command(apps_group)
cli.add_command(users_group)
cli.add_command(tokens_group)
cli.add_command(purge_command)
cli.add_command(delete_command)
cli.add_command(export_command)
cli.add_command(backup_command)
cli.add_command(restore_command)
cli.add_command(config_command)


def main() -> None:
    """Console entry point."""
    cli()
