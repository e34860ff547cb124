"""Every response carries the security headers; operator pages a strict CSP with a fresh nonce."""

from __future__ import annotations

from fastapi.testclient import TestClient


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
