"""`reel export SESSION`: a mobile session as MP4 (gestures drawn in); a web session as MP4 (drawn by
Reel's player in headless Chromium) or as JSON (its masked events, as the player receives them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from reel.cli.common import settings_from_options, store_options
from reel.config import Settings

if TYPE_CHECKING:
    from reel.runtime.context import ReelContext


@click.command("export")
@click.argument("session_id")
@click.option(
    "--mp4",
    "mp4",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The video file to write (mobile and web sessions).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Web sessions: write the masked events, as the player receives them, to this file.",
)
@click.option("--fps", type=click.IntRange(1, 60), default=10, show_default=True, help="Frames per second.")
@click.option(
    "--skip-idle/--no-skip-idle",
    default=False,
    show_default=True,
    help="Web video: cut each stretch of over 10 s without interaction down to 1 s.",
)
@click.option(
    "--window",
    default="1440x900",
    show_default=True,
    help="Web video: the browser window the player is drawn in (WIDTHxHEIGHT).",
)
@store_options
def export_command(
    session_id: str,
    mp4: Path | None,
    json_path: Path | None,
    fps: int,
    skip_idle: bool,
    window: str,
    **options: object,
) -> None:
    """Export a recorded session: a video (--mp4) or, for web sessions, its masked events (--json)."""
    if mp4 is None and json_path is None:
        raise click.UsageError("say what to write: --mp4 FILE, --json FILE or both")
    from reel.runtime.context import close_context, open_context

    settings = settings_from_options(options)
    ctx = open_context(settings)
    try:
        session = ctx.sessions.session(session_id)
        if session is None:
            raise click.ClickException(f"no session {session_id!r}")
        platform = session.platform
        if json_path is not None:
            if platform != "web":
                raise click.ClickException("only web sessions export to JSON")
            from reel.cli.web_export import web_json

            json_path.write_bytes(web_json(ctx, session))
            click.echo(f"{json_path}: {session.events} events of {session_id}, masked with the current rules")
        if mp4 is not None and platform == "mobile":
            _mobile_mp4(ctx, session_id, mp4, fps)
    finally:
        close_context(ctx)
    if mp4 is not None and platform == "web":
        _web_mp4(settings, session_id, mp4, fps, skip_idle, window)


def _web_mp4(settings: Settings, session_id: str, mp4: Path, fps: int, skip_idle: bool, window: str) -> None:
    from reel.cli.web_export import export_web_mp4, viewport_option

    try:
        size = viewport_option(window)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--window") from None
    try:
        # What the video needs beyond the server's own dependencies, checked before anything starts.
        import av  # noqa: F401
        import httpx  # noqa: F401
        import playwright  # noqa: F401
    except ModuleNotFoundError:
        raise click.ClickException(
            "web video export needs PyAV, Playwright and httpx, an extra: pip install 'reel[video]'"
        ) from None
    from reel.demo.browser import ChromiumNotFoundError

    try:
        video = export_web_mp4(settings, session_id, mp4, fps=fps, skip_idle=skip_idle, viewport=size)
    except ChromiumNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    if video.frames == 0:
        raise click.ClickException("the player drew no frame of this session")
    width, height = video.size
    click.echo(f"{mp4}: {video.frames} frames at {fps} fps ({video.frames / fps:.1f} s), {width}x{height}")
    if video.skipped:
        cut = sum(s.end - s.start for s in video.skipped) / 1000
        click.echo(f"skipped {len(video.skipped)} inactive stretch(es), {cut:.1f} s in all, 1 s of each kept")


def _mobile_mp4(ctx: ReelContext, session_id: str, mp4: Path, fps: int) -> None:
    # Imported here: video encoding (PyAV, Pillow) is not worth loading for every `reel` command.
    from reel.replay.mobile.data import image_loader, session_events
    from reel.screen.canvas import UNDECODABLE, Canvas

    try:
        from reel.replay.mobile.video import render_frames, write_mp4
    except ModuleNotFoundError as exc:
        if exc.name != "av":
            raise
        raise click.ClickException("MP4 export needs PyAV, an extra: pip install 'reel[video]'") from None
    session = ctx.sessions.session(session_id)
    if session is None:
        raise click.ClickException(f"no session {session_id!r}")
    events = session_events(ctx, session)
    load = image_loader(ctx, session)
    canvas = Canvas()
    pictures = render_frames(events, load, session.start, session.end, fps, canvas)
    written = write_mp4(pictures, mp4, fps)
    if written == 0:
        raise click.ClickException("the session holds no full frame to show")
    click.echo(f"{mp4}: {written} frames at {fps} fps ({written / fps:.1f} s)")
    undecodable = sum(1 for s in canvas.skipped if s.reason == UNDECODABLE)
    over_budget = len(canvas.skipped) - undecodable
    if canvas.skipped:
        # The video is complete; these frames are missing from it (the rest of the session plays).
        click.echo(
            f"skipped {undecodable} frame(s) whose image does not decode and {over_budget} partial "
            "frame(s) past the pixel budget",
            err=True,
        )
