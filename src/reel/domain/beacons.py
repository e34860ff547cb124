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


# Plain ints: comparing with the enum's members costs an attribute lookup each, for every event.
_FULL_SNAPSHOT = int(EventType.FULL_SNAPSHOT)
_META = int(EventType.META)


def summarise_events(events: Sequence[dict[str, Any]]) -> BeaconSummary:
    """Timestamps, Meta URLs in order, and whether a full snapshot is present (events already validated)."""
    if not events:
        return BeaconSummary(0, 0, 0, (), False, False)
    times = [int(event["timestamp"]) for event in events]
    kinds = {event["type"] for event in events}
    urls: list[str] = []
    meta = _META in kinds
    if meta:
        for event in events:
            if event["type"] == _META:
                data = event.get("data")
                href = data.get("href") if isinstance(data, dict) else None
                if isinstance(href, str):
                    urls.append(href[:2048])
    return BeaconSummary(min(times), max(times), len(events), tuple(urls), _FULL_SNAPSHOT in kinds, meta)
