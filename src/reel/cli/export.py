"""`reel export SESSION --mp4 FILE`: a mobile session as a video, gestures drawn in."""

from __future__ import annotations

from pathlib import Path

import click

from reel.cli.common import settings_from_options, store_options


@click.command("export")
@click.argument("session_id")
@click.option(
    "--mp4",
    "mp4",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The video file to write.",
)
@click.option("--fps", type=click.IntRange(1, 60), default=10, show_default=True, help="Frames per second.")
@store_options
def export_command(session_id: str, mp4: Path, fps: int, **options: object) -> None:
    """Export a recorded mobile session to an MP4 video."""
    # Imported here: video encoding (PyAV, Pillow) is not worth loading for every `reel` command.
    from reel.replay.mobile.data import image_loader, session_events
    from reel.runtime.context import close_context, open_context
    from reel.screen.canvas import UNDECODABLE, Canvas

    try:
        from reel.replay.mobile.video import render_frames, write_mp4
    except ModuleNotFoundError as exc:
        if exc.name != "av":
            raise
        raise click.ClickException("MP4 export needs PyAV, an extra: pip install 'reel[video]'") from None

    ctx = open_context(settings_from_options(options))
    try:
        session = ctx.sessions.session(session_id)
        if session is None:
            raise click.ClickException(f"no session {session_id!r}")
        if session.platform != "mobile":
            raise click.ClickException("only mobile sessions can be exported as video")
        events = session_events(ctx, session)
        load = image_loader(ctx, session)
        canvas = Canvas()
        pictures = render_frames(events, load, session.start, session.end, fps, canvas)
        written = write_mp4(pictures, mp4, fps)
    finally:
        close_context(ctx)
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
