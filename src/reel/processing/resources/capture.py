"""Capturing the resources recordings reference: fetch each under its application's policy, follow the
imports, fonts and images of style sheets, store every copy by content hash, record the outcome per URL.

Style sheets are stored rewritten: each `url()` and `@import` inside points at Reel's copy
(`/resources/{sha256}`) or, when that could not be captured, at a placeholder. A stored sheet therefore
names its dependencies by content, so it is immutable like every other copy and served from cache.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

from reel.dom.css_urls import css_refs, rewrite_css
from reel.dom.url_values import resolve, without_fragment
from reel.domain.content import CSS, decode_css, placeholder, resource_path
from reel.domain.records import Application
from reel.processing.resources.fetch import Fetched
from reel.processing.resources.policy import FetchPolicy, Refused
from reel.runtime.metrics import RESOURCE_FETCHES
from reel.storage.keys import resource_blob_key
from reel.storage.replay_store import ReplayStore
from reel.storage.resource_store import CaptureRow, PendingResource, ResourceMeta, ResourceStore

log = logging.getLogger("reel.resources")

REUSE_MS = 5 * 60 * 1000
"""A URL of an application captured this recently is not fetched again: the copy is reused."""
LEASE_MS = 60 * 1000
"""A claimed URL not finished within this time is claimed again (its worker died)."""
MAX_ATTEMPTS = 3
"""Transient failures (5xx, resets) are retried this many times in all."""
MAX_CSS_DEPTH = 4
MAX_FETCHES_PER_URL = 100
"""A style sheet with its imports, fonts and images counts as one URL, fetching at most this many."""


class Fetcher(Protocol):
    """What capture needs of a fetcher (`SafeFetcher`, or a fake in tests)."""

    def fetch(self, url: str, policy: FetchPolicy) -> Fetched: ...


def fetch_policy(store: ResourceStore, app: Application) -> FetchPolicy:
    """The application's resource policy: its settings, or its page origins without private addresses."""
    settings = store.settings(app.id)
    origins = settings.origins if settings is not None and settings.origins else app.origins
    return FetchPolicy.of(list(origins), settings.allow_private if settings is not None else False)


@dataclass
class Capture:
    """One round of capture for one application: what it fetched, and the rows it has to write."""

    store: ResourceStore
    blobs: ReplayStore
    fetcher: Fetcher
    app_id: str
    policy: FetchPolicy
    now: int
    rows: list[CaptureRow] = field(default_factory=list)
    _memo: dict[str, tuple[str, list[tuple[str, str]]]] = field(default_factory=dict)
    _fetches: int = 0

    def url(self, url: str, attempts: int = 0) -> CaptureRow:
        """Capture `url` (with everything a style sheet needs); its row (children go to `rows`)."""
        self._fetches = 0
        try:
            digest, links = self._one(url, 0, frozenset({url}))
        except Refused as refused:
            return self._refusal(url, refused, attempts)
        # A reused sheet brings rows for what it links to: each recording holds rows for all it needs.
        have = {row.url for row in self.rows}
        self.rows.extend(CaptureRow(u, "captured", d) for u, d in links if u not in have)
        return CaptureRow(url, "captured", digest)

    def _refusal(self, url: str, refused: Refused, attempts: int) -> CaptureRow:
        if refused.transient and attempts + 1 < MAX_ATTEMPTS:
            log.info("resource not captured yet, will retry: %s: %s", url, refused.reason)
            return CaptureRow(url, "pending", None, refused.reason)
        log.warning("resource refused: %s: %s", url, refused.reason)
        return CaptureRow(url, "failed" if refused.transient else "refused", None, refused.reason)

    def _one(self, url: str, depth: int, chain: frozenset[str]) -> tuple[str, list[tuple[str, str]]]:
        known = self._memo.get(url)
        if known is not None:
            return known
        recent = self.store.recent_capture(self.app_id, url, self.now - REUSE_MS)
        if recent is not None and self.store.resource(recent) is not None:
            found = (recent, self.store.links(recent))
            self._memo[url] = found
            return found
        if self._fetches >= MAX_FETCHES_PER_URL:
            raise Refused(f"more than {MAX_FETCHES_PER_URL} resources behind one URL")
        self._fetches += 1
        fetched = self.fetcher.fetch(url, self.policy)
        body, links = fetched.body, list[tuple[str, str]]()
        if fetched.content_type == CSS:
            body, links = self._style_sheet(fetched, depth, chain)
        digest = hashlib.sha256(body).hexdigest()
        # The blob first: a row never names a copy that is not durable. Put even if the digest is known,
        # since the purge may be deleting an old copy with the same bytes right now.
        self.blobs.put(resource_blob_key(digest), body)
        self.store.save_resource(
            ResourceMeta(digest, fetched.content_type, len(body), self.now), links, self.now
        )
        self._memo[url] = (digest, links)
        return digest, links

    def _style_sheet(
        self, fetched: Fetched, depth: int, chain: frozenset[str]
    ) -> tuple[bytes, list[tuple[str, str]]]:
        """The sheet rewritten to point at the copies of what it references, and those (URL, digest)."""
        text = decode_css(fetched.body, fetched.charset)
        children: dict[str, str | None] = {}
        links: dict[str, str] = {}
        for ref in css_refs(text):
            absolute = resolve(ref.url, fetched.url)
            if absolute is None:
                continue
            key = without_fragment(absolute)
            if key in children:
                continue
            if key in chain or depth + 1 > MAX_CSS_DEPTH:
                children[key] = None  # an import cycle, or nested too deep
                continue
            try:
                digest, nested = self._one(key, depth + 1, chain | {key})
            except Refused as refused:
                children[key] = None
                self.rows.append(self._refusal(key, refused, MAX_ATTEMPTS))
                continue
            children[key] = digest
            links[key] = digest
            links.update(nested)
            self.rows.append(CaptureRow(key, "captured", digest))

        def replace(url: str, kind: str) -> str | None:
            absolute = resolve(url, fetched.url)
            if absolute is None:
                return None
            digest = children.get(without_fragment(absolute))
            if digest is None:
                return placeholder("stylesheet" if kind == "import" else "image")
            fragment = absolute.partition("#")[2]
            return resource_path(digest) + (f"#{fragment}" if fragment else "")

        return rewrite_css(text, replace).encode("utf-8"), sorted(links.items())


def capture_claimed(
    store: ResourceStore,
    blobs: ReplayStore,
    fetcher: Fetcher,
    claimed: list[PendingResource],
    applications: dict[str, Application | None],
    now: int,
) -> int:
    """Capture claimed URLs and record their outcomes; returns how many were captured.

    The outcomes of one recording's URLs are written together, in one transaction, after the last of
    them: a round costs the store one write per recording, not one per URL. A crash before that write
    leaves the URLs claimed; their leases run out and they are captured again (copies are named by
    content, so that costs only the fetch).
    """
    captures: dict[str, Capture] = {}
    outcomes: dict[tuple[str, str], list[CaptureRow]] = {}
    done = 0
    for item in claimed:
        found = outcomes.setdefault((item.app_id, item.recording_id), [])
        app = applications.get(item.app_id)
        if app is None:
            found.append(CaptureRow(item.url, "refused", None, "no app"))
            continue
        capture = captures.get(app.id)
        if capture is None:
            capture = Capture(store, blobs, fetcher, app.id, fetch_policy(store, app), now)
            captures[app.id] = capture
        row = capture.url(item.url, item.attempts)
        RESOURCE_FETCHES.labels(row.status).inc()
        found += [row, *capture.rows]
        capture.rows = []
        done += row.status == "captured"
    for (app_id, recording_id), rows in outcomes.items():
        store.finish(app_id, recording_id, rows, now)
    return done
