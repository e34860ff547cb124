"""What ingest learns from a beacon's events without replaying them: times, views, snapshots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reel.dom.types import EventType


@dataclass(frozen=True)
class BeaconSummary:
    """Facts about one batch of rrweb events, for the session data."""

    first_ts: int
    last_ts: int
    events: int
    urls: tuple[str, ...]
    has_full_snapshot: bool
    has_meta: bool


def summarise_events(events: Sequence[dict[str, Any]]) -> BeaconSummary:
    """Timestamps, Meta URLs in order, and whether a full snapshot is present (events already validated)."""
    first = last = 0
    urls: list[str] = []
    full = meta = False
    for index, event in enumerate(events):
        ts = int(event["timestamp"])
        if index == 0:
            first = last = ts
        else:
            first, last = min(first, ts), max(last, ts)
        kind = event["type"]
        if kind == EventType.FULL_SNAPSHOT:
            full = True
        elif kind == EventType.META:
            meta = True
            data = event.get("data")
            href = data.get("href") if isinstance(data, dict) else None
            if isinstance(href, str):
                urls.append(href[:2048])
    return BeaconSummary(first, last, len(events), tuple(urls), full, meta)
