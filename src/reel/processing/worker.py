"""The I/O edge of processing: takes a recording's lease, reads its new beacons in seq order, runs the pure
processor, writes what it found, then compacts closed segments.

Runs in `reel worker` processes (and in the background of an embedded `reel serve`). Several may run at
once: a recording is worked on under a lease that expires if its worker dies, and every write names the
lease, so a worker that stalled past it cannot overwrite newer work. A round is also idempotent (actions
are stored once, split parts and segments have derived ids, progress only moves on).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from reel.domain.records import Lease, ProcessingProgress, StoredBeacon
from reel.domain.splits import SplitPolicy
from reel.errors import LeaseLost, ReelError
from reel.processing.compactor import compact_recording
from reel.processing.keyframes import KeyframePolicy
from reel.processing.recording import BeaconSession, RecordingProcessor
from reel.processing.resources.worker import found_resources, note_resources
from reel.processing.rounds import resume_processor, save_round
from reel.runtime.context import ReelContext
from reel.runtime.metrics import MIRROR_PROBLEMS, PROCESSING_LAG, count_store_error
from reel.runtime.periodic import PeriodicTask
from reel.storage.stream import beacon_events

log = logging.getLogger("reel.processing")

GAP_WAIT_MS = 60_000
"""How long processing waits for a missing beacon before reading past the gap."""
SILENCE_GRACE_MS = 5 * 60 * 1000
"""Beyond the idle timeout, how long a recorder may stay silent before the server closes its session."""
QUIET_MS = 2 * 60 * 1000
"""A recording without a new beacon for this long has its open segment closed and compacted."""
LEASE_MS = 60_000
"""How long a worker holds a recording; renewed each round, so only a dead worker's lease runs out."""
SETTLE_PER_ROUND = 2000
"""At most this many recordings without work are taken off the worker's list each round (a store that
just gained the list settles all its recordings a few thousand a round)."""


@dataclass(frozen=True)
class RoundResult:
    """What one processing round did."""

    recordings: int
    beacons: int
    actions: int
    splits: int
    closed_silent: int
    compacted: int = 0


class Worker:
    """One worker's identity (its leases) and the processors it keeps warm between rounds."""

    def __init__(
        self, ctx: ReelContext, *, keyframes: KeyframePolicy | None = None, keep_leases: bool = False
    ) -> None:
        self.ctx = ctx
        self.owner = f"w-{secrets.token_hex(8)}"
        self.keyframes = keyframes or KeyframePolicy()
        self.keep_leases = keep_leases
        """A long-lived worker keeps a recording being recorded (and its processor warm) between rounds;
        a one-off round gives every lease back."""
        self._warm: dict[str, tuple[int, RecordingProcessor]] = {}

    def processor_for(
        self, progress: ProcessingProgress, platform: str, policy: SplitPolicy, *, session_id: str = ""
    ) -> RecordingProcessor:
        """The processor of a recording as of `progress`: kept from the last round if it is still there.
        `session_id` (a session of the recording) names it in the log."""
        kept = self._warm.pop(progress.recording_id, None)
        if kept is not None and kept[0] == progress.processed_seq:
            return kept[1]
        return resume_processor(self.ctx, progress, platform, policy, self.keyframes, session_id=session_id)

    def keep(self, recording_id: str, processed_seq: int, processor: RecordingProcessor) -> None:
        """Keep a processor for the next round (a few at most: the rest resume from their keyframe)."""
        self._warm[recording_id] = (processed_seq, processor)
        while len(self._warm) > 32:
            self._warm.pop(next(iter(self._warm)))

    def release_all(self) -> None:
        """Give back every lease kept between rounds (on shutdown), so another worker need not wait for
        them to run out."""
        for rec in list(self._warm):
            try:
                self.ctx.sessions.release_lease(Lease(rec, self.owner, 0))
            except ReelError as exc:  # it runs out by itself within LEASE_MS
                log.warning("could not give back the lease of recording %s: %s", rec, exc.message)
        self._warm.clear()


def _ready_beacons(beacons: list[StoredBeacon], processed_seq: int, now: int) -> list[StoredBeacon]:
    """The beacons after `processed_seq` that can be read now: contiguous, or past a gap given up on."""
    ready: list[StoredBeacon] = []
    expected = processed_seq + 1
    for beacon in beacons:
        if beacon.seq < expected:
            continue
        if beacon.seq != expected and now - beacon.received_at < GAP_WAIT_MS:
            break  # a missing beacon may still arrive; wait for it a while
        ready.append(beacon)
        expected = beacon.seq + 1
    return ready


def process_recording(
    worker: Worker, lease: Lease, progress: ProcessingProgress, policy: SplitPolicy
) -> tuple[int, int, int]:
    """One round for one recording; returns (beacons read, actions found, splits made)."""
    ctx = worker.ctx
    now = ctx.clock.now_ms()
    rec = lease.recording_id
    # From the last beacon read on (kept for its arrival time): never the whole recording each round.
    beacons = ctx.sessions.beacons(rec, max(progress.processed_seq, 0))
    if not beacons:
        return (0, 0, 0)
    app = ctx.sessions.application(beacons[0].app_id)
    if app is None:
        return (0, 0, 0)
    ready = _ready_beacons(beacons, progress.processed_seq, now)
    read_to = ready[-1].seq if ready else progress.processed_seq
    # Quiet: everything received is read (now) and nothing arrived for a while: the open segment ends.
    last_received = max(b.received_at for b in beacons)
    quiet = beacons[-1].seq <= read_to and now - last_received >= QUIET_MS
    first = ctx.sessions.session(beacons[0].session_id)
    platform = first.platform if first is not None else "web"
    processor = worker.processor_for(progress, platform, policy, session_id=beacons[0].session_id)
    if not ready and not (quiet and processor.segment is not None):
        worker.keep(rec, progress.processed_seq, processor)
        return (0, 0, 0)
    sessions: dict[str, BeaconSession] = {}
    resources: dict[str, None] = {}
    loaded = beacon_events(ctx.sessions, ctx.blobs, ready, compacted=True)
    for beacon in ready:
        if beacon.session_id not in sessions:
            s = ctx.sessions.session(beacon.session_id)
            if s is None:
                continue
            sessions[s.id] = BeaconSession(s.id, s.client_session_id, s.part, s.start)
        events, raw_bytes = loaded.get(beacon.seq, ([], 0))
        base = processor.platform.location  # the page URL so far: relative URLs in this beacon
        processor.feed_beacon(sessions[beacon.session_id], beacon.seq, events, raw_bytes)
        resources.update(dict.fromkeys(found_resources(events, base)))
    if quiet:
        processor.seal()
    problems, first_problem = processor.platform.take_problems()
    if problems:
        MIRROR_PROBLEMS.inc(problems)
        log.warning(
            "recording %s (session %s): %d events or parts of events could not be applied to the page "
            "as recorded; the first: %s",
            rec,
            ready[-1].session_id if ready else beacons[-1].session_id,
            problems,
            first_problem or "(not kept)",
        )
    note_resources(ctx, app.id, rec, list(resources))  # captured off this path, by the resource worker
    processed_seq = ready[-1].seq if ready else progress.processed_seq
    actions, splits = save_round(ctx, app, lease, processor, processed_seq, now)
    worker.keep(rec, processed_seq, processor)
    if progress.state_key:
        ctx.blobs.delete(progress.state_key)  # the state before version 10, replaced now
    return (len(ready), actions, splits)


AfterCompaction = Callable[[ReelContext, str], object]
"""Called with a recording's id once some of its segments were compacted (the read side keeps them
masked: reel.replay.warming); processing itself never depends on what it does."""


def process_pending(
    ctx: ReelContext,
    policy: SplitPolicy | None = None,
    *,
    limit: int = 100,
    worker: Worker | None = None,
    after_compaction: AfterCompaction | None = None,
    pause: Callable[[float], object] | None = None,
) -> RoundResult:
    """Process and compact every recording with work once, and close sessions whose recorder went silent.

    `pause`, if given, is called after each recording with the seconds its work took (a serving process
    gives way to ingest there: reel.runtime.priority)."""
    policy = policy or SplitPolicy(
        ctx.settings.sessions.split_after_actions, ctx.settings.sessions.split_after_ms
    )
    worker = worker or Worker(ctx)
    totals = [0, 0, 0, 0, 0]
    # Recordings found with nothing left to do leave the list below until their next beacon: the list
    # then grows with the recordings being recorded, not with every recording kept.
    try:
        ctx.sessions.settle_processing(SETTLE_PER_ROUND)
    except ReelError as exc:
        # Settling only shortens the list (PostgreSQL may end it as a deadlock's victim): the round goes on.
        count_store_error("processing", exc)
        log.warning("settling processed recordings failed: %s", exc.message)
    now = ctx.clock.now_ms()
    for progress in ctx.sessions.pending_processing(limit, now, now - QUIET_MS, worker.owner):
        lease = ctx.sessions.take_lease(progress.recording_id, worker.owner, now, LEASE_MS)
        if lease is None:
            continue  # another worker has it
        b = a = s = 0
        started = time.monotonic()
        try:
            b, a, s = process_recording(worker, lease, progress, policy)
            compacted = compact_recording(ctx, lease)
            totals[4] += compacted
            if compacted and after_compaction is not None:
                _after(after_compaction, ctx, progress.recording_id)
        except LeaseLost as exc:
            log.warning("%s", exc.message)
            continue
        except ReelError as exc:
            count_store_error("processing", exc)
            # One recording that cannot be processed now must not hold up the others.
            log.warning("processing recording %s failed: %s", progress.recording_id, exc.message)
        finally:
            if not (b and worker.keep_leases):
                # Nothing new: let any worker take the recording when there is. A recording being
                # recorded stays with this worker (its processor warm) until its lease runs out.
                ctx.sessions.release_lease(lease)
        if pause is not None:
            pause(time.monotonic() - started)
        if b:
            totals[0] += 1
        totals[1] += b
        totals[2] += a
        totals[3] += s
    now = ctx.clock.now_ms()
    silent_before = now - ctx.settings.sessions.idle_timeout_ms - SILENCE_GRACE_MS
    closed = ctx.sessions.close_silent_sessions(silent_before, now)
    return RoundResult(totals[0], totals[1], totals[2], totals[3], closed, totals[4])


def _after(hook: AfterCompaction, ctx: ReelContext, recording_id: str) -> None:
    try:
        hook(ctx, recording_id)
    except Exception:  # what the read side does with a compacted segment must not stop processing
        log.exception("after compacting recording %s: the read side's step failed", recording_id)


class BackgroundProcessing(PeriodicTask):
    """Runs `process_pending` every `interval_s` on a daemon thread until stopped."""

    def __init__(
        self, ctx: ReelContext, interval_s: float = 1.0, *, after_compaction: AfterCompaction | None = None
    ) -> None:
        worker = Worker(ctx, keep_leases=True)
        lag = ProcessingLag(ctx)

        def work(stopping: Callable[[], bool]) -> bool:
            lag.round_started()

            def pause(worked_s: float) -> None:
                lag.working()
                ctx.priority.pause_after(worked_s, stopping)

            done = process_pending(ctx, worker=worker, after_compaction=after_compaction, pause=pause)
            busy = done.beacons > 0 or done.compacted > 0
            lag.round_ended(busy)
            return busy  # more may be waiting: go on at once

        super().__init__("reel-processing", work, interval_s, log)
        self.worker = worker

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the current round, then give back the leases kept (if the round has ended)."""
        super().stop(timeout_s)
        if not self.running:
            self.worker.release_all()


class ProcessingLag:
    """How far behind processing is, as `reel_processing_lag_seconds` and for ingest's priority.

    A round works on every recording with new beacons, so a beacon waits at most from just after the
    previous round read its recording until the round after it ends: while rounds find work, the lag
    is the time since the previous round started; a round that finds none is caught up (0).
    """

    def __init__(self, ctx: ReelContext) -> None:
        self.ctx = ctx
        self._previous = self._current = time.monotonic()

    def round_started(self) -> None:
        """Note the start of a round (its beacons are counted from the previous round's start)."""
        self._previous, self._current = self._current, time.monotonic()

    def working(self) -> None:
        """Update the lag while a round goes on (it has found work)."""
        self._set(time.monotonic() - self._previous)

    def round_ended(self, found_work: bool) -> None:
        """Set the lag after a round."""
        self._set(time.monotonic() - self._previous if found_work else 0.0)

    def _set(self, behind_s: float) -> None:
        self.ctx.priority.behind_s = behind_s
        PROCESSING_LAG.set(behind_s)
