"""End to end: `reel export` of a web session. The MP4 is drawn by the player in headless Chromium: it
decodes with the session's duration (idle skipped or not) and its frames match screenshots of the player
at the same moments; the JSON holds the masked events, as the player receives them."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import httpx
import orjson
import pytest
from PIL import Image, ImageChops, ImageStat

from live import LiveReel, live_reel, open_logged_in
from reel.demo.browser import chromium_browser

pytestmark = pytest.mark.browser

FPS = 2
IDLE_FROM_S, IDLE_TO_S, END_S = 4, 34, 38
SECRET = "CANARY-Ada"


def el(node_id: int, tag: str, attrs: dict[str, str], *kids: dict[str, Any]) -> dict[str, Any]:
    return {"type": 2, "id": node_id, "tagName": tag, "attributes": attrs, "childNodes": list(kids)}


def text(node_id: int, value: str) -> dict[str, Any]:
    return {"type": 3, "id": node_id, "textContent": value}


def move(ts: int, x: int) -> dict[str, Any]:
    return {
        "type": 3,
        "timestamp": ts,
        "data": {"source": 1, "positions": [{"x": x, "y": 40, "id": 4, "timeOffset": 0}]},
    }


def restyle(ts: int, colour: str, value: str) -> dict[str, Any]:
    """The box changes colour and the clock its text (what the page does on its own)."""
    return {
        "type": 3,
        "timestamp": ts,
        "data": {
            "source": 0,
            "texts": [{"id": 11, "value": value}],
            "attributes": [
                {"id": 12, "attributes": {"style": f"width:400px;height:300px;background:{colour}"}}
            ],
            "removes": [],
            "adds": [],
        },
    }


@dataclass(frozen=True)
class Recorded:
    live: LiveReel
    session: dict[str, Any]


def record(live: LiveReel) -> dict[str, Any]:
    """A page whose box changes colour every 2 s; the visitor moves the pointer for 4 s, leaves it alone
    for 30 s, then moves it again."""
    [app] = live.api("/api/v1/applications")["applications"]
    rules = httpx.put(
        f"{live.reel_url}/api/v1/applications/{app['id']}/masking-rules",
        json={"preset": "mask_inputs", "rules": [{"type": "mask", "selector": ".account"}]},
        headers=live.auth,
    )
    assert rules.status_code == 200
    t0 = int(time.time() * 1000) - END_S * 1000 - 2000
    body = el(
        4,
        "body",
        {"style": "margin:0;background:#fff"},
        el(10, "h1", {"style": "font:40px sans-serif;margin:20px"}, text(11, "reading 0")),
        el(12, "div", {"style": "width:400px;height:300px;background:#d00"}),
        el(13, "p", {"class": "account"}, text(14, SECRET)),
    )
    doc = {"type": 0, "id": 1, "childNodes": [el(2, "html", {}, el(3, "head", {}), body)]}
    events = [
        {
            "type": 4,
            "timestamp": t0,
            "data": {"href": f"{live.shop_url}/export", "width": 800, "height": 600},
        },
        {"type": 2, "timestamp": t0, "data": {"node": doc, "initialOffset": {"top": 0, "left": 0}}},
    ]
    colours = ["#d00", "#0a0", "#00c", "#cc0", "#0cc", "#c0c"]
    for s in range(2, END_S + 1, 2):
        events.append(restyle(t0 + s * 1000, colours[(s // 2) % len(colours)], f"reading {s}"))
    events += [move(t0 + s * 1000 + 500, 50 + s * 10) for s in range(IDLE_FROM_S)]
    events += [move(t0 + s * 1000, 50 + s * 10) for s in range(IDLE_TO_S, END_S + 1)]
    events.sort(key=lambda e: e["timestamp"])
    beacon = {
        "v": 1,
        "recording_id": "rec-x",
        "session_id": "tab-x",
        "seq": 0,
        "sent_at": t0 + END_S * 1000,
        "events": events,
    }
    sent = httpx.post(
        f"{live.reel_url}/v1/web/beacons",
        params={"k": app["app_key"]},
        content=orjson.dumps(beacon),
        headers={"Origin": live.shop_url, "Content-Type": "text/plain;charset=UTF-8"},
    )
    assert sent.status_code == 200, sent.text
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sessions = live.api("/api/v1/sessions")["sessions"]
        if sessions and sessions[0]["has_replay"]:
            return dict(live.api(f"/api/v1/sessions/{sessions[0]['id']}"))
        time.sleep(0.3)
    raise AssertionError("the session was not stored")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    with live_reel(tmp_path_factory.mktemp("reel") / "data") as live:
        yield Recorded(live, record(live))


def export(recorded: Recorded, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [
        sys.executable,
        "-m",
        "reel",
        "export",
        recorded.session["id"],
        "--data-dir",
        str(recorded.live.data_dir),
    ]
    done = subprocess.run([*args, *extra], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done


def decode(path: Path) -> tuple[list[Image.Image], float]:
    """The frames of an MP4 and its duration in seconds, as a player would read them."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_image() for f in container.decode(stream)]
        duration = float(stream.duration * stream.time_base) if stream.duration else len(frames) / FPS
    return frames, duration


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two pictures, 0-255 per channel."""
    assert a.size == b.size, (a.size, b.size)
    return float(sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3)


def test_the_mp4_lasts_the_session_and_its_frames_are_the_players(recorded: Recorded, tmp_path: Path) -> None:
    out = tmp_path / "visit.mp4"
    said = export(recorded, out, "--mp4", str(out), "--fps", str(FPS))
    frames, duration = decode(out)
    seconds = recorded.session["duration_ms"] / 1000
    assert abs(seconds - END_S) < 0.01
    assert len(frames) == int(seconds * FPS) + 1 and f"{len(frames)} frames" in said.stdout
    assert abs(duration - len(frames) / FPS) < 1 / FPS
    assert abs(duration - seconds) <= 1 / FPS

    # The player itself, in another browser, at sampled moments: the same pictures.
    samples = [0, 3, 9, 40, len(frames) - 1]
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        open_logged_in(page, f"{recorded.live.reel_url}/sessions/{recorded.session['id']}?t=0")
        page.wait_for_function("() => window.reelPlayer !== undefined")
        page.evaluate("() => window.reelPlayer.ready")
        shots = []
        for i in samples:
            page.evaluate("ms => window.reelPlayer.seek(ms)", round(i * 1000 / FPS))
            shots.append(Image.open(io.BytesIO(page.locator(".frame").screenshot(animations="disabled"))))
    for i, shot in zip(samples, shots, strict=True):
        even = shot.crop((0, 0, shot.width - shot.width % 2, shot.height - shot.height % 2))
        assert difference(frames[i], even) < 4, i  # H.264 at crf 23 changes pixels a little
    # …and the comparison can fail: moments of different colours differ far more than that.
    assert difference(frames[samples[1]], frames[samples[2]]) > 10
    assert min(difference(frames[samples[0]], shots[k].crop((0, 0, *frames[0].size))) for k in (2, 3)) > 10


def test_idle_skipped_the_video_lasts_the_session_less_the_idle_stretch(
    recorded: Recorded, tmp_path: Path
) -> None:
    out = tmp_path / "skipped.mp4"
    said = export(recorded, out, "--mp4", str(out), "--fps", str(FPS), "--skip-idle")
    frames, duration = decode(out)
    # Pointer still from 3.5 s to 34 s: cut down to 1 s.
    expected = END_S - (IDLE_TO_S - (IDLE_FROM_S - 0.5) - 1)
    assert abs(duration - expected) <= 1 / FPS, (duration, expected)
    assert len(frames) == int(expected * FPS) + 1
    assert "skipped 1 inactive stretch" in said.stdout


def test_the_json_is_the_masked_events_the_player_receives(recorded: Recorded, tmp_path: Path) -> None:
    out = tmp_path / "visit.json"
    export(recorded, out, "--json", str(out))
    exported = orjson.loads(out.read_bytes())
    played = recorded.live.api(f"/api/v1/sessions/{recorded.session['id']}/events")["events"]
    assert exported["events"] == played
    assert exported["session"]["id"] == recorded.session["id"] and exported["rules_version"] == 1
    raw = out.read_text()
    assert SECRET not in raw and "reading 2" in raw  # masked by the rules in force: .account hidden
