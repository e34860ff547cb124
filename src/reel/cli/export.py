"""`reel export SESSION --mp4 FILE`: a mobile session as a video, gestures drawn in."""

from __future__ import annotations

from pathlib import Path

import click

from reel.cli.common import open_stores_from_options, store_options


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
    from reel.storage.factory import open_replay_store

    try:
        from reel.replay.mobile.video import render_frames, write_mp4
    except ModuleNotFoundError as exc:
        if exc.name != "av":
            raise
        raise click.ClickException("MP4 export needs PyAV, an extra: pip install 'reel[video]'") from None

    settings, sessions, _clock = open_stores_from_options(options)
    try:
        session = sessions.session(session_id)
        if session is None:
            raise click.ClickException(f"no session {session_id!r}")
        if session.platform != "mobile":
            raise click.ClickException("only mobile sessions can be exported as video")
        blobs = open_replay_store(settings.resolved_blob_url)
        events = session_events(sessions, blobs, session)
        load = image_loader(sessions, blobs, session)
        written = write_mp4(render_frames(events, load, session.start, session.end, fps), mp4, fps)
    finally:
        sessions.close()
    if written == 0:
        raise click.ClickException("the session holds no full frame to show")
    click.echo(f"{mp4}: {written} frames at {fps} fps ({written / fps:.1f} s)")
