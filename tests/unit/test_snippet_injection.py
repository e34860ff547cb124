"""The snippet's text and where it goes in a page (capture.snippet, integrations.inject; pure)."""

from __future__ import annotations

import pytest

from reel.capture.snippet import STUB, snippet_html
from reel.integrations.inject import ResponseInfo, SnippetSettings, insert_snippet, nonce_from_csp

SNIPPET = "<script>x</script>"


def test_snippet_is_the_stub_then_the_documented_tag() -> None:
    html = snippet_html("https://reel.example/", "rk-abc")
    assert html == (
        f"<script>{STUB}</script>"
        '<script src="https://reel.example/capture/reel.js" data-app-key="rk-abc" async></script>'
    )
    assert "consent(true)" not in html


def test_granted_consent_calls_consent_true_in_the_stub() -> None:
    html = snippet_html("https://reel.example", "rk-abc", consent="granted")
    assert f"<script>{STUB}window.reel.consent(true);</script>" in html


def test_nonce_goes_on_both_tags_and_values_are_escaped() -> None:
    html = snippet_html('https://reel.example/"x', 'k"<', nonce='n"1')
    assert html.count(' nonce="n&quot;1"') == 2
    assert 'src="https://reel.example/&quot;x/capture/reel.js"' in html
    assert 'data-app-key="k&quot;&lt;"' in html


def test_the_stub_never_defines_status() -> None:
    # The recorder takes a window.reel with status() for one already running and would not start.
    assert '"status"' not in STUB and "status" not in STUB.replace("r.status", "")


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            b"<html><head><title>t</title></head><body>b</body></html>",
            b"<title>t</title><script>x</script></head>",
        ),
        (b"<html><HEAD></HEAD ><body>b</body></html>", b"<HEAD><script>x</script></HEAD >"),
        (b"<html><body class='a'><p>b</p></body></html>", b"<body class='a'><script>x</script><p>"),
        (b"<p>fragment</p>", b"<p>fragment</p><script>x</script>"),
        (b"<html><bodyguard></bodyguard></html>", b"</bodyguard></html><script>x</script>"),
    ],
)
def test_snippet_goes_before_head_end_else_after_body_tag_else_at_the_end(
    page: bytes, expected: bytes
) -> None:
    out = insert_snippet(page, SNIPPET)
    assert expected in out
    assert out.replace(SNIPPET.encode(), b"") == page


def test_non_ascii_in_the_snippet_becomes_character_references() -> None:
    out = insert_snippet("<head></head>é".encode(), "<script src='https://réel.example/'></script>")
    assert b"r&#233;el" in out and out.endswith("é".encode())


@pytest.mark.parametrize(
    ("headers", "status", "html"),
    [
        ([("Content-Type", "text/html; charset=utf-8")], 200, True),
        ([("content-type", "TEXT/HTML")], 404, True),
        ([("Content-Type", "application/json")], 200, False),
        ([("Content-Type", "text/html"), ("Content-Encoding", "gzip")], 200, False),
        ([("Content-Type", "text/html"), ("Content-Encoding", "identity")], 200, True),
        ([("Content-Type", "text/html"), ("Content-Disposition", "attachment; filename=a.html")], 200, False),
        ([("Content-Type", "text/html")], 204, False),
        ([("Content-Type", "text/html")], 206, False),
        ([("Content-Type", "text/html")], 304, False),
        ([("Content-Type", "text/html; charset=utf-16")], 200, False),
        ([("Content-Type", "text/html; charset=latin-1")], 200, True),
        ([("Content-Type", "text/html; charset=nonsense")], 200, False),
        ([], 200, False),
    ],
)
def test_only_complete_uncompressed_html_pages_are_changed(
    headers: list[tuple[str, str]], status: int, html: bool
) -> None:
    assert ResponseInfo.from_headers(status, headers).is_html() is html


def test_content_length_is_read_and_a_malformed_one_ignored() -> None:
    assert ResponseInfo.from_headers(200, [("Content-Length", "12")]).content_length == 12
    assert ResponseInfo.from_headers(200, [("Content-Length", "-1")]).content_length is None


@pytest.mark.parametrize(
    ("policies", "nonce"),
    [
        (["default-src 'self'; script-src 'self' 'nonce-abc123=='"], "abc123=="),
        (["default-src 'nonce-d1'"], "d1"),
        # The most specific directive present decides, even without a nonce.
        (["default-src 'nonce-d1'; script-src 'self'"], None),
        (["script-src 'nonce-s1'; script-src-elem 'nonce-e1'"], "e1"),
        (["style-src 'nonce-st'"], None),
        (["img-src *", "script-src 'nonce-second'"], "second"),
        ([], None),
    ],
)
def test_nonce_is_read_from_the_script_directives(policies: list[str], nonce: str | None) -> None:
    assert nonce_from_csp(policies) == nonce


def test_settings_refuse_bad_values_and_match_excluded_prefixes() -> None:
    with pytest.raises(ValueError, match="consent"):
        SnippetSettings("https://reel.example", "rk", consent="always")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="app_key"):
        SnippetSettings("https://reel.example", "")
    with pytest.raises(ValueError, match="reel_url"):
        SnippetSettings("javascript:alert(1)", "rk")
    settings = SnippetSettings("https://reel.example", "rk", exclude_paths=("/admin",))
    assert not settings.wants("GET", "/admin/users") and settings.wants("GET", "/shop")
    assert not settings.wants("head", "/shop")
