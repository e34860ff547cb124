"""Every response carries the security headers; operator pages a strict CSP with a fresh nonce."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reel.config import parse_frame_ancestors, settings_from_env
from reel.server.app import create_app


def test_operator_pages_carry_a_strict_csp_with_a_fresh_nonce(client: TestClient) -> None:
    first = client.get("/sessions").headers["content-security-policy"]
    second = client.get("/sessions").headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in first and "object-src 'none'" in first
    assert "frame-ancestors 'none'" in first and "base-uri 'none'" in first
    assert "unsafe-eval" not in first and "'unsafe-inline'" not in first.split("script-src")[1].split(";")[0]
    assert first != second  # a nonce is never reused


def test_api_and_health_responses_carry_the_headers_too(client: TestClient) -> None:
    for path in ("/healthz", "/api/v1/sessions"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert "content-security-policy" in headers


def test_the_player_may_be_framed_only_by_the_configured_origins(tmp_path: Path) -> None:
    """REEL_FRAME_ANCESTORS opens the player page (and nothing else) to those origins, e.g. a notebook."""
    settings = settings_from_env(
        {"REEL_DATA_DIR": str(tmp_path), "REEL_FRAME_ANCESTORS": "http://localhost:8888"}
    )
    with TestClient(create_app(settings)) as client:
        player = client.get("/sessions/ses_x", follow_redirects=False).headers
        assert "frame-ancestors 'self' http://localhost:8888;" in player["content-security-policy"] + ";"
        assert "x-frame-options" not in player
        listing = client.get("/sessions", follow_redirects=False).headers
        assert "frame-ancestors 'none'" in listing["content-security-policy"]
        assert listing["x-frame-options"] == "DENY"
        assert client.get("/sessions/ses_x/extra").headers["x-frame-options"] == "DENY"


def test_frame_ancestors_that_are_not_origins_are_refused() -> None:
    assert parse_frame_ancestors(" http://localhost:8888, https://*.lab.example/ ") == (
        "http://localhost:8888",
        "https://*.lab.example",
    )
    for bad in ("*", "'self'", "http://a.example; script-src *", "javascript:x", "https://a.example/path"):
        with pytest.raises(ValueError, match="REEL_FRAME_ANCESTORS"):
            parse_frame_ancestors(bad)
