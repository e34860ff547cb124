"""Mobile sessions in the session model: created from the CLI, split like web ones, listed beside them."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner
from fastapi.testclient import TestClient
from PIL import Image

from mobile_support import frame, image_bytes, post_mobile
from reel.capture.mobile.wire import Envelope, encode_body
from reel.cli.main import cli
from reel.domain.records import Application
from reel.processing.worker import process_pending
from support import T0, post_beacon


def test_apps_create_mobile_needs_no_origin(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["apps", "create", "Shop app", "--mobile", "--json", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.output)
    assert doc["mobile"] is True and doc["origins"] == []
    refused = CliRunner().invoke(cli, ["apps", "create", "Web", "--data-dir", str(tmp_path)])
    assert refused.exit_code != 0 and "origin" in refused.output


def test_api_creates_mobile_applications(client: TestClient) -> None:
    created = client.post("/api/v1/applications", json={"name": "App", "mobile": True})
    assert created.status_code == 201 and created.json()["mobile"] is True
    assert client.post("/api/v1/applications", json={"name": "Web"}).status_code == 400


def test_a_long_mobile_session_splits_and_part_two_opens_on_the_screen_of_the_split(
    client: TestClient, mobile_app: Application, demo_app: Application, beacon: Callable[..., dict[str, Any]]
) -> None:
    first, second = image_bytes("png", color=(200, 10, 10)), image_bytes("png", color=(10, 10, 200))
    events = [
        frame(T0, 0, view="List"),
        frame(T0 + 5, 1, full=False, rect=(0, 0, 36, 32)),
        *(
            {"type": "tap", "timestamp": T0 + 10 + i * 10, "x": 1, "y": 1, "target": "Row"}
            for i in range(205)
        ),
    ]
    data = encode_body(Envelope("m-rec-9", "m-ses-9", 0, T0), events, [first, second])
    assert post_mobile(client, mobile_app, data).status_code == 200
    assert post_beacon(client, demo_app, beacon(0)).status_code == 200  # a web session beside it
    process_pending(client.app.state.reel)  # type: ignore[attr-defined]
    parts = client.get("/api/v1/sessions", params={"platform": "mobile", "sort": "start"}).json()["sessions"]
    assert [p["part"] for p in parts] == [1, 2] and parts[0]["close_reason"] == "split"
    assert client.get("/api/v1/sessions").json()["total"] == 3
    picture = client.get(f"/api/v1/sessions/{parts[1]['id']}/frame", params={"t": 0})
    assert picture.status_code == 200
    shown = Image.open(io.BytesIO(picture.content)).convert("RGB")
    assert shown.getpixel((5, 5)) == (10, 10, 200) and shown.getpixel((5, 50)) == (200, 10, 10)
    web = client.get("/api/v1/sessions", params={"platform": "web"}).json()["sessions"][0]
    assert client.get(f"/api/v1/sessions/{web['id']}/frame").status_code == 400
    assert client.get(f"/api/v1/sessions/{web['id']}/mobile-events").status_code == 400


def test_deleting_a_mobile_session_deletes_its_images(client: TestClient, mobile_app: Application) -> None:
    data = encode_body(
        Envelope("m-rec-3", "m-ses-3", 0, T0), [frame(T0, 0, fmt="webp")], [image_bytes("webp")]
    )
    assert post_mobile(client, mobile_app, data).status_code == 200
    [session] = client.get("/api/v1/sessions").json()["sessions"]
    blobs = client.app.state.reel.blobs  # type: ignore[attr-defined]
    assert [k for k in blobs.keys("") if "/img-" in k]
    assert client.delete(f"/api/v1/sessions/{session['id']}").status_code == 200
    assert [k for k in blobs.keys("") if "m-rec-3" in k] == []
    assert client.get(f"/api/v1/sessions/{session['id']}/frame").status_code == 410
