"""Accepting a validated beacon: acknowledged only once its row and events are durable.

Web and mobile beacons share every step (a mobile beacon's images are written first, by its own path):
claim the recording, shift its events to server time, then fold the beacon into its session and store
its row and events in one group commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reel.domain.beacons import BeaconSummary, summarise_events
from reel.domain.changes import changed
from reel.domain.records import Application, RecordingClaim, Session, SessionKey, StoredBeacon
from reel.domain.sessions import BeaconFacts, fold_beacon
from reel.domain.user_context import UserContext
from reel.errors import Conflict, StorageUnavailable
from reel.ids import new_id
from reel.ingest import lookups
from reel.ingest.clock_skew import measure_offset, offset_from, to_server_time
from reel.ingest.envelope import EnvelopeHeader, WebBeacon
from reel.ingest.raw_beacon import RawWebBeacon
from reel.runtime.context import ReelContext
from reel.storage.chunks import encode_beacon_body, encode_events
from reel.storage.session_store import BeaconWrite, SaveResult


@dataclass(frozen=True)
class Accepted:
    """The answer to an accepted beacon."""

    seq: int
    duplicate: bool
    session_id: str


@dataclass(frozen=True)
class BeaconToStore:
    """What `store_beacon` needs of a validated beacon of any platform."""

    recording_id: str
    session_id: str
    seq: int
    final: bool
    rules_version: int
    platform: str
    events: Sequence[dict[str, Any]]
    summary: BeaconSummary
    extra_bytes: int = 0
    """Bytes stored beside the events (a mobile beacon's new images), counted in the row."""
    written_keys: tuple[str, ...] = ()
    """Blobs already written for it (a mobile beacon's images)."""
    context: UserContext | None = None
    """The user context the beacon carries (web: the first beacon of each page)."""
    in_order: bool = False
    """True when the events' times never decrease: they are stored as they are, without sorting."""
    stored_events: bytes | None = None
    """The events already in their stored form (a web beacon kept as received); `events` is empty then."""

    @classmethod
    def of(
        cls,
        header: EnvelopeHeader,
        platform: str,
        events: Sequence[dict[str, Any]],
        summary: BeaconSummary,
        *,
        extra_bytes: int = 0,
        written_keys: tuple[str, ...] = (),
        context: UserContext | None = None,
        in_order: bool = False,
        stored_events: bytes | None = None,
    ) -> BeaconToStore:
        """The beacon of `header` (either platform's envelope) with its events on server time; the
        platform adds only the fields of its own (web: context and order, mobile: its images)."""
        # In field order: the envelope's header, then what the platform's path made of the beacon.
        return cls(
            header.recording_id,
            header.session_id,
            header.seq,
            header.final,
            header.rules_version,
            platform,
            events,
            summary,
            extra_bytes,
            written_keys,
            context,
            in_order,
            stored_events,
        )


def earlier_copy(ctx: ReelContext, app: Application, recording_id: str, seq: int) -> Accepted | None:
    """The answer for a beacon already stored (a retry), or None if it is new; 409 if the recording is
    another application's, as for a new beacon (a duplicate must not tell another key that a seq exists).
    """
    earlier = ctx.sessions.beacon_session(recording_id, seq)
    if earlier is None:
        return None
    if ctx.sessions.recording_app(recording_id) != app.id:
        raise Conflict("recording belongs to another application", field="recording_id")
    return Accepted(seq, True, earlier)


def claim_and_shift(
    ctx: ReelContext,
    app: Application,
    recording_id: str,
    sent_at: int | None,
    events: Sequence[dict[str, Any]],
    now: int,
) -> tuple[dict[str, Any], ...]:
    """Claim the recording for `app` (409 if another app owns it) and move events to server time.

    Claimed before any blob is written: a recording of another app is refused with nothing stored, and
    the clock offset is the recording's, fixed by its first beacon (reel/ingest/clock_skew.py).
    """
    try:
        claim = lookups.claim(ctx, app.id, recording_id, measure_offset(now, sent_at, events), now)
    except StorageUnavailable as exc:
        ctx.committer.refused(exc.message)  # a write refused: readiness says so, as for a group
        raise
    if claim.app_id != app.id:
        raise Conflict("recording belongs to another application", field="recording_id")
    return to_server_time(events, claim.clock_offset_ms)


def beacon_write(
    app: Application,
    beacon: BeaconToStore,
    now: int,
    clock_offset_ms: int | None = None,
    reshift: Callable[[int], BeaconWrite] | None = None,
) -> BeaconWrite:
    """What the session store saves for a beacon: its row, its events in their stored form, its fold;
    `clock_offset_ms` and `reshift` as `BeaconWrite` has them."""
    summary = beacon.summary
    row = StoredBeacon(
        app_id=app.id,
        recording_id=beacon.recording_id,
        seq=beacon.seq,
        session_id="",
        blob_key="",
        received_at=now,
        first_ts=summary.first_ts,
        last_ts=summary.last_ts,
        events=summary.events,
        stored_bytes=beacon.extra_bytes,
        final=beacon.final,
    )
    session_key = SessionKey(app.id, beacon.recording_id, beacon.session_id)
    facts = BeaconFacts(
        seq=beacon.seq,
        summary=summary,
        received_at=now,
        final=beacon.final,
        platform=beacon.platform,
        rules_version=beacon.rules_version,
        context=beacon.context,
    )

    def fold(current: Session | None) -> Session:
        # An id is made only for a new session: most beacons land in one that exists.
        return fold_beacon(current, session_key, facts, new_id("ses") if current is None else "")

    # Stored in time order (stable), the order processing reads them in: positions in the stream
    # (docs/contracts/storage.md) count events in this order.
    if beacon.stored_events is not None:
        payload = beacon.stored_events
    else:
        events = beacon.events if beacon.in_order else sorted(beacon.events, key=_timestamp)
        payload = encode_events(events)
    return BeaconWrite(session_key, row, payload, fold, beacon.written_keys, clock_offset_ms, reshift)


def store_beacon(ctx: ReelContext, app: Application, beacon: BeaconToStore, now: int) -> Accepted:
    """Store the beacon's row and events, folded into its session, in the next group commit.

    Answered only once its group's transaction is durable (the events are in the session store's buffer,
    the same transaction as the row, so a crash leaves both or neither). Store errors propagate as
    StorageUnavailable (503); nothing here answers 2xx after one.
    """
    result = ctx.committer.save(beacon_write(app, beacon, now))
    return Accepted(beacon.seq, result.duplicate, result.session_id)


def _timestamp(event: dict[str, Any]) -> Any:
    return event.get("timestamp", 0)


def web_write(ctx: ReelContext, app: Application, beacon: WebBeacon | RawWebBeacon) -> BeaconWrite:
    """A web beacon ready for the group commit: its events on the recording's clock, summarised and
    encoded (409 for another application's recording already known here). A recording not known here
    is claimed by the group commit itself, with the offset measured on this beacon: no store visit of
    its own. A retry is recognised by the store."""
    now = ctx.clock.now_ms()
    known = lookups.known_claim(ctx, beacon.recording_id)
    if known is not None and known.app_id != app.id:
        raise Conflict("recording belongs to another application", field="recording_id")
    if isinstance(beacon, RawWebBeacon):
        return _raw_write(app, beacon, now, known)
    offset = (
        known.clock_offset_ms if known is not None else measure_offset(now, beacon.sent_at, beacon.events)
    )

    def moved_by(clock_offset_ms: int) -> BeaconWrite:
        events = to_server_time(beacon.events, clock_offset_ms)
        store = BeaconToStore.of(
            beacon,
            "web",
            events,
            summarise_events(events),
            context=beacon.context,
            in_order=beacon.in_order,  # moving every time by one offset keeps their order
        )
        return beacon_write(app, store, now, clock_offset_ms, moved_by)

    return moved_by(offset)


def _raw_write(app: Application, beacon: RawWebBeacon, now: int, known: RecordingClaim | None) -> BeaconWrite:
    """`web_write` of a beacon whose events stay as received: the offset goes beside them, and moves
    the summary's times as it would have moved the events'."""
    summary = beacon.summary
    reference = beacon.sent_at if beacon.sent_at is not None else summary.last_ts if summary.events else None
    offset = known.clock_offset_ms if known is not None else offset_from(now, reference)

    def moved_by(clock_offset_ms: int) -> BeaconWrite:
        moved = summary
        if clock_offset_ms and summary.events:
            moved = changed(
                summary,
                first_ts=max(1, summary.first_ts + clock_offset_ms),
                last_ts=max(1, summary.last_ts + clock_offset_ms),
            )
        store = BeaconToStore.of(
            beacon,
            "web",
            (),
            moved,
            context=beacon.context,
            in_order=True,
            stored_events=encode_beacon_body(beacon.body, beacon.gzip_body, clock_offset_ms),
        )
        return beacon_write(app, store, now, clock_offset_ms, moved_by)

    return moved_by(offset)


def keep_claim(ctx: ReelContext, write: BeaconWrite, result: SaveResult) -> None:
    """Remember the recording's claim once its beacon is saved: later beacons skip the offset check."""
    claim = RecordingClaim(write.key.app_id, result.clock_offset_ms)
    if lookups.known_claim(ctx, write.key.recording_id) != claim:  # kept already, for most beacons
        lookups.remember_claim(ctx, write.key.recording_id, claim)


def accept_web_beacon(ctx: ReelContext, app: Application, beacon: WebBeacon) -> Accepted:
    """Store one web beacon exactly once (waiting for its group commit)."""
    write = web_write(ctx, app, beacon)
    result = ctx.committer.save(write)
    keep_claim(ctx, write, result)
    return Accepted(beacon.seq, result.duplicate, result.session_id)
