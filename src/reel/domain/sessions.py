"""Folding beacons into sessions: a pure function from (session so far, beacon) to the session after it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from reel.domain.beacons import BeaconSummary
from reel.domain.changes import changed
from reel.domain.records import NewPart, Session, SessionKey, SessionQuery, StoredAction
from reel.domain.splits import ERROR_KINDS, UNCOUNTED_KINDS
from reel.domain.user_context import UserContext


@dataclass(frozen=True)
class BeaconFacts:
    """What the session fold needs of one accepted beacon."""

    seq: int
    summary: BeaconSummary
    received_at: int
    final: bool
    platform: str = "web"
    rules_version: int = 0
    context: UserContext | None = None


def final_close_reason(platform: str) -> str:
    """Why a final beacon closes a session: a web page's tab closed (or navigated away), an app stopped."""
    return "app_closed" if platform == "mobile" else "tab_closed"


def _count_pages(previous_url: str, urls: tuple[str, ...]) -> int:
    """Page views among `urls`: each Meta URL that differs from the one before it."""
    count, last = 0, previous_url
    for url in urls:
        if url != last:
            count += 1
        last = url
    return count


def with_context(session: Session, context: UserContext | None) -> Session:
    """`session` with the user context fields it does not have yet taken from `context` (the first page's
    context wins: its referrer is where the visit came from)."""
    if context is None:
        return session
    changes = {
        name: value
        for name, value in dataclasses.asdict(context).items()
        if value and not getattr(session, name)
    }
    return changed(session, **changes) if changes else session


def fold_beacon(current: Session | None, key: SessionKey, beacon: BeaconFacts, new_id: str) -> Session:
    """The session after `beacon` lands in it; `new_id` is used when `current` is None."""
    return with_context(_fold(current, key, beacon, new_id), beacon.context)


def _fold(current: Session | None, key: SessionKey, beacon: BeaconFacts, new_id: str) -> Session:
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
            close_reason=final_close_reason(beacon.platform) if beacon.final else "",
            created_at=beacon.received_at,
            updated_at=beacon.received_at,
            platform=beacon.platform,
            rules_version=beacon.rules_version,
        )
    # Beacons can arrive out of order: the first URL belongs to the lowest seq, the last to the highest.
    earlier = beacon.seq < current.min_seq
    later = beacon.seq > current.max_seq
    first_url = s.urls[0] if s.urls and (earlier or not current.first_url) else current.first_url
    last_url = s.urls[-1] if s.urls and (later or not current.last_url) else current.last_url
    # Later data reopens a session closed for silence or by a tab close (a page restored from the
    # back/forward cache records on); an earlier beacon arriving late (say, after the small final one)
    # does not, and a session replaced by a newer recorder session stays closed.
    closed, reason = current.closed, current.close_reason
    if beacon.final:
        closed, reason = True, final_close_reason(beacon.platform)
    elif later and current.close_reason != "idle":
        closed, reason = False, ""
    start, end = current.start, current.end
    if current.part > 1:
        # A split part starts where processing split it; its beacons only extend its end.
        end = max(end, s.last_ts) if s.events else end
    elif s.events and not current.events:
        start, end = s.first_ts, s.last_ts
    elif s.events:
        start, end = min(start, s.first_ts), max(end, s.last_ts)
    return changed(
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
        closed=closed,
        close_reason=reason,
        updated_at=max(current.updated_at, beacon.received_at),
        rules_version=max(current.rules_version, beacon.rules_version),
    )


def split_session(closed: Session, part: NewPart, now: int) -> tuple[Session, Session]:
    """The session that ends at a split, and the part that starts there (pure; the store writes both).

    The beacons and events after the split move from the closed part to the new one (ingest counted them
    in the part that was last when they arrived). A part already closed by this split is returned as it
    is, so a split saved twice moves nothing twice (the store keeps the new part it wrote first)."""
    if closed.close_reason == "split":
        ended = closed
    else:
        ended = dataclasses.replace(
            closed,
            end=min(max(closed.start, part.at), max(closed.end, part.at)),
            closed=True,
            close_reason="split",
            updated_at=now,
            beacons=max(0, closed.beacons - part.beacons_moved),
            events=max(0, closed.events - part.events),
        )
    # How the recorder session ended (its final beacon, a newer recorder session, silence) is about its
    # end, which is in the part the split opens: a final beacon folded in before processing split
    # closes the last part, not the one the split closes.
    ending = closed.close_reason if closed.closed and closed.close_reason != "split" else ""
    opened = dataclasses.replace(
        closed,
        id=part.session_id,
        part=part.part,
        start=part.at,
        end=max(part.at, closed.end),
        first_url=part.url or closed.last_url,
        pages=1,
        beacons=part.beacons,
        events=part.events,
        has_full_snapshot=bool(part.checkpoint_key),
        has_meta=bool(part.checkpoint_key),
        closed=bool(ending),
        close_reason=ending,
        created_at=now,
        updated_at=now,
        actions=0,
        errors=0,
        rage_clicks=0,
        dead_clicks=0,
    )
    return ended, opened


def with_counters(session: Session, actions: list[StoredAction]) -> Session:
    """`session` with its search counters recomputed from all its actions (so re-processing is harmless)."""
    identified = [a for a in sorted(actions, key=lambda a: a.ts) if a.kind == "identify" and a.label]
    traits = identified[-1].data.get("traits") if identified else None
    return dataclasses.replace(
        session,
        actions=sum(1 for a in actions if a.kind not in UNCOUNTED_KINDS),
        errors=sum(1 for a in actions if a.kind in ERROR_KINDS),
        rage_clicks=sum(1 for a in actions if a.kind == "rage_click"),
        dead_clicks=sum(1 for a in actions if a.kind == "dead_click"),
        user_id=identified[-1].label if identified else session.user_id,
        traits=dict(traits) if isinstance(traits, dict) else session.traits,
    )


def session_matches(
    s: Session, q: SessionQuery, page_urls: tuple[str, ...] = (), event_names: tuple[str, ...] = ()
) -> bool:
    """True if `s` passes every filter of `q` (the reference the SQL stores are tested against);
    `page_urls` are the pages it visited (load and navigation actions), `event_names` its custom events."""
    language = q.language
    checks = (
        q.app_ids is None or s.app_id in q.app_ids,
        q.user_id is None or s.user_id == q.user_id,
        q.url_contains is None or any(q.url_contains in u for u in (s.first_url, s.last_url, *page_urls)),
        q.started_after is None or s.start >= q.started_after,
        q.started_before is None or s.start < q.started_before,
        q.min_duration_ms is None or s.duration_ms >= q.min_duration_ms,
        q.max_duration_ms is None or s.duration_ms <= q.max_duration_ms,
        q.min_actions is None or s.actions >= q.min_actions,
        q.max_actions is None or s.actions <= q.max_actions,
        q.has_errors is None or (s.errors > 0) == q.has_errors,
        q.has_rage_clicks is None or (s.rage_clicks > 0) == q.has_rage_clicks,
        q.platform is None or s.platform == q.platform,
        q.has_dead_clicks is None or (s.dead_clicks > 0) == q.has_dead_clicks,
        q.user_prefix is None or s.user_id.startswith(q.user_prefix),
        q.event_name is None or q.event_name in event_names,
        q.page_contains is None or any(q.page_contains in u for u in page_urls),
        q.browser is None or s.browser == q.browser or s.browser.startswith(q.browser + " "),
        q.os is None or s.os == q.os,
        q.device is None or s.device == q.device,
        language is None or s.language == language or s.language.startswith(language + "-"),
    )
    return all(checks)


def sort_key(s: Session, sort: str) -> tuple[int, int, str]:
    """The value sessions are ordered by for `sort` (ties broken by start time, then id)."""
    value = {"start": s.start, "duration": s.duration_ms, "actions": s.actions, "errors": s.errors}[sort]
    return (value, s.start, s.id)
