"""Replaying from Reel's copies: every resource URL in the events the player receives points at the
stored copy (`/resources/{sha256}`) or, when there is none, at a placeholder (pure).

So the player never asks the recorded site for anything: a replay shows what the user saw even after
the site changed or went away, and watching a session leaves no trace in the site's logs.

Replay-time masking may have masked query values of resource URLs (`?v=***`) before this runs; such a
URL still finds its copy when exactly one captured URL matches it with its query values masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from reel.dom.url_values import UrlKind, without_fragment
from reel.dom.urls import walk_events
from reel.domain.content import placeholder, resource_path


def masked_form(url: str) -> str:
    """The URL with every query value replaced by `***` (and no fragment): how masking writes it."""
    parts = urlsplit(url)
    if not parts.query:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    pairs = [(name, "***") for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(pairs, safe="*"), ""))


class CapturedIndex:
    """Looks up the copy of a URL among a recording's captured resources."""

    def __init__(self, captured: Mapping[str, str]) -> None:
        self.exact = dict(captured)
        loose: dict[str, str | None] = {}
        for url, digest in captured.items():
            key = masked_form(url)
            loose[key] = digest if loose.get(key, digest) == digest else None  # ambiguous: no match
        self.loose = loose

    def digest(self, url: str) -> str | None:
        """The digest of the copy for `url` (fragment ignored), or None."""
        key = without_fragment(url)
        found = self.exact.get(key)
        if found is None and "***" in key:
            found = self.loose.get(masked_form(key))
        return found


def replay_from_copies(
    events: list[dict[str, Any]],
    captured: Mapping[str, str],
    *,
    looked_up: dict[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    """Events with every resource URL pointing at Reel's copy, or at a placeholder if not captured; a
    URL that cannot be resolved (no page URL, a protocol-relative one without it, another scheme) gets
    the placeholder too, never left for the browser to resolve against Reel's page. `looked_up`, if
    given, receives every URL looked up and the copy found (None: none), so a result kept for later can
    tell whether captures since would change it (`still_resolves`)."""
    index = CapturedIndex(captured)

    def to_copy(url: str, kind: UrlKind) -> str:
        digest = index.digest(url) if kind != "inert" else None
        if looked_up is not None and kind != "inert":
            looked_up[url] = digest
        if digest is None:
            return placeholder(kind)
        fragment = url.partition("#")[2]
        return resource_path(digest) + (f"#{fragment}" if fragment else "")

    def unresolved(_value: str, kind: UrlKind) -> str:
        return placeholder(kind)

    return walk_events(events, to_copy, unresolved=unresolved)


def still_resolves(looked_up: Mapping[str, str | None], captured: Mapping[str, str]) -> bool:
    """True if every URL looked up finds the same copy (or still none) among `captured` now."""
    index = CapturedIndex(captured)
    return all(index.digest(url) == digest for url, digest in looked_up.items())
