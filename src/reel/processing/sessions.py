"""Folding beacons into sessions: a pure function from (session so far, beacon) to the session after it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from reel.processing.beacon_summary import BeaconSummary
from reel.storage.records import Session, SessionKey


@dataclass(frozen=True)
class BeaconFacts:
    """What the session fold needs of one accepted beacon."""

    seq: int
    summary: BeaconSummary
    received_at: int
    final: bool


def _count_pages(previous_url: str, urls: tuple[str, ...]) -> int:
    """Page views among `urls`: each Meta URL that differs from the one before it."""
    count, last = 0, previous_url
    for url in urls:
        if url != last:
            count += 1
        last = url
    return count


def fold_beacon(current: Session | None, key: SessionKey, beacon: BeaconFacts, new_id: str) -> Session:
    """The session after `beacon` lands in it; `new_id` is used when `current` is None."""
    s = beacon.summary
    if current is None:
        return Session(
            id=new_id,
            app_id=key.app_id,
            recording_id=key.recording_id,
            client_session_id=key.client_session_id,
            part=1,
            # A beacon without events (say, a bare final one) has no event time; the receive time stands in.
            start=s.first_ts if s.events else beacon.received_at,
            end=s.last_ts if s.events else beacon.received_at,
            first_url=s.urls[0] if s.urls else "",
            last_url=s.urls[-1] if s.urls else "",
            pages=_count_pages("", s.urls),
            beacons=1,
            events=s.events,
            min_seq=beacon.seq,
            max_seq=beacon.seq,
            has_full_snapshot=s.has_full_snapshot,
            has_meta=s.has_meta,
            closed=beacon.final,
            created_at=beacon.received_at,
            updated_at=beacon.received_at,
        )
    # Beacons can arrive out of order: the first URL belongs to the lowest seq, the last to the highest.
    earlier = beacon.seq < current.min_seq
    later = beacon.seq > current.max_seq
    first_url = s.urls[0] if s.urls and (earlier or not current.first_url) else current.first_url
    last_url = s.urls[-1] if s.urls and (later or not current.last_url) else current.last_url
    start, end = current.start, current.end
    if s.events and not current.events:
        start, end = s.first_ts, s.last_ts
    elif s.events:
        start, end = min(start, s.first_ts), max(end, s.last_ts)
    return dataclasses.replace(
        current,
        start=start,
        end=end,
        first_url=first_url,
        last_url=last_url,
        pages=current.pages + _count_pages(current.last_url if later else "", s.urls),
        beacons=current.beacons + 1,
        events=current.events + s.events,
        min_seq=min(current.min_seq, beacon.seq),
        max_seq=max(current.max_seq, beacon.seq),
        has_full_snapshot=current.has_full_snapshot or s.has_full_snapshot,
        has_meta=current.has_meta or s.has_meta,
        closed=current.closed or beacon.final,
        updated_at=max(current.updated_at, beacon.received_at),
    )
