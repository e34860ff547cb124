"""Whether and where the snippet goes into a response: the part every framework adapter shares (pure).

Only a complete `text/html` body that is not compressed, not a download and not a partial range is
changed; the snippet goes just before `</head>`, else right after the `<body>` tag, else at the end.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass

from reel.capture.snippet import CONSENT_MODES, ConsentMode, snippet_html

MIB = 1024 * 1024

DEFAULT_MAX_BODY_BYTES = 4 * MIB
"""Largest HTML body buffered to insert the snippet; a larger one passes through unchanged."""

# Statuses whose responses carry no body (or, for 206, only part of one).
NO_BODY_STATUSES = frozenset({204, 205, 206, 304})

_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_TAG = re.compile(rb"<body(?:\s[^>]*)?>", re.IGNORECASE)
# A nonce source in a CSP source list: 'nonce-<base64 value>'.
_NONCE = re.compile(r"'nonce-([A-Za-z0-9+/_=-]+)'")
# Where a nonce lets an inline <script> run: the most specific directive present wins (CSP Level 3).
_SCRIPT_DIRECTIVES = ("script-src-elem", "script-src", "default-src")


@dataclass(frozen=True)
class SnippetSettings:
    """What the middleware injects and where: Reel's base URL, the application's key, consent handling
    (`page` or `granted`, see `reel.capture.snippet`) and path prefixes left alone."""

    reel_url: str
    app_key: str
    consent: ConsentMode = "page"
    exclude_paths: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if not self.reel_url.startswith(("http://", "https://", "//")) and not self.reel_url.startswith("/"):
            raise ValueError(f"reel_url must be an http(s) URL or a path, not {self.reel_url!r}")
        if not self.app_key:
            raise ValueError("app_key is empty (reel apps create prints it)")
        if self.consent not in CONSENT_MODES:
            raise ValueError(f"consent must be one of {', '.join(CONSENT_MODES)}, not {self.consent!r}")
        if self.max_body_bytes < 0:
            raise ValueError("max_body_bytes must be >= 0")

    def snippet(self, nonce: str | None) -> str:
        """The snippet for these settings, with this nonce on its script tags."""
        return snippet_html(self.reel_url, self.app_key, consent=self.consent, nonce=nonce)

    def excludes(self, path: str) -> bool:
        """Whether a request path is left alone (it starts with an excluded prefix)."""
        return any(path.startswith(prefix) for prefix in self.exclude_paths)

    def wants(self, method: str, path: str) -> bool:
        """Whether the response to this request may get the snippet at all (HEAD has no body to change)."""
        return method.upper() != "HEAD" and not self.excludes(path)


@dataclass(frozen=True)
class ResponseInfo:
    """The headers of a response that decide whether it can be changed (names lower-case)."""

    status: int
    content_type: str = ""
    content_encoding: str = ""
    content_disposition: str = ""
    content_length: int | None = None

    @classmethod
    def from_headers(cls, status: int, headers: Iterable[tuple[str, str]]) -> ResponseInfo:
        """Read the relevant headers from (name, value) pairs; a malformed Content-Length counts as none."""
        found: dict[str, str] = {}
        for name, value in headers:
            found.setdefault(name.lower(), value)
        length: int | None = None
        raw_length = found.get("content-length", "").strip()
        if raw_length.isdigit():
            length = int(raw_length)
        return cls(
            status=status,
            content_type=found.get("content-type", ""),
            content_encoding=found.get("content-encoding", ""),
            content_disposition=found.get("content-disposition", ""),
            content_length=length,
        )

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if any."""
        for param in self.content_type.split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip('"') or None
        return None

    def is_html(self) -> bool:
        """A complete, uncompressed HTML page shown in the browser (not a download)."""
        media_type = self.content_type.split(";", 1)[0].strip().lower()
        encoding = self.content_encoding.strip().lower()
        return (
            media_type == "text/html"
            and encoding in ("", "identity")
            and not self.content_disposition.strip().lower().startswith("attachment")
            and self.status not in NO_BODY_STATUSES
            and not 100 <= self.status < 200
            and _ascii_compatible(self.charset)
        )


def _ascii_compatible(charset: str | None) -> bool:
    """Whether markup can be searched and the snippet inserted as ASCII bytes (not UTF-16 or UTF-32)."""
    if charset is None:
        return True
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return False
    return not name.startswith(("utf-16", "utf-32"))


def insert_snippet(body: bytes, snippet: str) -> bytes:
    """`body` with `snippet` before `</head>`, else after the `<body>` tag, else at the end."""
    data = snippet.encode("ascii", "xmlcharrefreplace")
    head_end = _HEAD_END.search(body)
    if head_end is not None:
        at = head_end.start()
    else:
        body_tag = _BODY_TAG.search(body)
        at = body_tag.end() if body_tag is not None else len(body)
    return body[:at] + data + body[at:]


def nonce_from_csp(policies: Iterable[str]) -> str | None:
    """The script nonce of the first Content-Security-Policy (header values) that uses one, if any."""
    for policy in policies:
        directives: dict[str, str] = {}
        for directive in policy.split(";"):
            name, _, sources = directive.strip().partition(" ")
            directives.setdefault(name.lower(), sources)
        for name in _SCRIPT_DIRECTIVES:
            if name in directives:
                match = _NONCE.search(directives[name])
                if match is not None:
                    return match.group(1)
                break  # The most specific directive present decides; a broader one does not apply.
    return None
