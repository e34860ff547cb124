"""`GET /v1/mobile/config`: where a native SDK gets its masking rules, capture settings, timeouts and
limits; and Reel's own SDK applying those rules to the widgets of the demo app."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from mobile_support import ClientTransport
from reel.capture.mobile.encoder import EncoderConfig
from reel.capture.mobile.masking import MaskPolicy, policy_from_config
from reel.capture.mobile.qt import QtCapture
from reel.capture.mobile.queue import UploadQueue
from reel.capture.mobile.recorder import Recorder, RecorderConfig
from reel.config import Settings
from reel.demo.mobile_app import MobileShop
from reel.domain.records import Application
from reel.ingest import mobile_config
from reel.ingest.mobile_envelope import MAX_BEACON_PIXELS
from reel.processing import worker
from reel.screen.images import MAX_PIXELS, MAX_SCALE

RULES = {
    "preset": "mask_all",
    "rules": [
        {"type": "mask", "selector": "#coupon"},
        {"type": "unmask", "selector": "QLineEdit#name"},
        {"type": "block", "selector": "MobileShop QLabel#price"},
        {"type": "mask", "selector": ".card-number, [data-private]"},  # a web page's: not for views
    ],
}


def test_the_config_names_the_limits_timeouts_and_capture_settings(
    client: TestClient, mobile_app: Application, settings: Settings
) -> None:
    answer = client.get("/v1/mobile/config", params={"k": mobile_app.app_key})
    assert answer.status_code == 200 and answer.headers["etag"] == '"mobile-0"'
    doc = answer.json()
    assert doc["version"] == 0
    assert doc["masking"] == {"text_inputs": True, "passwords": True, "mask": [], "block": [], "unmask": []}
    limits = doc["limits"]
    assert (limits["max_image_pixels"], limits["max_pixels_per_point"]) == (MAX_PIXELS, MAX_SCALE)
    assert limits["max_beacon_pixels"] == MAX_BEACON_PIXELS
    assert limits["max_body_bytes"] == settings.limits.max_body_bytes
    assert limits["beacons_per_second"] == settings.limits.beacons_per_second
    sessions = doc["sessions"]
    assert sessions["idle_timeout_ms"] == settings.sessions.idle_timeout_ms
    assert sessions["silent_close_ms"] == settings.sessions.idle_timeout_ms + worker.SILENCE_GRACE_MS
    # What the config recommends is what Reel's own SDK does.
    sdk = RecorderConfig()
    capture = doc["capture"]
    assert (capture["max_fps"], capture["flush_interval_ms"]) == (sdk.max_fps, sdk.flush_interval_ms)
    assert capture["max_batch_image_bytes"] == sdk.max_batch_bytes
    assert capture["keyframe_interval_ms"] == sdk.keyframe_interval_ms
    assert capture["keyframe_after_partials"] == sdk.keyframe_after_partials
    assert capture["target_density"] == EncoderConfig().target_density
    assert mobile_config.SILENCE_GRACE_MS == worker.SILENCE_GRACE_MS


def test_the_config_serves_the_rules_that_name_views(client: TestClient, mobile_app: Application) -> None:
    saved = client.put(f"/api/v1/applications/{mobile_app.id}/masking-rules", json=RULES)
    assert saved.status_code == 200, saved.text
    answer = client.get("/v1/mobile/config", params={"k": mobile_app.app_key})
    doc = answer.json()
    assert doc["version"] == 1 and answer.headers["etag"] == '"mobile-1"'
    assert doc["masking"]["mask"] == ["#coupon"]
    assert doc["masking"]["unmask"] == ["QLineEdit#name"]
    assert doc["masking"]["block"] == ["MobileShop QLabel#price"]
    again = client.get(
        "/v1/mobile/config", params={"k": mobile_app.app_key}, headers={"If-None-Match": '"mobile-1"'}
    )
    assert again.status_code == 304


def test_only_mobile_applications_get_a_config(
    client: TestClient, mobile_app: Application, demo_app: Application
) -> None:
    assert client.get("/v1/mobile/config", params={"k": demo_app.app_key}).status_code == 403
    unknown = client.get("/v1/mobile/config", params={"k": "nope"})
    assert unknown.status_code == 401
    missing = client.get("/v1/mobile/config")
    assert missing.status_code == 401 and missing.json() == unknown.json()
    from_a_page = client.get(
        "/v1/mobile/config", params={"k": mobile_app.app_key}, headers={"Origin": "https://a.example"}
    )
    assert from_a_page.status_code == 403


def test_the_sdk_masks_the_views_the_rules_name(
    qapp: object, client: TestClient, mobile_app: Application, tmp_path: Path
) -> None:
    assert client.put(f"/api/v1/applications/{mobile_app.id}/masking-rules", json=RULES).status_code == 200
    policy = policy_from_config(client.get("/v1/mobile/config", params={"k": mobile_app.app_key}).json())
    assert policy.version == 1
    shop = MobileShop()
    shop.show()
    shop.open_product(1)
    queue = UploadQueue(tmp_path / "q", ClientTransport(client, mobile_app.app_key))

    def masked(chosen: MaskPolicy) -> set[str]:
        capture = QtCapture(shop, Recorder(RecorderConfig(), queue), policy=chosen)
        rects = {(r.x, r.y, r.w, r.h) for r in capture.masks()}
        named = {
            "coupon": shop.coupon_field,
            "name": shop.name_field,
            "email": shop.email_field,
            "price": shop.price,
        }
        found = set()
        for label, widget in named.items():
            if not widget.isVisible():
                continue
            origin = widget.mapTo(shop, widget.rect().topLeft())
            if (origin.x(), origin.y(), widget.width(), widget.height()) in rects:
                found.add(label)
        return found

    # On the product page: the price is blocked by the rule, and only by it.
    assert masked(MaskPolicy()) == set() and masked(policy) == {"price"}
    shop.buy()
    # On the checkout form: by default every field but the coupon (which the app marks safe) is masked;
    # the rules mask the coupon and show the name.
    assert masked(MaskPolicy()) == {"name", "email"}
    assert masked(policy) == {"coupon", "email"}
    shop.close()
