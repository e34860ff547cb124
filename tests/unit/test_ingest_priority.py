"""Background work gives way to beacons while they arrive, for a bounded share, and never for good."""

from __future__ import annotations

from pathlib import Path

import pytest

from reel.runtime.priority import BACKGROUND_SHARE, CATCH_UP_AFTER_S, MAX_PAUSE_S, QUIET_S, IngestPriority


class FakeTime:
    """A monotonic clock moved only by sleeps; `arrivals` is called at each sleep (beacons arriving)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.arrivals = lambda: None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.arrivals()


def test_quiet_ingest_costs_background_work_nothing() -> None:
    fake = FakeTime()
    priority = IngestPriority(fake.clock, fake.sleep)
    assert not priority.busy()
    assert priority.pause_after(0.5) == 0.0


def test_while_beacons_arrive_a_unit_of_work_is_followed_by_the_rest_of_its_share() -> None:
    fake = FakeTime()
    priority = IngestPriority(fake.clock, fake.sleep)
    fake.arrivals = priority.beacon_arrived
    priority.beacon_arrived()
    wanted = 0.01 * (1 - BACKGROUND_SHARE) / BACKGROUND_SHARE
    assert priority.pause_after(0.01) == pytest.approx(wanted)
    # A long unit pauses at most MAX_PAUSE_S: background work is slowed, never stopped.
    assert priority.pause_after(60.0) == pytest.approx(MAX_PAUSE_S)
    assert priority.paused_s == pytest.approx(wanted + MAX_PAUSE_S)


def test_the_pause_ends_when_beacons_stop() -> None:
    fake = FakeTime()
    priority = IngestPriority(fake.clock, fake.sleep)
    priority.beacon_arrived()
    paused = priority.pause_after(10.0)
    assert QUIET_S <= paused <= QUIET_S + QUIET_S / 5 < MAX_PAUSE_S


def test_processing_far_behind_takes_its_full_share_again() -> None:
    fake = FakeTime()
    priority = IngestPriority(fake.clock, fake.sleep)
    priority.beacon_arrived()
    assert priority.busy()
    priority.behind_s = CATCH_UP_AFTER_S
    assert priority.pause_after(1.0) == 0.0


def test_a_stop_ends_the_pause() -> None:
    fake = FakeTime()
    priority = IngestPriority(fake.clock, fake.sleep)
    priority.beacon_arrived()
    assert priority.pause_after(1.0, stopping=lambda: True) == 0.0


def test_a_process_following_the_shared_file_gives_way_to_the_other_ones_beacons(tmp_path: Path) -> None:
    """The embedded server writes its beacons' arrivals to a file its work process follows."""
    fake = FakeTime()
    server = IngestPriority(fake.clock, fake.sleep)
    work = IngestPriority(fake.clock, fake.sleep)
    arrivals = tmp_path / "beacon-arrivals"
    server.share(arrivals)
    work.follow(arrivals)
    assert not work.busy()  # none yet
    server.beacon_arrived()
    assert work.busy()
    assert work.pause_after(0.01) > 0
    fake.now += QUIET_S
    assert not work.busy()
