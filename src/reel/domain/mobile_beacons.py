"""What ingest learns from a mobile beacon's events: times, views, full frames (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reel.domain.beacons import BeaconSummary


def view_of(event: dict[str, Any]) -> str:
    """The view an event names: a view event's name or a frame's view ("" for other events)."""
    if event["type"] == "view":
        return str(event["name"])
    if event["type"] == "frame":
        return str(event["view"])
    return ""


def summarise_mobile(events: Sequence[dict[str, Any]]) -> BeaconSummary:
    """Times, the views shown in order (they stand in for URLs) and whether a full frame is present.

    A session can be played once it holds a full frame (its "full snapshot") and a named view (its
    "meta"); events are already normalised by ingest.
    """
    times = [int(e["timestamp"]) for e in events]
    views: list[str] = []
    full = False
    for event in sorted(events, key=lambda e: int(e["timestamp"])):
        view = view_of(event)
        if view and (not views or views[-1] != view):
            views.append(view)
        full = full or (event["type"] == "frame" and bool(event["full"]))
    return BeaconSummary(
        first_ts=min(times, default=0),
        last_ts=max(times, default=0),
        events=len(events),
        urls=tuple(views),
        has_full_snapshot=full,
        has_meta=bool(views),
    )
