"""`reel export SESSION --mp4 FILE`: a video that decodes, lasts the session and shows the gestures."""

from __future__ import annotations

from pathlib import Path

import av
from click.testing import CliRunner
from fastapi.testclient import TestClient

from mobile_support import expected_at, post_corrupt_session
from qt_script import record_shop_session
from reel.admin.applications import create_application
from reel.cli.main import cli
from reel.clock import FixedClock
from reel.config import Settings
from reel.replay.mobile.overlay import COLOR
from reel.server.app import create_app
from support import admin_headers

FPS = 10


def test_export_writes_an_mp4_of_the_session(
    qapp: object, tmp_path: Path, settings: Settings, clock: FixedClock
) -> None:
    app = create_app(settings, clock=clock)  # embedded stores, in the data dir the CLI will read
    with TestClient(app, headers=admin_headers(app.state.reel.operators, now_ms=clock.now_ms())) as client:
        mobile = create_application(
            app.state.reel.sessions, "Shop app", [], now_ms=clock.now_ms(), mobile=True
        )
        script, _ = record_shop_session(tmp_path, client, mobile)
        [session] = client.get("/api/v1/sessions").json()["sessions"]
        taps = [
            e
            for e in client.get(f"/api/v1/sessions/{session['id']}/mobile-events").json()["events"]
            if e["type"] == "tap"
        ]
    out = tmp_path / "session.mp4"
    args = [
        "export",
        session["id"],
        "--mp4",
        str(out),
        "--fps",
        str(FPS),
        "--data-dir",
        str(settings.data_dir),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output

    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        frames = [f.to_image() for f in container.decode(stream)]
        assert stream.codec_context.name in ("h264", "libx264")
    duration_ms = len(frames) * 1000 / FPS
    assert abs(duration_ms - session["duration_ms"]) <= 1000 / FPS
    assert frames[0].size == script.moments[0].screenshot.size

    # A tap is drawn as a ripple where it happened, in the frame right after it.
    tap = taps[0]
    index = (tap["timestamp"] - session["start"]) * FPS // 1000 + 1
    x, y = round(tap["x"]), round(tap["y"])
    ripple = frames[index].crop((x - 20, y - 20, x + 20, y + 20)).convert("RGB")
    colors = ripple.getcolors(maxcolors=40 * 40) or []
    near = [n for n, (r, g, b) in colors if max(abs(r - COLOR[0]), abs(g - COLOR[1]), abs(b - COLOR[2])) < 60]
    orange = sum(near)
    assert orange > 20


def test_export_skips_an_image_that_does_not_decode_and_completes(
    tmp_path: Path, settings: Settings, clock: FixedClock
) -> None:
    app = create_app(settings, clock=clock)
    with TestClient(app, headers=admin_headers(app.state.reel.operators, now_ms=clock.now_ms())) as client:
        mobile = create_application(
            app.state.reel.sessions, "Shop app", [], now_ms=clock.now_ms(), mobile=True
        )
        session_id = post_corrupt_session(client, mobile)
        duration_ms = client.get(f"/api/v1/sessions/{session_id}").json()["duration_ms"]
    out = tmp_path / "corrupt.mp4"
    args = ["export", session_id, "--mp4", str(out), "--fps", str(FPS), "--data-dir", str(settings.data_dir)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "skipped 2 frame(s) whose image does not decode" in result.output
    with av.open(str(out)) as container:
        frames = [f.to_image().convert("RGB") for f in container.decode(container.streams.video[0])]
    assert len(frames) == duration_ms * FPS // 1000 + 1  # every moment is in the video
    for t in range(0, 6000, 500):  # the tap at 6 s draws its ripple over the points looked at
        top, bottom, _ = expected_at(t)
        shown = frames[t * FPS // 1000]
        for (x, y), want in (((18, 10), top), ((18, 50), bottom)):
            got = shown.getpixel((x, y))
            assert max(abs(a - b) for a, b in zip(got, want, strict=True)) < 40, (t, got, want)
